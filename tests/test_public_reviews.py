"""Public reviews from fixture files in the platforms' documented formats (a Trustpilot
webhook body, a Judge.me reviews list, a Google Business Profile reviews list): stored,
matched to customers by e-mail or order reference, answered by a calm reply, and a reply
that offers anything for the review refused."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, select

from evenhand.actions.import_file import import_file
from evenhand.actions.public_reviews import (
    approve_reply,
    import_public_reviews,
    review_board,
    review_reply,
)
from evenhand.domain.public_reviews import review_offer
from evenhand.errors import EvenhandError, InputError
from evenhand.ingest.kinds import ImportKind
from evenhand.settings import Settings
from evenhand.store.tables import public_reviews
from tests.conftest import FIXTURES, NOW

REVIEWS = FIXTURES / "reviews"


@pytest.fixture
def shop(engine: Engine, settings: Settings) -> Engine:
    path = FIXTURES / "shopify" / "orders_export.csv"
    import_file(engine, kind=ImportKind.SHOPIFY_ORDERS, path=path, settings=settings, now=NOW)
    for name in ("trustpilot_webhook.json", "judgeme_reviews.json", "google_reviews.json"):
        import_public_reviews(engine, path=REVIEWS / name, now=NOW)
    return engine


def _by_id(engine: Engine) -> dict[str, dict[str, object]]:
    with engine.connect() as connection:
        rows = connection.execute(select(public_reviews)).mappings()
        return {row["external_id"]: dict(row) for row in rows}


def test_reviews_are_stored_and_matched(shop: Engine) -> None:
    board = review_board(shop)
    matched = {row.external_id: row.customer_email for row in board.rows}
    assert matched == {
        "66a1c0ffee0001": "anna.svensson@example.se",  # Trustpilot referenceId "#1004"
        "66a1c0ffee0002": None,  # no reference, no e-mail: left unmatched
        "41001": "erik.larsson@example.com",  # Judge.me reviewer's e-mail
        "g-777": None,  # Google gives neither
    }
    stored = _by_id(shop)
    assert (stored["66a1c0ffee0001"]["rating"], stored["66a1c0ffee0001"]["language"]) == (1, "sv")
    assert stored["g-777"]["rating"] == 2 and stored["g-777"]["reviewer"] == "Karin Berg"
    assert stored["41001"]["text"] == "Fin mugg men den kom med ett hack i kanten."
    assert board.by_rating == {1: 1, 2: 1, 3: 1, 5: 1}
    assert (board.total, board.replied) == (4, 0)


def test_importing_again_updates_and_adds_nothing(shop: Engine) -> None:
    again = import_public_reviews(shop, path=REVIEWS / "trustpilot_webhook.json", now=NOW)
    assert (again.created, again.updated, again.matched, again.unmatched) == (0, 2, 1, 1)
    assert len(_by_id(shop)) == 4


def test_a_bad_star_rating_names_the_file_line_and_field(shop: Engine) -> None:
    with pytest.raises(EvenhandError) as refused:
        import_public_reviews(shop, path=REVIEWS / "google_bad_star.json", now=NOW)
    assert refused.value.code is InputError.BAD_VALUE
    assert "google_bad_star.json, line 2, column 'starRating'" in str(refused.value)
    assert "SIX" in str(refused.value)
    assert len(_by_id(shop)) == 4


def test_the_calm_reply_is_in_the_review_s_language(shop: Engine) -> None:
    ids = {row.external_id: row.id for row in review_board(shop).rows}
    swedish = review_reply(shop, review_id=ids["66a1c0ffee0001"], shop="Nordhem")
    assert swedish.language == "sv"
    assert swedish.draft.startswith("Hej Anna, tack för att du berättar")
    assert "kundtjänst" in swedish.draft and review_offer(swedish.draft) is None
    judged = review_reply(shop, review_id=ids["41001"], shop="Nordhem")
    assert judged.language == "sv"  # Judge.me gives no language: read from the words
    english = review_reply(shop, review_id=ids["g-777"], shop="Nordhem")
    assert english.language == "en" and english.draft.startswith("Hi Karin, thank you")
    assert "#1004" not in swedish.draft  # nothing the platform does not show


@pytest.mark.parametrize(
    "offer",
    [
        "We will refund you in full if you update your review.",
        "Om du ändrar ditt omdöme får du ett presentkort.",
        "Remove the one-star rating and we'll send you a discount code.",
        "Here is a 20% discount in exchange for a new review.",
        "Vi ger dig 100 kr rabatt om du tar bort recensionen.",
    ],
)
def test_a_reply_that_offers_anything_for_the_review_is_refused(shop: Engine, offer: str) -> None:
    review_id = review_board(shop).rows[0].id
    with pytest.raises(EvenhandError) as refused:
        approve_reply(
            shop, review_id=review_id, text=f"Thank you. {offer}", by="agent@example.se", now=NOW
        )
    assert refused.value.code is InputError.BAD_VALUE and offer in refused.value.message
    assert review_board(shop).replied == 0


@pytest.mark.parametrize(
    "reply",
    [
        "Tack för ditt omdöme. Vi har återbetalat ordern och ber om ursäkt för förseningen.",
        "We're sorry the vase arrived broken; we have refunded it in full.",
        "Thank you for your review: we have changed our carrier for deliveries to the north.",
    ],
)
def test_a_calm_reply_is_kept(shop: Engine, reply: str) -> None:
    review_id = review_board(shop).rows[0].id
    approve_reply(shop, review_id=review_id, text=reply, by="agent@example.se", now=NOW)
    board = review_board(shop)
    assert board.replied == 1 and board.rows[0].reply_text == reply
