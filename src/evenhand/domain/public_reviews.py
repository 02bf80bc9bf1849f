"""Customers' public reviews (Trustpilot, Google Business Profile, a product-review app),
and the one rule every public reply keeps: it never offers anything in exchange for
changing or removing a review (against the platforms' rules and EU and Swedish consumer
law on incentivised reviews)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from evenhand.domain.intents import SignalKind


class ReviewPlatform(StrEnum):
    TRUSTPILOT = "trustpilot"
    GOOGLE = "google"
    JUDGEME = "judgeme"


@dataclass(frozen=True, slots=True)
class PublicReview:
    platform: ReviewPlatform
    external_id: str
    rating: int  # 1 to 5 stars
    text: str
    created_at: datetime
    title: str | None = None
    reviewer: str | None = None  # the name the platform shows
    reviewer_email: str | None = None  # when the platform gives one (Judge.me)
    order_ref: str | None = None  # the order the review names (Trustpilot referenceId)
    language: str | None = None
    line: int | None = None


@dataclass(frozen=True, slots=True)
class ReviewReading:
    """What the reader found in a review: its language, what it is about (the tickets'
    intents) and its threat signals; a review for sale ("I'll change this to five stars
    if ...") is the `review_extortion` signal, the same one a ticket's threat shows."""

    language: str
    intent: str
    signals: tuple[str, ...]  # the signals' kinds, sorted
    reader: str

    @property
    def demand(self) -> bool:
        """Whether the review is tied to a demand (its rating offered for something)."""
        return SignalKind.REVIEW_EXTORTION.value in self.signals


# An offer tied to the review: something given if it is changed, removed or raised.
_REVIEW = r"(review|rating|stars?|omdöme|recension|betyg|stjärn\w*)"
_CHANGE = (
    r"(change|update|edit|remove|delete|take down|raise|improve|revise|ändra|uppdatera|"
    r"tar? bort|radera|höja)"
)
_GIVE = (
    r"(refund|discount|voucher|coupon|gift|free|credit|compensat\w*|money back|"
    r"återbetal\w*|rabatt\w*|presentkort|gratis|kompensation|ersättning)"
)
_OFFER_PATTERNS = (
    re.compile(rf"\b(if|once|when|om|när)\b[^.!?]*\b{_CHANGE}\w*\b[^.!?]*\b{_REVIEW}", re.I),
    re.compile(rf"\b{_GIVE}\b[^.!?]*\b(in exchange|in return|mot att|i utbyte)\b", re.I),
    re.compile(rf"\b{_CHANGE}\w*\b[^.!?]*\b{_REVIEW}\b[^.!?]*\b{_GIVE}", re.I),
    re.compile(rf"\b{_GIVE}\b[^.!?]*\b{_CHANGE}\w*\b[^.!?]*\b{_REVIEW}", re.I),
)


def review_offer(reply: str) -> str | None:
    """The sentence of a reply that offers something for changing or removing a review,
    or None: such a reply is refused."""
    for sentence in re.split(r"(?<=[.!?])\s+", reply):
        if any(pattern.search(sentence) for pattern in _OFFER_PATTERNS):
            return sentence.strip()
    return None


_SWEDISH_HINTS = re.compile(
    r"[åäö]|\b(och|inte|jag|det|är|för|med|har|men|den|ett|att|som|kom|vi|ni)\b", re.I
)


def reply_language(review: PublicReview) -> str:
    """The language a reply is written in: the platform's, else read from Swedish words."""
    if review.language in {"sv", "en"}:
        return review.language
    hints = len(_SWEDISH_HINTS.findall(f"{review.title or ''} {review.text}"))
    return "sv" if hints >= 2 else "en"


_REPLIES = {
    ("en", "low"): (
        "Hi{name}, thank you for telling us about this, and we are sorry it went wrong. "
        "We want to put it right: please write to our customer service, and we "
        "will look into it and tell you what we can do. Kind regards, {shop}"
    ),
    ("en", "mid"): (
        "Hi{name}, thank you for your review. We read every one and use it to do better; "
        "if something was not as it should be, our customer service is glad to help. "
        "Kind regards, {shop}"
    ),
    ("en", "high"): "Hi{name}, thank you for your kind words! We are glad you are happy. "
    "Kind regards, {shop}",
    ("sv", "low"): (
        "Hej{name}, tack för att du berättar, och förlåt att det blev fel. Vi vill rätta "
        "till det: skriv till vår kundtjänst, så tittar vi på det och återkommer om "
        "vad vi kan göra. Vänliga hälsningar, {shop}"
    ),
    ("sv", "mid"): (
        "Hej{name}, tack för ditt omdöme. Vi läser alla och använder dem för att bli "
        "bättre; var något inte som det skulle hjälper vår kundtjänst gärna till. "
        "Vänliga hälsningar, {shop}"
    ),
    ("sv", "high"): "Hej{name}, tack för de fina orden! Vad roligt att du är nöjd. "
    "Vänliga hälsningar, {shop}",
}


def draft_public_reply(review: PublicReview, *, shop: str) -> tuple[str, str]:
    """(language, a calm public reply): thanks, the problem taken seriously, the way to
    support; never the customer's value, a threat, anything offered for the review, nor
    anything the platform does not already show (the name is the one on the review)."""
    language = reply_language(review)
    band = "low" if review.rating <= 2 else "mid" if review.rating == 3 else "high"
    shown = (review.reviewer or "").split()
    name = f" {shown[0]}" if shown else ""
    return language, _REPLIES[(language, band)].format(name=name, shop=shop)
