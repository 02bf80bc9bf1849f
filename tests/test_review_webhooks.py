"""Review webhooks as the platforms send them: Trustpilot's service-review events (basic
auth from the subscription URL; Trustpilot signs nothing) and Judge.me's review events
(`JUDGEME-HMAC-SHA256`, hex HMAC of the raw body). Verified before anything is read, 4xx
with the reason on bad input and nothing written, stored raw in the durable inbox
(a replay counted, not stored again), then stored like an export and read by the worker."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from evenhand.actions.guide import load_guide
from evenhand.actions.import_file import import_file
from evenhand.actions.inbox import Worker, drain
from evenhand.actions.public_reviews import review_board
from evenhand.actions.service import receive_delivery
from evenhand.actions.writeback import Helpdesks
from evenhand.ingest.kinds import ImportKind
from evenhand.settings import Settings
from evenhand.store import privacy
from evenhand.store.tables import audit_events, inbox
from evenhand.understand.reader import EmbeddedReader
from tests.conftest import FIXTURES, NOW
from tests.sites import Site, serve_site

REVIEWS = FIXTURES / "reviews"
TRUSTPILOT_SECRET = "tp-subscription-password"
JUDGEME_SECRET = "jdgm-oauth-app-secret"


def _site(db_url: str, reader: EmbeddedReader) -> Iterator[Site]:
    secrets = {
        "trustpilot_webhook_secret": TRUSTPILOT_SECRET,
        "judgeme_webhook_secret": JUDGEME_SECRET,
    }
    for served in serve_site(db_url, reader, **secrets):
        orders = FIXTURES / "shopify" / "orders_export.csv"
        import_file(
            served.engine,
            kind=ImportKind.SHOPIFY_ORDERS,
            path=orders,
            settings=Settings(db=db_url),
            now=NOW,
        )
        yield served


@pytest.fixture
def site(sqlite_url: str, reader: EmbeddedReader) -> Iterator[Site]:
    yield from _site(sqlite_url, reader)


@pytest.fixture
def site_on_each_backend(db_url: str, reader: EmbeddedReader) -> Iterator[Site]:
    yield from _site(db_url, reader)


def _work(site: Site, reader: EmbeddedReader) -> None:
    """The inbox worker's run until the inbox is empty."""
    settings = Settings(db=site.engine.url.render_as_string(hide_password=False))
    worker = Worker(
        engine=site.engine,
        reader=reader,
        guide=load_guide(settings),
        settings=settings,
        helpdesks=Helpdesks(),
    )
    drain(worker, now=lambda: NOW)


class _BrokenReader:
    """A reader that fails on every message."""

    def read_many(self, messages: Any) -> Any:
        raise RuntimeError("the reader broke")


def _inbox(site: Site) -> list[dict[str, Any]]:
    with site.engine.connect() as connection:
        rows = connection.execute(select(inbox).order_by(inbox.c.id)).mappings()
        return [dict(row) for row in rows]


def _count(site: Site, table: Any) -> int:
    with site.engine.connect() as connection:
        return int(connection.execute(select(func.count()).select_from(table)).scalar_one())


def _basic(password: str, user: str = "evenhand") -> dict[str, str]:
    token = base64.b64encode(f"{user}:{password}".encode()).decode()
    return {"Authorization": f"Basic {token}", "Content-Type": "application/json"}


def _signed(raw: bytes, secret: str = JUDGEME_SECRET) -> dict[str, str]:
    digest = hmac.new(secret.encode(), raw, hashlib.sha256).hexdigest()
    return {"JUDGEME-HMAC-SHA256": digest, "Content-Type": "application/json"}


def _post(site: Site, path: str, raw: bytes, headers: dict[str, str]) -> httpx.Response:
    with site.client() as client:
        return client.post(path, content=raw, headers=headers)


