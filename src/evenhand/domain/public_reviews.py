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
