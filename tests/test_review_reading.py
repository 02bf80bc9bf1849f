"""Public reviews read by the tickets' reader: language, intent, threat signals, and a
review tied to a demand ("I'll change this to five stars if ...") found by the same
`review_extortion` signal as in tickets; linked to the reviewer's tickets and their threats."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine

from evenhand.actions.guide import load_guide
from evenhand.actions.import_file import import_file
from evenhand.actions.public_reviews import import_public_reviews, review_board, review_reply
from evenhand.actions.triage import triage_tickets
from evenhand.ingest.kinds import ImportKind
from evenhand.ingest.tickets import read_tickets
from evenhand.settings import Settings
from evenhand.store.public_reviews import ReviewRow
from evenhand.understand.reader import EmbeddedReader
from tests.conftest import FIXTURES, NOW

REVIEWS = FIXTURES / "reviews"


@pytest.fixture
def shop(engine: Engine, settings: Settings, reader: EmbeddedReader) -> Engine:
    path = FIXTURES / "shopify" / "orders_export.csv"
    import_file(engine, kind=ImportKind.SHOPIFY_ORDERS, path=path, settings=settings, now=NOW)
    triage_tickets(
        engine,
        records=read_tickets(FIXTURES / "tickets" / "review_threat.jsonl"),
        guide=load_guide(settings),
        reader=reader,
        settings=settings,
        now=NOW,
    )
    for name in ("trustpilot_demand.json", "trustpilot_webhook.json", "judgeme_reviews.json"):
        import_public_reviews(engine, path=REVIEWS / name, now=NOW, reader=reader)
    return engine


def _rows(engine: Engine) -> dict[str, ReviewRow]:
    return {row.external_id: row for row in review_board(engine).rows}


def test_each_review_is_read_for_language_intent_and_a_demand(shop: Engine) -> None:
    rows = _rows(shop)
    demand_sv, demand_en = rows["66a1c0ffee0101"], rows["66a1c0ffee0102"]
    assert (demand_sv.read_language, demand_sv.intent, demand_sv.demand) == (
        "sv",
        "damaged_item",
        True,
    )
    assert (demand_en.read_language, demand_en.demand) == ("en", True)
    calm = rows["66a1c0ffee0002"]  # "Quick and friendly, the towels are lovely."
    assert (calm.read_language, calm.demand) == ("en", False)
    complaint = rows["41001"]  # Judge.me: "Fin mugg men den kom med ett hack i kanten."
    assert (complaint.read_language, complaint.demand) == ("sv", False)


def test_the_review_links_the_customer_s_tickets_and_their_threats(shop: Engine) -> None:
    rows = _rows(shop)
    reply = review_reply(shop, review_id=rows["66a1c0ffee0101"].id, shop="Nordhem")
    assert reply.review["signals"] == "review_extortion"
    # (the ticket's "Om jag inte får pengarna tillbaka i dag skriver jag en recension med ett
    # stjärna" threatens a bad review; it offers none for a price)
    assert [(t.subject, t.threats) for t in reply.tickets] == [("Trasig kudde", ("review_threat",))]
    unmatched = review_reply(shop, review_id=rows["66a1c0ffee0102"].id, shop="Nordhem")
    assert unmatched.tickets == []
    # The draft answers the problem and never mentions the demand or the threat
    assert "stjärn" not in reply.draft and "hot" not in reply.draft.lower()


def test_an_edited_review_is_read_again(shop: Engine, reader: EmbeddedReader) -> None:
    edited = REVIEWS / "trustpilot_demand.json"
    again = import_public_reviews(shop, path=edited, now=NOW, reader=reader)
    assert again.updated == 2
    assert _rows(shop)["66a1c0ffee0101"].demand is True


def test_the_board_counts_reviews_from_threateners_and_demands(shop: Engine) -> None:
    board = review_board(shop)
    # Anna threatened a review in her ticket; both her reviews name her order #1004
    assert board.from_threateners == 2
    assert board.demands == 2 and board.total == 5
