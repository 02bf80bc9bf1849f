"""Posting an approved public reply to its platform's reply API (Trustpilot, Judge.me,
Google Business Profile), exactly once: the post is claimed in the database before the
request goes out and settled after; a retry of a posted reply does nothing, and a platform
without an API or credentials is recorded as `copy` (the page offers the text to copy)."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from sqlalchemy import Connection, Engine

from evenhand.domain.public_reviews import review_offer
from evenhand.errors import EvenhandError, InputError, LookupFailure
from evenhand.review_platforms.replies import (
    GoogleReplies,
    JudgemeReplies,
    ReplyPoster,
    ReplyRefusedError,
    TrustpilotReplies,
)
from evenhand.settings import Settings
from evenhand.store.audit import record_event
from evenhand.store.public_reviews import review_row
from evenhand.store.review_posts import (
    FAILED,
    POSTED,
    ReviewPost,
    claim_post,
    record_copy,
    review_post,
    settle_post,
)

logger = logging.getLogger(__name__)

# A claim older than this is a request that never came back (a crash): it may be retried.
STALE_CLAIM = timedelta(minutes=5)


def reply_poster(settings: Settings, platform: str) -> ReplyPoster | None:
    """The platform's reply API with the shop's credentials, or None (copy the reply)."""
    trustpilot = settings.trustpilot_access_token, settings.trustpilot_business_user_id
    if platform == "trustpilot" and trustpilot[0] and trustpilot[1]:
        return TrustpilotReplies(
            base_url=settings.trustpilot_api_url,
            access_token=trustpilot[0].get_secret_value(),
            business_user_id=trustpilot[1],
        )
    if platform == "judgeme" and settings.judgeme_api_token and settings.judgeme_shop_domain:
        return JudgemeReplies(
            base_url=settings.judgeme_api_url,
            api_token=settings.judgeme_api_token.get_secret_value(),
            shop_domain=settings.judgeme_shop_domain,
        )
    google = settings.google_business_access_token, settings.google_business_location
    if platform == "google" and google[0] and google[1]:
        return GoogleReplies(
            base_url=settings.google_business_api_url,
            access_token=google[0].get_secret_value(),
            location=google[1],
        )
    return None


def post_reply(
    engine: Engine,
    *,
    review_id: int,
    settings: Settings,
    by: str,
    now: datetime,
    poster: ReplyPoster | None = None,
) -> ReviewPost:
    """Post the approved reply (`poster`: the platform's API, else from the settings).
    Returns the post as recorded: `posted`, `failed` (with the platform's reason, to
    retry), `copy`, or the one already posted or being posted (nothing is sent again)."""
    platform, external_id, text = _approved(engine, review_id)
    poster = poster or reply_poster(settings, platform)
    with engine.begin() as connection:
        if poster is None:
            record_copy(connection, review_id, platform=platform, text=text, by=by, at=now)
            return _post(connection, review_id)
        claim = claim_post(
            connection,
            review_id,
            platform=platform,
            text=text,
            by=by,
            at=now,
            stale_before=now - STALE_CLAIM,
        )
        if claim is None:
            return _post(connection, review_id)
    state, detail = _send(poster, external_id, text)
    with engine.begin() as connection:
        settle_post(connection, review_id, state=state, detail=detail, at=now)
        record_event(
            connection,
            at=now,
            action=f"review reply {state}",
            subject=str(review_id),
            details={"by": by, "platform": platform, "attempt": claim.attempts},
        )
        return _post(connection, review_id)


def _approved(engine: Engine, review_id: int) -> tuple[str, str, str]:
    with engine.connect() as connection:
        row = review_row(connection, review_id)
    if row is None:
        raise EvenhandError(LookupFailure.REVIEW_NOT_FOUND, f"no review {review_id}")
    text = row["reply_text"]
    if not text:
        raise EvenhandError(InputError.MISSING_VALUE, "reply: approve a reply before posting it")
    if review_offer(text):  # approved before the check existed: never posted
        raise EvenhandError(InputError.BAD_VALUE, "reply: it offers something for the review")
    return str(row["platform"]), str(row["external_id"]), str(text)


def _send(poster: ReplyPoster, external_id: str, text: str) -> tuple[str, str]:
    try:
        return POSTED, poster.post_reply(external_id, text)
    except ReplyRefusedError as refused:
        logger.warning("review reply not posted: %s", refused.message)
        return FAILED, refused.message
    finally:
        poster.close()


def _post(connection: Connection, review_id: int) -> ReviewPost:
    found = review_post(connection, review_id)
    assert found is not None
    return found


def post_of(engine: Engine, review_id: int) -> ReviewPost | None:
    with engine.connect() as connection:
        return review_post(connection, review_id)
