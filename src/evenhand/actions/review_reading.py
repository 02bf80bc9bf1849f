"""Public reviews read by the same reader as tickets: language, intent, threat signals,
and whether the review is tied to a demand (its `review_extortion` signal)."""

from __future__ import annotations

from sqlalchemy import Engine

from evenhand.domain.public_reviews import ReviewReading
from evenhand.store.review_readings import save_readings, unread_reviews
from evenhand.understand.model import Message, Reader, Understanding


def read_reviews(engine: Engine, reader: Reader, *, market: str = "SE") -> int:
    """Read every review not read yet (new, or edited since); returns how many. The
    reading happens outside any transaction, the saving in one."""
    with engine.connect() as connection:
        unread = unread_reviews(connection)
    if not unread:
        return 0
    messages = [Message(body=text, subject=title, market=market) for _, title, text in unread]
    readings = {
        review_id: _reading(understanding)
        for (review_id, _, _), understanding in zip(unread, reader.read_many(messages), strict=True)
    }
    with engine.begin() as connection:
        save_readings(connection, readings)
    return len(readings)


def _reading(understanding: Understanding) -> ReviewReading:
    return ReviewReading(
        language=understanding.language,
        intent=understanding.intent.value,
        signals=tuple(sorted({signal.kind.value for signal in understanding.signals})),
        reader=understanding.reader,
    )
