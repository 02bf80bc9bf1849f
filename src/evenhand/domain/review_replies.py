"""Public replies to reviews from the guide's templates (`review_replies:`), one per rating
band (`low` 1-2 stars, `mid` 3, `high` 4-5) and, optionally, per intent (what a review of
three stars or fewer is about, the tickets' taxonomy), each in Swedish and English.

A template runs in the same sandbox as a ticket's reply and sees only what the platform
already shows: the shop's name, the reviewer's first name as shown, and the rating. The
customer's value, tier and threats are not in its context. At load, every template is
rendered for every rating, with and without a name, and refused if what it says offers
anything for changing or removing a review (`review_offer`) or speaks of threats, value
or tier.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache

from jinja2 import Template

from evenhand.domain.intents import Intent
from evenhand.domain.public_reviews import PublicReview, review_offer
from evenhand.domain.public_reviews import reply_language as review_language
from evenhand.domain.replies import (
    compile_template,
    reply_language,
    short_reason,
    tidy,
)
from evenhand.domain.reply_sandbox import generate_bounded

REVIEW_VARIABLES = frozenset({"shop_name", "first_name", "rating"})
BANDS = ("low", "mid", "high")
REVIEW_REPLY_KEYS = frozenset(BANDS) | frozenset(intent.value for intent in Intent)

# What a public reply never speaks of: a threat, or what the customer is worth to the shop.
_NEVER_SAID = {
    "en": re.compile(
        r"\b(threat\w*|blackmail\w*|extort\w*|vip|tier|lifetime value|customer value|"
        r"valuable customer|ltv)\b",
        re.I,
    ),
    "sv": re.compile(
        r"\b(hot(et|en|ade|ar|a)?|utpress\w*|vip|kundvärde\w*|livstidsvärde\w*|ltv|"
        r"värdefull kund)\b",
        re.I,
    ),
}


def band(rating: int) -> str:
    return "low" if rating <= 2 else "mid" if rating == 3 else "high"


@dataclass(frozen=True, slots=True)
class ReviewReplyBook:
    """Compiled review reply templates by key (a band or an intent), then language."""

    templates: dict[str, dict[str, Template]]
    sources: dict[str, dict[str, str]] = field(default_factory=dict)

    def key_for(self, rating: int, intent: str | None) -> str:
        """The intent's template for a review of three stars or fewer, else the band's."""
        if rating <= 3 and intent and intent in self.templates:
            return intent
        return band(rating)

    def render(
        self, key: str, *, language: str, shop_name: str, first_name: str | None, rating: int
    ) -> str:
        """The reply; raises ReviewReplyError naming the template, never anything else."""
        language = reply_language(language)
        template = self.templates[key][language]
        variables = {"shop_name": shop_name, "first_name": first_name, "rating": rating}
        try:
            return tidy(generate_bounded(template.generate(**variables)))
        except Exception as error:
            raise ReviewReplyError(key, language, short_reason(error)) from None


class ReviewReplyError(Exception):
    def __init__(self, key: str, language: str, reason: str) -> None:
        super().__init__(f"review reply {key} ({language}): {reason}")
        self.key = key
        self.language = language
        self.reason = reason


def check_review_replies(book: ReviewReplyBook, *, shop_name: str) -> list[ReviewReplyError]:
    """Every template rendered for every rating, with and without a name: one finding per
    template and language that does not render, offers something for the review, or
    speaks of threats, value or tier."""
    findings: dict[tuple[str, str], ReviewReplyError] = {}
    for key, language, reason in _findings(book, shop_name):
        findings.setdefault((key, language), ReviewReplyError(key, language, reason))
    return list(findings.values())


def _findings(book: ReviewReplyBook, shop_name: str) -> Iterator[tuple[str, str, str]]:
    for key in sorted(book.templates):
        for language in sorted(book.templates[key]):
            for rating in range(1, 6):
                for name in (None, "Anna"):
                    try:
                        text = book.render(
                            key,
                            language=language,
                            shop_name=shop_name,
                            first_name=name,
                            rating=rating,
                        )
                    except ReviewReplyError as failed:
                        yield key, language, f"does not render: {failed.reason}"
                        continue
                    reason = _what_is_wrong(text, language)
                    if reason:
                        yield key, language, f"{reason} ({rating} stars)"


def _what_is_wrong(text: str, language: str) -> str | None:
    offer = review_offer(text)
    if offer:
        return (
            f"offers something for changing or removing the review ({offer!r}); a public "
            "reply never does (the platforms' rules, consumer law on incentivised reviews)"
        )
    said = _NEVER_SAID[language].search(text)
    if said:
        return f"speaks of {said.group(0)!r}: a public reply never mentions threats, value or tier"
    return None


def compile_review_reply(source: str) -> Template:
    return compile_template(source, variables=REVIEW_VARIABLES)


_HI = {
    "en": "Hi{% if first_name %} {{ first_name }}{% endif %}, ",
    "sv": "Hej{% if first_name %} {{ first_name }}{% endif %}, ",
}
_BYE = {"en": " Kind regards, {{ shop_name }}", "sv": " Vänliga hälsningar, {{ shop_name }}"}
DEFAULT_REVIEW_REPLIES: dict[str, dict[str, str]] = {
    "low": {
        "en": "thank you for telling us about this, and we are sorry it went wrong. We want to "
        "put it right: please write to our customer service, and we will look into it and "
        "tell you what we can do.",
        "sv": "tack för att du berättar, och förlåt att det blev fel. Vi vill rätta till det: "
        "skriv till vår kundtjänst, så tittar vi på det och återkommer om vad vi kan göra.",
    },
    "mid": {
        "en": "thank you for your review. We read every one and use it to do better; if "
        "something was not as it should be, our customer service is glad to help.",
        "sv": "tack för ditt omdöme. Vi läser alla och använder dem för att bli bättre; var "
        "något inte som det skulle hjälper vår kundtjänst gärna till.",
    },
    "high": {
        "en": "thank you for your kind words! We are glad you are happy.",
        "sv": "tack för de fina orden! Vad roligt att du är nöjd.",
    },
}


@cache
def default_review_book() -> ReviewReplyBook:
    """The built-in templates, for a guide without `review_replies:` (compiled once)."""
    sources = {
        key: {lang: _HI[lang] + text + _BYE[lang] for lang, text in texts.items()}
        for key, texts in DEFAULT_REVIEW_REPLIES.items()
    }
    templates = {
        key: {lang: compile_review_reply(source) for lang, source in texts.items()}
        for key, texts in sources.items()
    }
    return ReviewReplyBook(templates, sources)


def draft_review_reply(
    review: PublicReview, book: ReviewReplyBook, *, shop: str, intent: str | None = None
) -> tuple[str, str]:
    """(language, a calm public reply) from the guide's templates: thanks, the problem
    taken seriously, the way to support; the name is the one the platform shows."""
    language = review_language(review)
    shown = (review.reviewer or "").split()
    key = book.key_for(review.rating, intent)
    text = book.render(
        key,
        language=language,
        shop_name=shop,
        first_name=shown[0] if shown else None,
        rating=review.rating,
    )
    return language, text
