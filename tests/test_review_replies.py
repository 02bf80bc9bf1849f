"""The guide's public replies to reviews: per rating band and intent, in Swedish and
English, rendered in the replies' sandbox, and checked at load: a template that offers
anything for changing or removing a review, or speaks of threats, value or tier, is
refused with its line; a template may not even ask for the customer's value or tier."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from evenhand.actions.guide import default_guide_text
from evenhand.domain.public_reviews import PublicReview, ReviewPlatform
from evenhand.domain.review_replies import draft_review_reply
from evenhand.ingest.guide_file import parse_guide
from evenhand.ingest.guide_problems import GuideRefusedError

DEFAULT = default_guide_text()
LOW_EN = (
    "Hi{% if first_name %} {{ first_name }}{% endif %}, thank you for telling us about this, "
    "and we are sorry it went wrong."
)


def _review(rating: int, language: str, reviewer: str | None = "Anna Svensson") -> PublicReview:
    return PublicReview(
        platform=ReviewPlatform.TRUSTPILOT,
        external_id="r1",
        rating=rating,
        text="...",
        created_at=datetime(2026, 11, 15, tzinfo=UTC),
        reviewer=reviewer,
        language=language,
    )


def _with_low_en(template: str) -> str:
    """The default guide with the low band's English template replaced."""
    start = DEFAULT.index("review_replies:\n  low:\n    en: |\n") + len(
        "review_replies:\n  low:\n    en: |\n"
    )
    end = DEFAULT.index("\n", start)
    return DEFAULT[:start] + "      " + template + DEFAULT[end:]


def _refusal(text: str) -> GuideRefusedError:
    with pytest.raises(GuideRefusedError) as refused:
        parse_guide(text, source="guide.yaml")
    return refused.value


def test_the_default_guide_drafts_per_band_intent_and_language() -> None:
    book = parse_guide(DEFAULT, source="default.yaml").review_replies
    language, low = draft_review_reply(_review(1, "sv"), book, shop="Nordhem")
    assert language == "sv" and low.startswith("Hej Anna, tack för att du berättar")
    assert low.endswith("Vänliga hälsningar, Nordhem")
    _, damaged = draft_review_reply(_review(2, "en"), book, shop="Nordhem", intent="damaged_item")
    assert damaged.startswith("Hi Anna, we are sorry your order arrived damaged.")
    # A five-star review about a damaged item (fixed since) is thanked, not apologised to
    _, high = draft_review_reply(_review(5, "en"), book, shop="Nordhem", intent="damaged_item")
    assert high.startswith("Hi Anna, thank you for your kind words! We are glad you are happy.")
    _, anonymous = draft_review_reply(_review(3, "en", reviewer=None), book, shop="Nordhem")
    assert anonymous.startswith("Hi, thank you for your review.")


@pytest.mark.parametrize(
    "offer",
    [
        "We will refund you in full if you update your review.",
        "Here is a 20% discount in exchange for a new review.",
        "{% if rating < 3 %}Remove the one-star rating and we'll send you a discount code."
        "{% endif %}",
    ],
)
def test_a_template_offering_anything_for_the_review_is_refused(offer: str) -> None:
    refused = _refusal(_with_low_en(f"{LOW_EN} {offer}"))
    [problem] = refused.problems
    assert problem.field == "review_replies.low.en"
    assert "offers something for changing or removing the review" in problem.reason
    assert (
        problem.line == DEFAULT[: DEFAULT.index("review_replies:")].count("\n") + 4
    )  # the template's first line


def test_a_template_speaking_of_threats_or_value_is_refused() -> None:
    refused = _refusal(_with_low_en(f"{LOW_EN} We do not respond to threats."))
    assert "never mentions threats, value or tier" in refused.problems[0].reason


def test_a_template_may_not_ask_for_the_customer_s_value() -> None:
    refused = _refusal(_with_low_en(f"{LOW_EN} {{{{ ltv }}}} {{{{ tier }}}}"))
    assert "uses ltv, tier, which a reply may not know" in refused.problems[0].reason
    assert "first_name, rating, shop_name" in refused.problems[0].reason


def test_a_band_missing_or_an_unknown_key_is_refused() -> None:
    text = DEFAULT.replace("review_replies:\n  low:", "review_replies:\n  lowest:")
    fields = {problem.field for problem in _refusal(text).problems}
    assert fields == {"review_replies.lowest", "review_replies.low"}


def test_a_guide_without_review_replies_keeps_the_built_in_ones() -> None:
    text = DEFAULT[: DEFAULT.index("\n# Public replies to reviews")] + "\n"
    book = parse_guide(text, source="guide.yaml").review_replies
    _, low = draft_review_reply(_review(1, "en"), book, shop="Nordhem")
    assert low.startswith("Hi Anna, thank you for telling us about this")
