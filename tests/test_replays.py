"""Replays refused: a captured Shopify body sent again under a new event id (the header is
not signed) is counted, not stored; a Stripe signature stamped in the future is refused
like a stale one."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta

import pytest
from sqlalchemy import Engine

from evenhand.store.inbox import Accepted, accept_delivery
from evenhand.store.tables import inbox
from evenhand.understand.reader import EmbeddedReader
from tests.conftest import NOW
from tests.senders import fixture, post, stripe_headers
from tests.test_service import SECRETS, Live, live_service


@pytest.fixture
def live(sqlite_url: str, reader: EmbeddedReader) -> Iterator[Live]:
    yield from live_service(sqlite_url, reader)


def test_a_shopify_body_replayed_under_new_event_ids_is_stored_once(live: Live) -> None:
    # given a captured, signed orders/create body, sent five times with new event ids
    answers = [
        live.shopify("shopify_orders_create.json", "orders/create", event_id=f"forged-{n}")
        for n in range(5)
    ]
    # then each is answered 202, the replays as repeats, and one delivery is stored
    assert [a.status_code for a in answers] == [202] * 5
    assert [a.json()["duplicate"] for a in answers] == [False, True, True, True, True]
    assert {a.json()["delivery_id"] for a in answers} == {answers[0].json()["delivery_id"]}
    assert live.count(inbox) == 1


def test_the_same_body_under_another_topic_is_its_own_delivery(live: Live) -> None:
    live.shopify("shopify_orders_create.json", "orders/create", event_id="e-1")
    live.shopify("shopify_orders_create.json", "orders/updated", event_id="e-2")
    assert live.count(inbox) == 2


def test_with_the_window_at_zero_a_new_event_id_is_a_new_delivery(
    sqlite_url: str, reader: EmbeddedReader
) -> None:
    for live in live_service(sqlite_url, reader, shopify_replay_window_hours=0):
        live.shopify("shopify_orders_create.json", "orders/create", event_id="e-1")
        live.shopify("shopify_orders_create.json", "orders/create", event_id="e-2")
        assert live.count(inbox) == 2


@pytest.mark.parametrize(("age", "status"), [(-3600, 401), (-330, 401), (-60, 202), (330, 401)])
def test_a_stripe_stamp_beyond_the_tolerance_either_way_is_refused(
    live: Live, age: int, status: int
) -> None:
    # given a dispute event signed with a stamp `age` seconds old (negative: in the future;
    # 30 s past the tolerance, so that a slow machine between signing and checking cannot
    # bring it back within)
    body = fixture("stripe_charge_dispute_created.json")
    headers = stripe_headers(body, SECRETS["stripe_webhook_secret"], age_seconds=age)
    # then within the tolerance (300 s) it is stored, beyond it refused and nothing kept
    answer = post(live.base, "/webhooks/stripe", body, headers)
    assert answer.status_code == status
    assert live.count(inbox) == (1 if status == 202 else 0)


def test_the_inbox_matches_a_replay_within_the_window_only_on_each_backend(
    engine: Engine,
) -> None:
    def accept(key: str, at: datetime) -> Accepted:
        with engine.begin() as connection:
            return accept_delivery(
                connection,
                source="shopify",
                event_key=key,
                topic="orders/create",
                body="{}",
                now=at,
                body_sha256="ab" * 32,
                replay_since=at - timedelta(hours=48),
            )

    first = accept("orders/create:1", NOW)
    again = accept("orders/create:2", NOW + timedelta(hours=47))
    later = accept("orders/create:3", NOW + timedelta(hours=49))
    assert (again.delivery_id, again.duplicate) == (first.delivery_id, True)
    assert later.delivery_id != first.delivery_id and not later.duplicate
