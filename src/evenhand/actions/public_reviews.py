"""Customers' public reviews: imported from the platforms' files, matched to customers,
listed with their figures, and answered by a calm public reply an agent approves; a reply
that offers anything for changing or removing a review is refused."""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine

from evenhand.actions.review_reading import read_reviews
from evenhand.domain.public_reviews import (
    PublicReview,
    ReviewPlatform,
    review_offer,
)
from evenhand.domain.review_replies import (
    ReviewReplyBook,
    ReviewReplyError,
    default_review_book,
    draft_review_reply,
)
from evenhand.errors import EvenhandError, InputError, LookupFailure
from evenhand.ingest.batch import Parsed, Rejection
from evenhand.ingest.public_reviews import read_public_reviews
from evenhand.store.audit import record_event
from evenhand.store.database import ensure_current
from evenhand.store.public_reviews import (
    ReviewRow,
    emails_that_threatened_a_review,
    latest_reviews,
    review_customers,
    review_dates,
    review_row,
    review_tally,
    save_public_reviews,
    save_reply,
)
from evenhand.store.review_readings import TicketLink, tickets_of
from evenhand.understand.model import Reader

logger = logging.getLogger(__name__)

REVIEW_PAGE_LENGTH = 200
REPLY_LIMIT = 4000  # characters; the platforms' own limits are higher


@dataclass(frozen=True, slots=True)
class ReviewImport:
    path: Path
    records: int
    created: int
    updated: int
    matched: int
    unmatched: int
    rejections: list[Rejection] = field(default_factory=list)


def import_public_reviews(
    engine: Engine,
    *,
    path: Path,
    now: datetime,
    skip_invalid: bool = False,
    reader: Reader | None = None,
) -> ReviewImport:
    """The file's reviews, stored in one transaction (or none) and matched to customers;
    with a reader, the new and edited ones are read after (language, intent, signals)."""
    ensure_current(engine)
    parsed = read_public_reviews(path, skip_invalid=skip_invalid)
    with engine.begin() as connection:
        saved = save_public_reviews(connection, parsed.records, now=now)
        record_event(
            connection,
            at=now,
            action="reviews imported",
            subject=path.name,
            details={"created": saved.created, "updated": saved.updated, "matched": saved.matched},
        )
    if reader is not None:
        read_reviews(engine, reader)
    return ReviewImport(
        path,
        len(parsed.records),
        saved.created,
        saved.updated,
        saved.matched,
        saved.unmatched,
        parsed.rejections,
    )


def store_received_reviews(
    connection: Connection, parsed: Parsed[PublicReview], *, platform: str, now: datetime
) -> dict[str, Any]:
    """A webhook delivery's reviews (checked at the edge, taken from the inbox by the
    worker), stored like a file's: by platform and id (a replayed delivery updates, never
    adds), in the delivery's own transaction; its outcome names them (`platform:id`, for
    erasure). They are read after it (`review_reading.read_reviews`)."""
    saved = save_public_reviews(connection, parsed.records, now=now)
    counts = {"created": saved.created, "updated": saved.updated, "matched": saved.matched}
    record_event(
        connection, at=now, action="reviews received", subject=f"{platform} webhook", details=counts
    )
    # Which reviews it brought, so erasing a reviewer erases the delivery too.
    keys = [f"{review.platform.value}:{review.external_id}" for review in parsed.records]
    return {"stored": len(parsed.records)} | counts | {"reviews": keys}


@dataclass(frozen=True, slots=True)
class ReviewBoard:
    rows: list[ReviewRow]
    by_rating: Counter[int]
    replied: int
    total: int
    threatened: set[int]  # ids of the rows whose customer had threatened a review
    by_week: dict[date, Counter[int]]  # the Monday of each week -> its ratings
    from_threateners: int = 0  # reviews (all, not only those shown) by such customers
    demands: int = 0  # reviews tied to a demand ("five stars if ...")
    posted: int = 0  # replies posted through a platform's API

    @property
    def replied_share(self) -> float:
        return self.replied / self.total if self.total else 0.0


