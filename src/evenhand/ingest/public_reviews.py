"""Public reviews from the platforms' own formats; the platform is read from the content.

- Trustpilot: the webhook body `{"events": [{"eventName": "service-review-created",
  "eventData": {...}}]}` (one per line in an export of deliveries), or the API's
  `{"reviews": [{"id", "stars", ...}]}`.
- Google Business Profile: `{"reviews": [{"reviewId", "starRating": "FIVE", "comment",
  "createTime", "reviewer": {"displayName"}}]}` (the API's list, as exported).
- Judge.me: `{"reviews": [{"id", "rating", "body", "reviewer": {"email", "name"}}]}` (its
  API's list) or the webhook body `{"review": {...}, "event": "review/created"}`.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from evenhand.domain.public_reviews import PublicReview, ReviewPlatform
from evenhand.errors import InputError
from evenhand.ingest import cells
from evenhand.ingest.batch import Parsed, Problems, Rejection
from evenhand.ingest.json_source import json_documents, line_of, load_json_documents

GOOGLE_STARS = {"ONE": 1, "TWO": 2, "THREE": 3, "FOUR": 4, "FIVE": 5}


def read_public_reviews(path: Path, *, skip_invalid: bool = False) -> Parsed[PublicReview]:
    problems = Problems(path, skip_invalid=skip_invalid)
    documents, text = load_json_documents(path, problems)
    return _parsed(documents, text, problems)


def parse_public_reviews(text: str, *, source: Path) -> Parsed[PublicReview]:
    """A webhook's body (named `source` in an error): the same formats as a file's."""
    problems = Problems(source, skip_invalid=False)
    return _parsed(json_documents(text, problems), text, problems)


def _parsed(documents: list[Any], text: str, problems: Problems) -> Parsed[PublicReview]:
    parsed: Parsed[PublicReview] = Parsed()
    for platform, raw in _found(documents, problems):
        raw_id = _id(platform, raw)
        line = line_of(text, _ID_KEYS[platform], value=raw_id) or 0
        try:
            parsed.records.append(_review(platform, raw, line))
        except cells.CellError as error:
            code = InputError.MISSING_VALUE if error.reason == "is empty" else InputError.BAD_VALUE
            problems.report(
                Rejection(
                    line=line,
                    record=cells.printable(str(raw_id))[:100] if raw_id else None,
                    column=error.column,
                    reason=error.reason,
                    code=code,
                )
            )
    parsed.rejections = problems.rejections
    return parsed


_ID_KEYS = {
    ReviewPlatform.TRUSTPILOT: "id",
    ReviewPlatform.GOOGLE: "reviewId",
    ReviewPlatform.JUDGEME: "id",
}


def _id(platform: ReviewPlatform, raw: Any) -> object:
    return raw.get(_ID_KEYS[platform]) if isinstance(raw, dict) else None


def _found(documents: list[Any], problems: Problems) -> Iterator[tuple[ReviewPlatform, Any]]:
    for document in documents:
        if not isinstance(document, dict):
            raise problems.fatal(InputError.UNKNOWN_FORMAT, "expected a JSON object of reviews")
        if isinstance(document.get("events"), list):
            for event in document["events"]:
                data = event.get("eventData") if isinstance(event, dict) else None
                yield ReviewPlatform.TRUSTPILOT, data
        elif isinstance(document.get("review"), dict):
            yield ReviewPlatform.JUDGEME, document["review"]
        elif isinstance(document.get("reviews"), list):
            for raw in document["reviews"]:
                yield _platform_of(raw, problems), raw
        else:
            raise problems.fatal(
                InputError.UNKNOWN_FORMAT,
                "neither Trustpilot, Google Business Profile nor Judge.me reviews",
            )


def _platform_of(raw: Any, problems: Problems) -> ReviewPlatform:
    if isinstance(raw, dict) and "starRating" in raw:
        return ReviewPlatform.GOOGLE
    if isinstance(raw, dict) and "stars" in raw:
        return ReviewPlatform.TRUSTPILOT
    if isinstance(raw, dict) and "rating" in raw:
        return ReviewPlatform.JUDGEME
    raise problems.fatal(InputError.UNKNOWN_FORMAT, "a review with no stars, starRating or rating")


def _review(platform: ReviewPlatform, raw: Any, line: int) -> PublicReview:
    if not isinstance(raw, dict):
        raise cells.CellError("review", "a review must be a JSON object")
    cells.check_json(raw)
    if platform is ReviewPlatform.TRUSTPILOT:
        return _trustpilot(raw, line)
    if platform is ReviewPlatform.GOOGLE:
        return _google(raw, line)
    return _judgeme(raw, line)


def _trustpilot(raw: dict[str, Any], line: int) -> PublicReview:
    consumer = cells.mapping(raw.get("consumer"), "consumer")
    return PublicReview(
        platform=ReviewPlatform.TRUSTPILOT,
        external_id=_required(raw, "id"),
        rating=_stars(raw.get("stars"), "stars"),
        text=_text(raw, "text"),
        title=_text(raw, "title") or None,
        created_at=_time(raw, "createdAt"),
        reviewer=_text(consumer, "name") or _text(consumer, "displayName") or None,
        order_ref=_text(raw, "referenceId") or None,
        language=_text(raw, "language") or None,
        line=line,
    )


def _google(raw: dict[str, Any], line: int) -> PublicReview:
    reviewer = cells.mapping(raw.get("reviewer"), "reviewer")
    stars = GOOGLE_STARS.get(str(raw.get("starRating")))
    if stars is None:
        raise cells.CellError(
            "starRating", f"not ONE to FIVE: {cells.shown(raw.get('starRating'))}"
        )
    return PublicReview(
        platform=ReviewPlatform.GOOGLE,
        external_id=_required(raw, "reviewId"),
        rating=stars,
        text=_text(raw, "comment"),
        created_at=_time(raw, "createTime"),
        reviewer=_text(reviewer, "displayName") or None,
        line=line,
    )


def _judgeme(raw: dict[str, Any], line: int) -> PublicReview:
    reviewer = cells.mapping(raw.get("reviewer"), "reviewer")
    return PublicReview(
        platform=ReviewPlatform.JUDGEME,
        external_id=_required(raw, "id"),
        rating=_stars(raw.get("rating"), "rating"),
        text=_text(raw, "body"),
        title=_text(raw, "title") or None,
        created_at=_time(raw, "created_at"),
        reviewer=_text(reviewer, "name") or None,
        reviewer_email=cells.email(_text(reviewer, "email")),
        line=line,
    )


def _stars(value: object, column: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 5:
        raise cells.CellError(column, f"not a rating from 1 to 5: {cells.shown(value)}")
    return value


def _text(raw: dict[str, Any], key: str) -> str:
    value = raw.get(key)
    if isinstance(value, dict | list | bool):
        raise cells.CellError(key, f"expected text, not {cells.shown(value)}")
    return "" if value is None else str(value).strip()


def _required(raw: dict[str, Any], key: str) -> str:
    text = _text(raw, key)
    if not text:
        raise cells.CellError(key, "is empty")
    return text


def _time(raw: dict[str, Any], key: str) -> Any:
    return cells.timestamp(_text(raw, key), key, required=True)
