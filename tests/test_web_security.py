"""What every answer of the service carries: security headers on pages, static files, API
answers, webhook refusals and errors; the session cookie's flags; pages without inline
script or style; the interactive API documentation off unless asked for, then for
signed-in users only."""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from selectolax.lexbor import LexborHTMLParser

from evenhand.understand.reader import EmbeddedReader
from tests.sites import LEAD, Site, serve_site

TEMPLATES = Path(__file__).parents[1] / "src" / "evenhand" / "web" / "templates"
PAGES = ("/queue", "/guide", "/dashboard", "/admin", "/reader")


@pytest.fixture
def site(sqlite_url: str, reader: EmbeddedReader) -> Iterator[Site]:
    yield from serve_site(sqlite_url, reader)


def _policy(answer: httpx.Response) -> dict[str, list[str]]:
    directives = (part.split() for part in answer.headers["content-security-policy"].split(";"))
    return {words[0]: words[1:] for words in directives if words}


def assert_secured(answer: httpx.Response) -> None:
    assert answer.headers["x-frame-options"] == "DENY", answer.url
    assert answer.headers["x-content-type-options"] == "nosniff", answer.url
    assert answer.headers["referrer-policy"] == "no-referrer", answer.url
    policy = _policy(answer)
    assert policy["frame-ancestors"] == ["'none'"], answer.url
    assert policy["default-src"] == ["'none'"], answer.url


def test_every_answer_carries_the_security_headers(site: Site) -> None:
    # given a signed-in manager and a stranger
    lead = site.sign_in(LEAD)
    with site.client() as stranger:
        answers = [lead.get(path) for path in PAGES]
        answers += [
            stranger.get("/login"),
            stranger.get("/queue"),  # the way to the sign-in page
            stranger.get("/static/evenhand.css"),
            stranger.get("/static/evenhand.js"),
            stranger.get("/healthz"),
            stranger.get("/openapi.json"),
            stranger.get("/api/decisions/1"),  # 401, no token
            stranger.get("/no/such/page"),  # 404
            stranger.post("/webhooks/stripe", content=b"{}"),  # refused, not configured
            stranger.post("/login", data={"email": "x", "password": "y", "csrf": "forged"}),
        ]
    # then every answer, whatever its status, carries the headers
    assert {a.status_code for a in answers} >= {200, 303, 401, 403, 404}
    for answer in answers:
        assert_secured(answer)
    # and pages may run only this origin's script and style, and post only to it
    policy = _policy(answers[0])
    assert policy["script-src"] == ["'self'"] and policy["style-src"] == ["'self'"]
    assert policy["form-action"] == ["'self'"]


def test_the_session_cookie_is_httponly_strict_and_secure_over_https(
    site: Site, tmp_path: Path, reader: EmbeddedReader
) -> None:
    # given the default setting (unset): over plain http, no Secure flag
    with site.client() as client:
        cookie = client.get("/login").headers["set-cookie"].lower()
        assert "httponly" in cookie and "samesite=strict" in cookie and "secure" not in cookie
    # when the request came over https through a local proxy, the cookie is Secure
    with site.client(**{"x-forwarded-proto": "https"}) as client:
        cookie = client.get("/login").headers["set-cookie"].lower()
        assert "httponly" in cookie and "samesite=strict" in cookie
        assert re.search(r";\s*secure\b", cookie)
    # and with session_cookie_secure = true it is Secure even over http
    other = f"sqlite:///{tmp_path / 'other.sqlite3'}"
    for always in serve_site(other, reader, session_cookie_secure=True):
        with always.client() as client:
            assert re.search(r";\s*secure\b", client.get("/login").headers["set-cookie"].lower())


def test_no_page_runs_an_inline_script_or_style(site: Site) -> None:
    # given every page a manager sees, and the ticket page
    lead = site.sign_in(LEAD)
    html = [lead.get(path).text for path in PAGES] + [lead.get("/login").text]
    # then no script is inline, no element has a style or an on... attribute
    for page in html:
        tree = LexborHTMLParser(page)
        assert tree.css("style") == []
        for script in tree.css("script"):
            assert (script.attributes.get("src") or "").startswith("/static/")
            assert not script.text().strip()
        for element in tree.css("*"):
            names = set(element.attributes)
            assert "style" not in names, element.html
            assert not {name for name in names if name.startswith("on")}, element.html
    # and neither do the templates (the ticket page, which needs decisions, included)
    for template in TEMPLATES.glob("*.html"):
        text = template.read_text(encoding="utf-8")
        assert not re.search(r"<script(?![^>]*\bsrc=)|<style|\sstyle=|\son[a-z]+=", text), template


def test_the_api_documentation_is_off_by_default(site: Site) -> None:
    lead = site.sign_in(LEAD)
    for path in ("/docs", "/redoc"):
        assert lead.get(path).status_code == 404
    assert "/api/tickets" in lead.get("/openapi.json").json()["paths"]


def test_the_api_documentation_when_on_is_for_signed_in_users_with_its_own_policy(
    sqlite_url: str, reader: EmbeddedReader
) -> None:
    for site in serve_site(sqlite_url, reader, api_docs=True):
        # given the documentation turned on: a stranger is sent to the sign-in page
        with site.client() as stranger:
            for path in ("/docs", "/redoc"):
                answer = stranger.get(path)
                assert (answer.status_code, answer.headers["location"]) == (303, "/login")
        # when a user signs in, the pages are served with a policy that allows the CDN's
        # scripts and each inline script of the page by its hash, and nothing else inline
        lead = site.sign_in(LEAD)
        for path in ("/docs", "/redoc"):
            answer = lead.get(path)
            assert answer.status_code == 200
            assert_secured(answer)
            scripts = _policy(answer)["script-src"]
            assert "'unsafe-inline'" not in scripts
            assert "https://cdn.jsdelivr.net" in scripts
            for inline in re.findall(r"<script>(.*?)</script>", answer.text, flags=re.DOTALL):
                digest = base64.b64encode(hashlib.sha256(inline.encode()).digest()).decode()
                assert f"'sha256-{digest}'" in scripts
        # and the ordinary pages keep theirs
        assert _policy(lead.get("/queue"))["script-src"] == ["'self'"]