def review_board(engine: Engine) -> ReviewBoard:
    with engine.connect() as connection:
        rows = latest_reviews(connection, limit=REVIEW_PAGE_LENGTH)
        tally = review_tally(connection)
        threatening = emails_that_threatened_a_review(
            connection, [row.customer_email for row in rows if row.customer_email]
        )
        dates = review_dates(connection)
        everyone = review_customers(connection)
    by_week: dict[date, Counter[int]] = {}
    for written, rating in dates:
        monday = written.date() - timedelta(days=written.weekday())
        by_week.setdefault(monday, Counter())[rating] += 1
    by_rating: Counter[int] = Counter()
    for rating, n, _ in tally:
        by_rating[rating] += n
    return ReviewBoard(
        rows=rows,
        by_rating=by_rating,
        replied=sum(n for _, n, replied in tally if replied),
        total=sum(by_rating.values()),
        threatened={row.id for row in rows if (row.customer_email or "").lower() in threatening},
        by_week=dict(sorted(by_week.items())),
        from_threateners=sum((email or "").lower() in threatening for email, _, _ in everyone),
        demands=sum(demand for _, demand, _ in everyone),
        posted=sum(posted for _, _, posted in everyone),
    )


@dataclass(frozen=True, slots=True)
class ReviewReply:
    review: dict[str, object]
    language: str
    draft: str  # the reply as approved, else the calm draft
    tickets: list[TicketLink] = field(default_factory=list)  # the reviewer's, newest first


def review_reply(
    engine: Engine, *, review_id: int, shop: str, book: ReviewReplyBook | None = None
) -> ReviewReply:
    """The review, its reading and the reviewer's tickets, and the reply: as approved,
    else drafted from the guide's review templates (`book`; the built-in ones without)."""
    with engine.connect() as connection:
        row = review_row(connection, review_id)
        if row is None:
            raise EvenhandError(LookupFailure.REVIEW_NOT_FOUND, f"no review {review_id}")
        linked = tickets_of(connection, row["customer_email"] or row["reviewer_email"])
    review = PublicReview(
        platform=ReviewPlatform(row["platform"]),
        external_id=row["external_id"],
        rating=row["rating"],
        text=row["text"],
        created_at=row["created_at"],
        title=row["title"],
        reviewer=row["reviewer"],
        language=row["language"] or row["read_language"],
    )
    language, drafted = _drafted(review, book, shop=shop, intent=row["intent"])
    return ReviewReply(row, language, row["reply_text"] or drafted, linked)


def _drafted(
    review: PublicReview, book: ReviewReplyBook | None, *, shop: str, intent: str | None
) -> tuple[str, str]:
    """The guide's draft; the built-in one if the guide's fails at render time (it was
    checked over every rating when adopted, so only a bug gets here)."""
    try:
        return draft_review_reply(review, book or default_review_book(), shop=shop, intent=intent)
    except ReviewReplyError as failed:
        logger.warning("review reply draft failed: %s", failed)
        return draft_review_reply(review, default_review_book(), shop=shop, intent=intent)


def approve_reply(engine: Engine, *, review_id: int, text: str, by: str, now: datetime) -> None:
    """Keep the reply an agent approved; one that offers anything for changing or
    removing the review is refused, naming the sentence."""
    reply = text.replace("\r\n", "\n").strip()
    if not reply:
        raise EvenhandError(InputError.MISSING_VALUE, "reply: a reply needs some text")
    if len(reply) > REPLY_LIMIT:
        raise EvenhandError(InputError.BAD_VALUE, f"reply: longer than {REPLY_LIMIT} characters")
    offer = review_offer(reply)
    if offer:
        raise EvenhandError(
            InputError.BAD_VALUE,
            f"reply: it offers something for the review ({offer!r}); a public reply never "
            "does: it is against the platforms' rules and consumer law on incentivised reviews",
        )
    with engine.begin() as connection:
        if review_row(connection, review_id) is None:
            raise EvenhandError(LookupFailure.REVIEW_NOT_FOUND, f"no review {review_id}")
        save_reply(connection, review_id, text=reply, by=by, at=now)
        record_event(
            connection,
            at=now,
            action="review reply approved",
            subject=str(review_id),
            details={"by": by},
        )