def test_a_trustpilot_delivery_goes_through_the_inbox_and_is_idempotent_on_replay(
    site_on_each_backend: Site, reader: EmbeddedReader
) -> None:
    site = site_on_each_backend
    raw = (REVIEWS / "trustpilot_demand.json").read_bytes()
    # given a delivery, sent twice: answered 202, stored raw in the inbox once
    first = _post(site, "/webhooks/trustpilot", raw, _basic(TRUSTPILOT_SECRET))
    assert first.status_code == 202, first.text
    delivery_id = first.json()["delivery_id"]
    assert first.json() == {"delivery_id": delivery_id, "duplicate": False}
    again = _post(site, "/webhooks/trustpilot", raw, _basic(TRUSTPILOT_SECRET))
    assert (again.status_code, again.json()) == (
        202,
        {"delivery_id": delivery_id, "duplicate": True},
    )
    [row] = _inbox(site)
    assert (row["source"], row["topic"], row["status"], row["deliveries"]) == (
        "trustpilot",
        "service-review-created",
        "pending",
        2,
    )
    assert row["body"] == raw.decode("utf-8") and review_board(site.engine).total == 0
    # when the worker takes it: the reviews are stored, matched and read, once
    _work(site, reader)
    [row] = _inbox(site)
    assert row["status"] == "done", row["error"]
    assert row["outcome"] == {
        "stored": 2,
        "created": 2,
        "updated": 0,
        "matched": 1,
        "reviews": ["trustpilot:66a1c0ffee0101", "trustpilot:66a1c0ffee0102"],
    }
    rows = {row.external_id: row for row in review_board(site.engine).rows}
    assert len(rows) == 2
    anna = rows["66a1c0ffee0101"]
    assert (anna.customer_email, anna.demand, anna.read_language) == (
        "anna.svensson@example.se",
        True,
        "sv",
    )
    assert [subject for subject, _ in site.events("reviews received")] == ["trustpilot webhook"]
    # and the same review edited is a new delivery that updates it, never adds one
    document = json.loads(raw)
    document["events"] = document["events"][:1]
    document["events"][0]["eventName"] = "service-review-updated"
    document["events"][0]["eventData"]["stars"] = 2
    edited = json.dumps(document).encode()
    answer = _post(site, "/webhooks/trustpilot", edited, _basic(TRUSTPILOT_SECRET))
    assert answer.status_code == 202 and answer.json()["duplicate"] is False
    _work(site, reader)
    assert _inbox(site)[-1]["outcome"] == {
        "stored": 1,
        "created": 0,
        "updated": 1,
        "matched": 1,
        "reviews": ["trustpilot:66a1c0ffee0101"],
    }
    rows = {row.external_id: row for row in review_board(site.engine).rows}
    assert len(rows) == 2 and rows["66a1c0ffee0101"].rating == 2


def test_a_reader_that_fails_leaves_the_reviews_stored_and_unread_and_the_worker_going(
    site: Site, reader: EmbeddedReader
) -> None:
    raw = (REVIEWS / "judgeme_webhook.json").read_bytes()
    assert _post(site, "/webhooks/judgeme", raw, _signed(raw)).status_code == 202
    # when the worker's reader breaks on the review
    _work(site, _BrokenReader())  # type: ignore[arg-type]
    # then the delivery is done, the review stored but not read
    [delivery] = _inbox(site)
    assert delivery["status"] == "done" and delivery["outcome"]["created"] == 1
    [row] = review_board(site.engine).rows
    assert row.read_language is None
    # and the next review delivery's batch reads it
    document = json.loads(raw)
    document["review"]["id"] = 41003
    another = json.dumps(document).encode()
    assert _post(site, "/webhooks/judgeme", another, _signed(another)).status_code == 202
    _work(site, reader)
    assert {row.read_language for row in review_board(site.engine).rows} == {"sv"}


def test_erasing_a_reviewer_erases_the_deliveries_that_brought_their_reviews(
    site_on_each_backend: Site, reader: EmbeddedReader
) -> None:
    # given a Trustpilot delivery whose review is matched by its order only (the body
    # names the reviewer as Trustpilot shows them, not by e-mail), and another one's
    site = site_on_each_backend
    raw = (REVIEWS / "trustpilot_demand.json").read_bytes()
    document = json.loads(raw)
    other = json.dumps({"events": document["events"][1:]}).encode()
    for body in (raw, other):
        assert _post(site, "/webhooks/trustpilot", body, _basic(TRUSTPILOT_SECRET)).is_success
    _work(site, reader)
    # when Anna is erased (customers/redact)
    with site.engine.begin() as connection:
        people = privacy.people_named(connection, privacy.Named(email="anna.svensson@example.se"))
        privacy.redact_people(connection, people)
    # then the delivery that brought her review is gone with it; the other one stays
    theirs, others = _inbox(site)
    assert theirs["body"] == privacy.REDACTED_BODY and "reviews" not in theirs["outcome"]
    assert others["body"] == other.decode("utf-8")
    assert [row.external_id for row in review_board(site.engine).rows] == ["66a1c0ffee0102"]


def test_a_bad_review_delivery_fails_alone_and_the_worker_goes_on(
    site_on_each_backend: Site, reader: EmbeddedReader
) -> None:
    # given a stored delivery the edge would have refused (stored before a check existed,
    # or by hand), then a good one
    site = site_on_each_backend
    document = json.loads((REVIEWS / "judgeme_webhook.json").read_text())
    document["review"]["rating"] = 6
    receive_delivery(
        site.engine,
        source="judgeme",
        event_key="bad",
        topic="review/created",
        body=json.dumps(document),
        now=NOW,
    )
    raw = (REVIEWS / "judgeme_webhook.json").read_bytes()
    assert _post(site, "/webhooks/judgeme", raw, _signed(raw)).status_code == 202
    # when the worker runs
    _work(site, reader)
    # then the bad one failed with the field named, and the good one was stored
    bad, good = _inbox(site)
    assert bad["status"] == "failed" and "not a rating from 1 to 5: 6" in bad["error"]
    assert "rating" in bad["error"]
    assert good["status"] == "done" and good["outcome"]["created"] == 1
    [row] = review_board(site.engine).rows
    assert (row.external_id, row.rating, row.demand) == ("41002", 1, True)


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
    assert review_board(site.engine).total == 0 and _inbox(site) == []


