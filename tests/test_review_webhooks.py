"""Review webhooks as the platforms send them: Trustpilot's service-review events (basic
auth from the subscription URL; Trustpilot signs nothing) and Judge.me's review events
(`JUDGEME-HMAC-SHA256`, hex HMAC of the raw body). Verified before anything is read, 4xx
with the reason on bad input, stored like an export, idempotent on replay, and read."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from collections.abc import Iterator

import httpx
import pytest

from evenhand.actions.import_file import import_file
from evenhand.actions.public_reviews import review_board
from evenhand.ingest.kinds import ImportKind
from evenhand.settings import Settings
from evenhand.understand.reader import EmbeddedReader
from tests.conftest import FIXTURES, NOW
from tests.sites import Site, serve_site

REVIEWS = FIXTURES / "reviews"
TRUSTPILOT_SECRET = "tp-subscription-password"
JUDGEME_SECRET = "jdgm-oauth-app-secret"


@pytest.fixture
def site(sqlite_url: str, reader: EmbeddedReader) -> Iterator[Site]:
    secrets = {
        "trustpilot_webhook_secret": TRUSTPILOT_SECRET,
        "judgeme_webhook_secret": JUDGEME_SECRET,
    }
    for served in serve_site(sqlite_url, reader, **secrets):
        orders = FIXTURES / "shopify" / "orders_export.csv"
        import_file(
            served.engine,
            kind=ImportKind.SHOPIFY_ORDERS,
            path=orders,
            settings=Settings(db=sqlite_url),
            now=NOW,
        )
        yield served


def _basic(password: str, user: str = "evenhand") -> dict[str, str]:
    token = base64.b64encode(f"{user}:{password}".encode()).decode()
    return {"Authorization": f"Basic {token}", "Content-Type": "application/json"}


def _signed(raw: bytes, secret: str = JUDGEME_SECRET) -> dict[str, str]:
    digest = hmac.new(secret.encode(), raw, hashlib.sha256).hexdigest()
    return {"JUDGEME-HMAC-SHA256": digest, "Content-Type": "application/json"}


def _post(site: Site, path: str, raw: bytes, headers: dict[str, str]) -> httpx.Response:
    with site.client() as client:
        return client.post(path, content=raw, headers=headers)


def test_a_trustpilot_delivery_is_stored_read_and_idempotent_on_replay(site: Site) -> None:
    raw = (REVIEWS / "trustpilot_demand.json").read_bytes()
    first = _post(site, "/webhooks/trustpilot", raw, _basic(TRUSTPILOT_SECRET))
    assert first.status_code == 200, first.text
    assert first.json() == {"stored": 2, "created": 2, "updated": 0, "duplicate": False}
    again = _post(site, "/webhooks/trustpilot", raw, _basic(TRUSTPILOT_SECRET))
    assert again.json() == {"stored": 2, "created": 0, "updated": 2, "duplicate": True}
    rows = {row.external_id: row for row in review_board(site.engine).rows}
    assert len(rows) == 2
    anna = rows["66a1c0ffee0101"]
    assert (anna.customer_email, anna.demand, anna.read_language) == (
        "anna.svensson@example.se",
        True,
        "sv",
    )


@pytest.mark.parametrize(
    "headers",
    [
        _basic("wrong"),
        {"Content-Type": "application/json"},
        {"Authorization": "Bearer tp-subscription-password"},
        {"Authorization": "Basic not-base64!"},
    ],
)
def test_a_trustpilot_delivery_without_the_secret_is_refused(
    site: Site, headers: dict[str, str]
) -> None:
    raw = (REVIEWS / "trustpilot_demand.json").read_bytes()
    refused = _post(site, "/webhooks/trustpilot", raw, headers)
    assert refused.status_code == 401 and "signature does not verify" in refused.text
    assert review_board(site.engine).total == 0


def test_other_trustpilot_events_are_answered_and_ignored(site: Site) -> None:
    event = {"eventName": "service-review-deleted", "version": "1", "eventData": {"id": "x"}}
    raw = json.dumps({"events": [event]}).encode()
    answer = _post(site, "/webhooks/trustpilot", raw, _basic(TRUSTPILOT_SECRET))
    assert answer.status_code == 200 and answer.json() == {"ignored": "service-review-deleted"}


def test_a_judgeme_delivery_is_verified_stored_and_matched(site: Site) -> None:
    raw = (REVIEWS / "judgeme_webhook.json").read_bytes()
    answer = _post(site, "/webhooks/judgeme", raw, _signed(raw))
    assert answer.status_code == 200 and answer.json()["created"] == 1
    [row] = review_board(site.engine).rows
    assert (row.external_id, row.customer_email, row.rating) == (
        "41002",
        "erik.larsson@example.com",
        1,
    )
    assert row.demand is True
    replay = _post(site, "/webhooks/judgeme", raw, _signed(raw))
    assert replay.json()["duplicate"] is True and review_board(site.engine).total == 1


def test_a_judgeme_delivery_with_a_bad_signature_is_refused(site: Site) -> None:
    raw = (REVIEWS / "judgeme_webhook.json").read_bytes()
    for headers in (_signed(raw, "another-secret"), _signed(raw + b" "), {}):
        refused = _post(site, "/webhooks/judgeme", raw, headers)
        assert refused.status_code == 401
    assert review_board(site.engine).total == 0


def test_bad_judgeme_bodies_are_4xx_with_the_reason(site: Site) -> None:
    broken = b'{"event": "review/created", "review": {'
    answer = _post(site, "/webhooks/judgeme", broken, _signed(broken))
    assert answer.status_code == 400 and "malformed JSON" in answer.text
    document = json.loads((REVIEWS / "judgeme_webhook.json").read_text())
    document["review"]["rating"] = 6
    raw = json.dumps(document).encode()
    answer = _post(site, "/webhooks/judgeme", raw, _signed(raw))
    assert answer.status_code == 422
    assert "rating" in answer.text and "not a rating from 1 to 5: 6" in answer.text
    assert review_board(site.engine).total == 0
    ignored = json.dumps({"event": "review/deleted", "review": {"id": 1}}).encode()
    assert _post(site, "/webhooks/judgeme", ignored, _signed(ignored)).json() == {
        "ignored": "review/deleted"
    }


def test_without_a_secret_set_nothing_is_taken(sqlite_url: str, reader: EmbeddedReader) -> None:
    raw = (REVIEWS / "judgeme_webhook.json").read_bytes()
    for site in serve_site(sqlite_url, reader):
        answer = _post(site, "/webhooks/judgeme", raw, _signed(raw))
        assert answer.status_code == 401 and "no judgeme webhook secret is set" in answer.text
