"""Public reviews: saved by (platform, id), matched to a customer by the reviewer's e-mail
or the order the review names; the figures the review page shows."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, RowMapping, func, insert, or_, select, update

from evenhand.domain.public_reviews import PublicReview
from evenhand.store.statements import chunked
from evenhand.store.tables import (
    customers,
    decisions,
    orders,
    public_reviews,
    review_posts,
    tickets,
)


@dataclass(slots=True)
class SavedReviews:
    created: int = 0
    updated: int = 0
    matched: int = 0
    unmatched: int = 0


def _customer_of(connection: Connection, review: PublicReview) -> int | None:
    """The reviewer's customer: by e-mail, else by the order the review names."""
    if review.reviewer_email:
        found: int | None = connection.execute(
            select(customers.c.id).where(customers.c.email == review.reviewer_email.lower())
        ).scalar()
        if found is not None:
            return found
    if review.order_ref:
        name = review.order_ref if review.order_ref.startswith("#") else f"#{review.order_ref}"
        by_order: int | None = connection.execute(
            select(orders.c.customer_id).where(orders.c.name == name)
        ).scalar()
        return by_order
    return None


def save_public_reviews(
    connection: Connection, batch: Sequence[PublicReview], *, now: datetime
) -> SavedReviews:
    result = SavedReviews()
    for review in batch:
        customer_id = _customer_of(connection, review)
        row = _row(review) | {"customer_id": customer_id, "imported_at": now}
        key = (public_reviews.c.platform == row["platform"]) & (
            public_reviews.c.external_id == row["external_id"]
        )
        stored = connection.execute(select(public_reviews.c.id).where(key)).scalar()
        if stored is None:
            connection.execute(insert(public_reviews).values(row))
            result.created += 1
        else:
            connection.execute(update(public_reviews).where(key).values(row | {"read_by": None}))
            result.updated += 1
        if customer_id is None:
            result.unmatched += 1
        else:
            result.matched += 1
    return result


def _row(review: PublicReview) -> dict[str, Any]:
    return {
        "platform": review.platform.value,
        "external_id": review.external_id,
        "rating": review.rating,
        "title": review.title,
        "text": review.text,
        "created_at": review.created_at,
        "reviewer": review.reviewer,
        "reviewer_email": review.reviewer_email,
        "order_ref": review.order_ref,
        "language": review.language,
    }


@dataclass(frozen=True, slots=True)
class ReviewRow:
    id: int
    platform: str
    external_id: str
    rating: int
    title: str | None
    text: str
    created_at: datetime
    reviewer: str | None
    order_ref: str | None
    customer_email: str | None
    reply_text: str | None
    replied_at: datetime | None
    read_language: str | None
    intent: str | None
    demand: bool

    @classmethod
    def of(cls, row: RowMapping) -> ReviewRow:
        return cls(**{name: row[name] for name in cls.__slots__})


def latest_reviews(connection: Connection, *, limit: int) -> list[ReviewRow]:
    statement = (
        select(public_reviews, customers.c.email.label("customer_email"))
        .outerjoin(customers, customers.c.id == public_reviews.c.customer_id)
        .order_by(public_reviews.c.created_at.desc(), public_reviews.c.id.desc())
        .limit(limit)
    )
    return [ReviewRow.of(row) for row in connection.execute(statement).mappings()]


def review_row(connection: Connection, review_id: int) -> dict[str, Any] | None:
    found = (
        connection.execute(
            select(
                public_reviews, customers.c.email.label("customer_email"), customers.c.first_name
            )
            .outerjoin(customers, customers.c.id == public_reviews.c.customer_id)
            .where(public_reviews.c.id == review_id)
        )
        .mappings()
        .first()
    )
    return dict(found) if found else None


def save_reply(connection: Connection, review_id: int, *, text: str, by: str, at: datetime) -> None:
    connection.execute(
        update(public_reviews)
        .where(public_reviews.c.id == review_id)
        .values(reply_text=text, replied_by=by, replied_at=at)
    )


def review_tally(connection: Connection) -> list[tuple[int, int, bool]]:
    """(rating, how many, replied) over every review."""
    replied = public_reviews.c.replied_at.is_not(None)
    statement = select(public_reviews.c.rating, func.count(), replied).group_by(
        public_reviews.c.rating, replied
    )
    return [(int(rating), int(n), bool(done)) for rating, n, done in connection.execute(statement)]


def emails_that_threatened_a_review(connection: Connection, emails: Sequence[str]) -> set[str]:
    """Of these addresses, the senders of tickets whose reading found a review threat (or a
    review for sale). Tickets keep their sender's address lower-cased; only the tickets of
    these senders are read (by the address's index), not every decision."""
    wanted = sorted({email.strip().lower() for email in emails if email})
    found: set[str] = set()
    for part in chunked(wanted):
        statement = (
            select(tickets.c.customer_email)
            .join(decisions, decisions.c.ticket_id == tickets.c.id)
            .where(
                tickets.c.customer_email.in_(part),
                or_(
                    decisions.c.threats.contains("review_threat"),
                    decisions.c.threats.contains("review_extortion"),
                ),
            )
            .distinct()
        )
        found.update(email for (email,) in connection.execute(statement))
    return found


def review_dates(connection: Connection) -> list[tuple[datetime, int]]:
    """(when written, rating) of every review."""
    statement = select(public_reviews.c.created_at, public_reviews.c.rating)
    return [(created_at, int(rating)) for created_at, rating in connection.execute(statement)]


def review_customers(connection: Connection) -> list[tuple[str | None, bool, bool]]:
    """(the matched customer's e-mail, tied to a demand, posted) of every review."""
    statement = (
        select(customers.c.email, public_reviews.c.demand, review_posts.c.state)
        .select_from(public_reviews)
        .outerjoin(customers, customers.c.id == public_reviews.c.customer_id)
        .outerjoin(review_posts, review_posts.c.review_id == public_reviews.c.id)
    )
    return [
        (email, bool(demand), state == "posted")
        for email, demand, state in connection.execute(statement)
    ]