def test_other_trustpilot_events_are_answered_and_ignored(site: Site) -> None:
    event = {"eventName": "service-review-deleted", "version": "1", "eventData": {"id": "x"}}
    raw = json.dumps({"events": [event]}).encode()
    answer = _post(site, "/webhooks/trustpilot", raw, _basic(TRUSTPILOT_SECRET))
    assert answer.status_code == 200 and answer.json() == {"ignored": "service-review-deleted"}
    assert _inbox(site) == []


def test_a_trustpilot_delivery_keeps_only_the_review_events(
    site: Site, reader: EmbeddedReader
) -> None:
    document = json.loads((REVIEWS / "trustpilot_demand.json").read_bytes())
    deleted = {"eventName": "service-review-deleted", "version": "1", "eventData": {"id": "x"}}
    raw = json.dumps({"events": [*document["events"], deleted]}).encode()
    answer = _post(site, "/webhooks/trustpilot", raw, _basic(TRUSTPILOT_SECRET))
    assert answer.status_code == 202, answer.text
    _work(site, reader)
    [row] = _inbox(site)
    assert row["outcome"]["stored"] == 2 and review_board(site.engine).total == 2


@pytest.mark.parametrize(
    ("body", "status", "reason"),
    [
        ({"events": {"eventName": "service-review-created"}}, 400, "events: expected a list"),
        ({"events": [{"eventName": "service-review-created", "eventData": {}}]}, 422, "id"),
        (
            {"events": [{"eventName": "service-review-created", "eventData": {"id": "r1"}}]},
            422,
            "stars",
        ),
    ],
)
def test_a_malformed_trustpilot_delivery_is_4xx_naming_the_field_and_writes_nothing(
    site: Site, body: dict[str, Any], status: int, reason: str
) -> None:
    raw, events = json.dumps(body).encode(), _count(site, audit_events)
    answer = _post(site, "/webhooks/trustpilot", raw, _basic(TRUSTPILOT_SECRET))
    assert answer.status_code == status, answer.text
    assert reason in answer.json()["message"]
    assert _inbox(site) == [] and review_board(site.engine).total == 0
    assert _count(site, audit_events) == events


def test_a_judgeme_delivery_is_verified_stored_and_matched(
    site: Site, reader: EmbeddedReader
) -> None:
    raw = (REVIEWS / "judgeme_webhook.json").read_bytes()
    answer = _post(site, "/webhooks/judgeme", raw, _signed(raw))
    assert answer.status_code == 202 and answer.json()["duplicate"] is False
    _work(site, reader)
    assert _inbox(site)[0]["outcome"]["created"] == 1
    [row] = review_board(site.engine).rows
    assert (row.external_id, row.customer_email, row.rating) == (
        "41002",
        "erik.larsson@example.com",
        1,
    )
    assert row.demand is True
    replay = _post(site, "/webhooks/judgeme", raw, _signed(raw))
    assert replay.json() == answer.json() | {"duplicate": True}
    _work(site, reader)
    assert review_board(site.engine).total == 1 and len(_inbox(site)) == 1


def test_a_judgeme_delivery_with_a_bad_signature_is_refused(site: Site) -> None:
    raw = (REVIEWS / "judgeme_webhook.json").read_bytes()
    for headers in (_signed(raw, "another-secret"), _signed(raw + b" "), {}):
        refused = _post(site, "/webhooks/judgeme", raw, headers)
        assert refused.status_code == 401
    assert review_board(site.engine).total == 0 and _inbox(site) == []


def test_bad_judgeme_bodies_are_4xx_with_the_reason(site: Site) -> None:
    events = _count(site, audit_events)
    broken = b'{"event": "review/created", "review": {'
    answer = _post(site, "/webhooks/judgeme", broken, _signed(broken))
    assert answer.status_code == 400 and "malformed JSON" in answer.text
    document = json.loads((REVIEWS / "judgeme_webhook.json").read_text())
    document["review"]["rating"] = 6
    raw = json.dumps(document).encode()
    answer = _post(site, "/webhooks/judgeme", raw, _signed(raw))
    assert answer.status_code == 422
    assert "rating" in answer.text and "not a rating from 1 to 5: 6" in answer.text
    not_an_object = json.dumps({"event": "review/created", "review": [1]}).encode()
    answer = _post(site, "/webhooks/judgeme", not_an_object, _signed(not_an_object))
    assert answer.status_code == 400 and "review: expected a JSON object" in answer.text
    assert review_board(site.engine).total == 0 and _inbox(site) == []
    assert _count(site, audit_events) == events
    ignored = json.dumps({"event": "review/deleted", "review": {"id": 1}}).encode()
    assert _post(site, "/webhooks/judgeme", ignored, _signed(ignored)).json() == {
        "ignored": "review/deleted"
    }


def test_without_a_secret_set_nothing_is_taken(sqlite_url: str, reader: EmbeddedReader) -> None:
    raw = (REVIEWS / "judgeme_webhook.json").read_bytes()
    for site in serve_site(sqlite_url, reader):
        answer = _post(site, "/webhooks/judgeme", raw, _signed(raw))
        assert answer.status_code == 401 and "no judgeme webhook secret is set" in answer.text
