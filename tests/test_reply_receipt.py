"""Replies that are lawful: the return window runs from receipt (the delivery date, else
shipping plus the guide's transit days); tracking and "not received" replies say what
happens next instead of asking the customer to wait or to search."""

from __future__ import annotations

from dataclasses import replace

import pytest

from evenhand.actions.guide import default_guide_text
from evenhand.domain.facts import Facts
from evenhand.domain.guide import Guide
from evenhand.domain.intents import Intent
from evenhand.domain.ticket_facts import reply_context
from evenhand.ingest.guide_file import parse_guide

GUIDE = parse_guide(default_guide_text(), source="default.yaml")


def reply(
    name: str,
    *,
    language: str = "en",
    shipped: int | None,
    delivered: int | None = None,
    guide: Guide = GUIDE,
    status: str = "fulfilled",
) -> str:
    facts = Facts(
        intent=Intent.OTHER,
        fulfilment_status=status,
        days_since_order=(shipped or 0) + 1,
        days_since_fulfilment=shipped,
    )
    context = reply_context(
        facts,
        settings=guide.settings,
        first_name="Anna",
        order_name="#1001",
        days_since_delivery=delivered,
    )
    return guide.replies.render(name, language=language, context=context)


FOURTEEN_DAYS = replace(GUIDE, settings=replace(GUIDE.settings, return_window_days=14))


def test_the_window_runs_from_the_delivery_date_not_the_shipping_date() -> None:
    # given a 14-day window, goods shipped 14 days ago and delivered 4 days ago
    # (the support lead's case: the old reply said "0 dagar kvar")
    text = reply("standard_return", language="sv", shipped=14, delivered=4, guide=FOURTEEN_DAYS)
    assert "inom 14 dagar från att du tog emot den, så du har 10 dagar kvar" in text


def test_without_a_delivery_date_receipt_is_shipping_plus_the_transit_days() -> None:
    # given shipped 7 days ago, no delivery date, transit_days 3: received 4 days ago
    assert GUIDE.settings.transit_days == 3
    text = reply("standard_return", shipped=7, guide=FOURTEEN_DAYS)
    assert "within 14 days of receiving it, so you have 10 days left" in text


def test_goods_still_in_transit_have_their_whole_window_ahead() -> None:
    text = reply("standard_return", shipped=1, guide=FOURTEEN_DAYS)
    assert "within 14 days of receiving it." in text and "left" not in text


def test_no_packaging_condition_only_a_deduction_for_diminished_value() -> None:
    for language in ("en", "sv"):
        text = reply("standard_return", language=language, shipped=5).lower()
        assert "unused" not in text and "förpackning" not in text and "oanvänd" not in text
    assert "deduct for the loss in value" in reply("standard_return", shipped=5)
    assert "avdrag för värdeminskningen" in reply("standard_return", language="sv", shipped=5)


def test_the_window_closes_only_after_it_has_run_from_receipt() -> None:
    # shipped 40 days ago, delivered 20 days ago: 10 days left of 30, not "outside"
    assert "10 days left" in reply("standard_return", shipped=40, delivered=20)
    assert "return period has ended" in reply("standard_return", shipped=40, delivered=35)


@pytest.mark.parametrize(
    ("shipped", "delivered", "says", "never"),
    [
        (0, None, "left our warehouse today", "0 days ago"),
        (1, None, "left our warehouse yesterday", "1 days"),
        (2, None, "2 days ago, and delivery usually takes up to 3 working days", "investigation"),
        (6, None, "taking longer than usual", "investigation"),
        (10, None, "We will open an investigation with the carrier", "5 working days"),
        (62, None, "get back to you within five working days", "If it has not arrived"),
        (5, 2, "was delivered 2 days ago", "left our warehouse"),
    ],
)
def test_a_tracking_reply_fits_how_long_ago_the_parcel_shipped(
    shipped: int, delivered: int | None, says: str, never: str
) -> None:
    text = reply("send_tracking_status", shipped=shipped, delivered=delivered)
    assert says in text and never not in text, text


def test_a_late_parcel_in_swedish_gets_an_investigation_too() -> None:
    text = reply("send_tracking_status", language="sv", shipped=62)
    assert "Vi startar en utredning hos transportören" in text and "dag(ar)" not in text


@pytest.mark.parametrize("language", ["en", "sv"])
def test_not_received_opens_an_investigation_and_keeps_the_burden_with_the_shop(
    language: str,
) -> None:
    text = reply("carrier_investigation", language=language, shipped=5, delivered=2)
    will = {"en": "we will open an investigation", "sv": "vi startar en utredning"}[language]
    then = {"en": "within five working days", "sv": "inom fem arbetsdagar"}[language]
    assert will in text.lower() and then in text
    # never "check with your neighbours" as the customer's task, never "we have opened"
    assert "please check" not in text.lower() and "kolla gärna" not in text.lower()
    assert "we have" not in text.lower() and "vi har öppnat" not in text.lower()
