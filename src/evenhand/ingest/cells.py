"""Parsing of single values from exports and payloads; a failure names the field."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from evenhand.domain.money import MoneyError, parse_amount


class CellError(ValueError):
    """A value that cannot be read; `column` names the field."""

    def __init__(self, column: str, reason: str) -> None:
        super().__init__(reason)
        self.column = column
        self.reason = reason


def text_or_none(value: str) -> str | None:
    stripped = value.strip()
    return stripped or None


def amount(value: str, column: str, *, required: bool = False) -> Decimal:
    """A decimal amount; an empty optional cell is zero."""
    if not value or value.isspace():
        if required:
            raise CellError(column, "is empty")
        return Decimal(0)
    try:
        return parse_amount(value)
    except MoneyError as error:
        raise CellError(column, str(error)) from None


BIG_INTEGER_MAX = 2**63 - 1  # the largest id or count a column stores
INTEGER_MAX = 2**31 - 1  # the largest quantity


def whole_number(
    value: str, column: str, *, required: bool = False, maximum: int = BIG_INTEGER_MAX
) -> int | None:
    """An integer, tolerating Shopify's apostrophe prefix ("'7210448301122")."""
    cleaned = value.strip().lstrip("'")
    if not cleaned:
        if required:
            raise CellError(column, "is empty")
        return None
    try:
        number = int(cleaned)
    except ValueError:
        raise CellError(column, f"not a whole number: {value!r}") from None
    if abs(number) > maximum:
        raise CellError(column, f"too large a number: {value!r}")
    return number


def required_whole_number(value: str, column: str, *, maximum: int = INTEGER_MAX) -> int:
    number = whole_number(value, column, required=True, maximum=maximum)
    if number is None:  # unreachable: required raises first
        raise CellError(column, "is empty")
    return number


def timestamp(value: str, column: str, *, required: bool = False) -> datetime | None:
    """A date-time with offset, returned in UTC.

    Accepts Shopify's export form "2026-11-01 10:00:00 +0100" and ISO 8601
    ("2026-11-01T10:00:00+01:00", "...Z"). A time without offset is refused: it is ambiguous.
    """
    text = value.strip()
    if not text:
        if required:
            raise CellError(column, "is empty")
        return None
    if len(text) > 20 and text[19] == " ":
        text = text[:19] + text[20:]
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        raise CellError(column, f"not a date and time: {value!r}") from None
    if parsed.tzinfo is None:
        raise CellError(column, f"date and time without a UTC offset: {value!r}")
    return parsed.astimezone(UTC)


def unix_timestamp(value: object, column: str) -> datetime | None:
    """Seconds since the epoch (Stripe), in UTC."""
    if value is None:
        return None
    if not isinstance(value, int) or isinstance(value, bool):
        raise CellError(column, f"not a unix timestamp: {value!r}")
    return datetime.fromtimestamp(value, tz=UTC)


def yes_no(value: str, column: str) -> bool | None:
    lowered = value.strip().lower()
    if not lowered:
        return None
    if lowered in {"yes", "true", "y", "1"}:
        return True
    if lowered in {"no", "false", "n", "0"}:
        return False
    raise CellError(column, f"not yes or no: {value!r}")


def email(value: str) -> str | None:
    stripped = value.strip().lower()
    return stripped or None


def tag_list(value: str) -> tuple[str, ...]:
    return tuple(tag.strip() for tag in value.split(",") if tag.strip())
