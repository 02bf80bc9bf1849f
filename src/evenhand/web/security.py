"""What every answer carries: security headers, and the session cookie's `Secure` flag.

Pages use no inline script or style (the one stylesheet and script are under /static), so
the Content-Security-Policy allows only this origin's. The interactive API documentation
(/docs, /redoc) is off unless `api_docs` is set; then it is served to signed-in users only,
with a policy of its own that names the CDN its scripts come from and the hash of its one
inline script.
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Iterable

from fastapi import APIRouter, FastAPI, Request
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.responses import HTMLResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from evenhand.web.pages import SignedIn

SESSION_COOKIE = "evenhand_session"
PAGE_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
    "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)
HEADERS: tuple[tuple[bytes, bytes], ...] = (
    (b"x-frame-options", b"DENY"),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"cross-origin-opener-policy", b"same-origin"),
)
CDN = "https://cdn.jsdelivr.net"


class SecurityHeaders:
    """Adds the security headers to every answer (a Content-Security-Policy the route set
    itself is kept), and `Secure` to the session cookie: always, never, or (`secure_cookie`
    None) when the request came over https."""

    def __init__(self, app: ASGIApp, *, secure_cookie: bool | None) -> None:
        self.app = app
        self.secure_cookie = secure_cookie

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        secure = self.secure_cookie
        if secure is None:
            secure = scope.get("scheme") == "https"

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = _with_headers(message.get("headers", []), secure=secure)
            await send(message)

        await self.app(scope, receive, send_with_headers)


def _with_headers(
    headers: Iterable[tuple[bytes, bytes]], *, secure: bool
) -> list[tuple[bytes, bytes]]:
    given = [(name.lower(), value) for name, value in headers]
    if secure:
        given = [_secure_cookie(name, value) for name, value in given]
    names = {name for name, _ in given}
    extra = [*HEADERS, (b"content-security-policy", PAGE_POLICY.encode())]
    return given + [(name, value) for name, value in extra if name not in names]


def _secure_cookie(name: bytes, value: bytes) -> tuple[bytes, bytes]:
    is_session = name == b"set-cookie" and value.startswith(SESSION_COOKIE.encode() + b"=")
    if is_session and b"; secure" not in value.lower():
        value += b"; secure"
    return name, value


# --- the interactive API documentation, when `api_docs` is set --------------------------

docs_router = APIRouter(include_in_schema=False)


def _script_hashes(html: str) -> str:
    """CSP sources for each inline script of the page (by its SHA-256)."""
    scripts = re.findall(r"<script>(.*?)</script>", html, flags=re.DOTALL)
    digests = (base64.b64encode(hashlib.sha256(s.encode()).digest()).decode() for s in scripts)
    return " ".join(f"'sha256-{digest}'" for digest in digests)


def docs_policy(html: str) -> str:
    """The documentation pages' policy: their scripts and styles from the CDN (Redoc's fonts
    from Google's), their own inline script by hash; inline styles, which both set at run
    time; the rest as for pages."""
    return (
        f"default-src 'none'; script-src {CDN} {_script_hashes(html)}; "
        f"style-src 'unsafe-inline' {CDN} https://fonts.googleapis.com; "
        "font-src https://fonts.gstatic.com; img-src 'self' data: https://fastapi.tiangolo.com; "
        "connect-src 'self'; worker-src blob:; frame-ancestors 'none'; base-uri 'none'; "
        "form-action 'self'"
    )


def _docs_page(page: HTMLResponse) -> HTMLResponse:
    page.headers["Content-Security-Policy"] = docs_policy(bytes(page.body).decode())
    return page


@docs_router.get("/docs")
def swagger_ui(request: Request, _: SignedIn) -> HTMLResponse:
    app: FastAPI = request.app
    return _docs_page(get_swagger_ui_html(openapi_url=app.openapi_url or "", title=app.title))


@docs_router.get("/redoc")
def redoc(request: Request, _: SignedIn) -> HTMLResponse:
    app: FastAPI = request.app
    return _docs_page(get_redoc_html(openapi_url=app.openapi_url or "", title=app.title))
