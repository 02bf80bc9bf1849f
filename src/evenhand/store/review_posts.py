"""Each public reply's post to its platform: one row per review, claimed before the
request goes out and settled after, so a retry (a second click, a second worker) never
posts a reply twice."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, insert, select, update
from sqlalchemy.exc import IntegrityError

from evenhand.store.tables import review_posts

POSTING, POSTED, FAILED, COPY = "posting", "posted", "failed", "copy"


@dataclass(frozen=True, slots=True)
class ReviewPost:
    review_id: int
    platform: str
    state: str
    text: str
    attempts: int
    detail: str | None
    posted_by: str | None
    updated_at: datetime


def review_post(connection: Connection, review_id: int) -> ReviewPost | None:
    row = (
        connection.execute(select(review_posts).where(review_posts.c.review_id == review_id))
        .mappings()
        .first()
    )
    return ReviewPost(**dict(row)) if row else None


def claim_post(
    connection: Connection,
    review_id: int,
    *,
    platform: str,
    text: str,
    by: str,
    at: datetime,
    stale_before: datetime,
) -> ReviewPost | None:
    """Mark the reply as being posted (one more attempt) and return the claim; None when
    there is nothing to post: it is posted already, or another request is posting it now
    (a claim newer than `stale_before`). The update is conditional, so of two requests at
    once only one claims."""
    values = {
        "platform": platform,
        "state": POSTING,
        "text": text,
        "posted_by": by,
        "updated_at": at,
        "detail": None,
    }
    if review_post(connection, review_id) is None:
        try:
            with connection.begin_nested():
                connection.execute(
                    insert(review_posts).values(review_id=review_id, attempts=1, **values)
                )
        except IntegrityError:
            return None  # another request claimed it first
        return review_post(connection, review_id)
    free = (review_posts.c.state.not_in((POSTED, POSTING))) | (
        (review_posts.c.state == POSTING) & (review_posts.c.updated_at < stale_before)
    )
    claimed = connection.execute(
        update(review_posts)
        .where(review_posts.c.review_id == review_id, free)
        .values(attempts=review_posts.c.attempts + 1, **values)
    )
    return review_post(connection, review_id) if claimed.rowcount == 1 else None


def settle_post(
    connection: Connection, review_id: int, *, state: str, detail: str, at: datetime
) -> None:
    connection.execute(
        update(review_posts)
        .where(review_posts.c.review_id == review_id)
        .values(state=state, detail=detail, updated_at=at)
    )


def record_copy(
    connection: Connection, review_id: int, *, platform: str, text: str, by: str, at: datetime
) -> None:
    """No reply API (or no credentials) for the platform: the agent copies the reply."""
    found = review_post(connection, review_id)
    values = {
        "platform": platform,
        "state": COPY,
        "text": text,
        "posted_by": by,
        "updated_at": at,
        "detail": "no reply API configured: copy the reply to the platform",
    }
    if found is None:
        connection.execute(insert(review_posts).values(review_id=review_id, attempts=0, **values))
    elif found.state != POSTED:
        connection.execute(
            update(review_posts).where(review_posts.c.review_id == review_id).values(**values)
        )
