"""The argument drafted per reason code and the desk's urgency marks (pure domain)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from evenhand.domain.disputes import (
    ARGUED_REASONS,
    CaseFacts,
    Urgency,
    cancellation_policy,
    draft_argument,
    refund_policy,
    urgency,
)
from evenhand.domain.guide import GuideSettings, ReturnShipping

FACTS = CaseFacts(
    order_name="#1004",
    placed_on="2026-11-03",
    shipped_on="2026-11-04",
    fulfillment_status="fulfilled",
    refunded=None,
    amount="548.00 SEK",
    undisputed_orders=2,
    tickets=0,
)
# What each reason's argument must say, given FACTS.
SAYS = {
    "product_not_received": "The order was shipped on 2026-11-04; the carrier and tracking",
    "product_unacceptable": "did not tell the shop of any fault before disputing",
    "unrecognized": "with the customer's own name and e-mail address",
    "fraudulent": "authorised by the card holder",
    "subscription_canceled": "The shop's subscription and cancellation terms are attached.",
    "duplicate": "This is a single charge for #1004",
    "credit_not_processed": "no return of these goods on record",
}


def test_each_reason_the_desk_argues_has_its_own_argument() -> None:
    assert set(SAYS) == ARGUED_REASONS
    drafted = {reason: draft_argument(reason, FACTS) for reason in SAYS}
    for reason, words in SAYS.items():
        text = drafted[reason]
        assert text.startswith("The customer disputes 548.00 SEK for #1004, placed on 2026-11-03.")
        assert words in text, reason
        assert text.endswith("2 other orders with the shop without disputing them.")
    assert len(set(drafted.values())) == len(drafted)


@pytest.mark.parametrize(
    ("changes", "reason", "words"),
    [
        ({"tickets": 2}, "product_not_received", "The customer's messages and the shop's answers"),
        ({"tickets": 1}, "subscription_canceled", "so are the customer's messages to the shop"),
        (
            {"mentions_fault": True},
            "product_unacceptable",
            "offered a replacement or a full refund",
        ),
        ({"refunded": "249.00 SEK"}, "credit_not_processed", "has refunded 249.00 SEK"),
        ({"shipped_on": None, "fulfillment_status": None}, "fraudulent", "hold no shipment"),
        ({"undisputed_orders": 0}, "general", "The order's records and the customer's messages"),
    ],
)
def test_the_argument_follows_the_records(
    changes: dict[str, object], reason: str, words: str
) -> None:
    text = draft_argument(reason, replace(FACTS, **changes))  # type: ignore[arg-type]
    assert words in text
    if changes.get("undisputed_orders") == 0:
        assert "other order" not in text


def test_policies_follow_the_guide() -> None:
    guide = GuideSettings(return_window_days=45, return_shipping=ReturnShipping.SHOP)
    assert "within 45 days of receipt" in refund_policy(guide)
    assert "The shop pays the return shipping" in refund_policy(guide)
    assert "within 45 days of receipt" in cancellation_policy(guide)
    # what the bank reads holds no condition the law does not allow, nor an unchecked promise
    for words in (refund_policy(guide), cancellation_policy(guide)):
        assert not {"unused", "unopened", "packaging", "reminder"} & set(words.split())


def test_urgency_marks() -> None:
    now = datetime(2026, 11, 24, 12, tzinfo=UTC)
    soon = timedelta(days=3)
    assert urgency(None, now=now, soon=soon) is Urgency.NO_DATE
    assert urgency(now - timedelta(seconds=1), now=now, soon=soon) is Urgency.OVERDUE
    assert urgency(now + timedelta(days=3), now=now, soon=soon) is Urgency.DUE_SOON
    assert urgency(now + timedelta(days=3, seconds=1), now=now, soon=soon) is Urgency.OPEN
    # under review, the evidence is with the bank: nothing is due from the shop
    past = now - timedelta(days=9)
    assert urgency(past, now=now, soon=soon, status="under_review") is Urgency.WITH_BANK
    assert urgency(past, now=now, soon=soon, status="warning_needs_response") is Urgency.OVERDUE
    assert urgency(past, now=now, soon=soon, status="won") is Urgency.CLOSED
