"""Parsing of single values from exports and payloads; a failure names the field.

The bounds every edge holds (`docs/reference/imports.md`, "What a value may be"):

- a time lies in [1970-01-01, 2100-01-01) UTC, whatever its offset;
- a whole number is written in ASCII digits and fits a 64-bit column (a quantity, 32 bits);
- an amount is a plain ASCII decimal below 10^13, with no more decimals than its currency;
- a text is at most `CELL_LIMIT` characters, with no NUL and no lone surrogate.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from evenhand.domain.money import MoneyError, has_more_decimals, parse_amount
from evenhand.domain.quoting import quoted


class CellError(ValueError):
    """A value that cannot be read; `column` names the field."""

    def __init__(self, column: str, reason: str) -> None:
        super().__init__(reason)
        self.column = column
        self.reason = reason


CELL_LIMIT = 128 * 1024  # characters in one cell or JSON string (the csv module's limit)
BIG_INTEGER_MAX = 2**63 - 1  # the largest id or count a column stores
INTEGER_MAX = 2**31 - 1  # the largest quantity
# Times outside these cannot be an order, a dispute or a ticket, and near the ends of
# Python's calendar (years 1 and 9999) an offset moves them off it: refused at the edge.
EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)
LATEST = datetime(2100, 1, 1, tzinfo=UTC)  # exclusive
_TIME_TEXT_LIMIT = 64
_WHOLE = re.compile(r"[+-]?[0-9]+", re.ASCII)
_WHOLE_DIGITS = 20  # longer is beyond any column, and not worth converting
_NOT_TEXT = re.compile("[\x00\ud800-\udfff]")  # NUL, or half of a surrogate pair
_SHOWN = 40
JSON_DEPTH = 32  # levels of nesting; a Shopify order or a Zendesk ticket has under ten


def shown(value: object) -> str:
    """A value quoted for a message: its repr, cut to a short prefix when long."""
    return quoted(value)


def printable(value: str) -> str:
    """Text safe to print or store: a lone surrogate as its escape (`\\ud800`)."""
    return value.encode("utf-8", "backslashreplace").decode("utf-8")


def text_problem(value: str) -> str | None:
    """Why a text cannot be stored, or None."""
    if len(value) > CELL_LIMIT:
        return f"{len(value):,} characters, more than the limit of {CELL_LIMIT:,}"
    found = _NOT_TEXT.search(value)
    if found is None:
        return None
    if found.group() == "\x00":
        return f"holds a NUL character, which text cannot: {shown(value)}"
    return f"holds a lone surrogate ({found.group()!r}), which is not text: {shown(value)}"


def check_json(value: Any, field: str = "") -> None:
    """Refuse a JSON value holding a text `text_problem` refuses, a whole number beyond a
    64-bit column, or nesting deeper than `JSON_DEPTH`; the CellError names the field path
    (`line_items[2].name`)."""
    stack: list[tuple[str, Any, int]] = [(field, value, 0)]
    while stack:
        path, item, depth = stack.pop()
        if isinstance(item, dict | list):
            if depth >= JSON_DEPTH:
                raise CellError(path or "(value)", f"nested more than {JSON_DEPTH} levels deep")
            stack.extend(_inside(path, item, depth + 1))
            continue
        problem = _scalar_problem(item)
        if problem:
            raise CellError(path or "(value)", problem)


def _inside(path: str, item: dict[str, Any] | list[Any], depth: int) -> list[tuple[str, Any, int]]:
    """The members of an object or array, last first (the stack pops them in order); an
    object's keys are checked as texts too."""
    if isinstance(item, list):
        return [(f"{path}[{at}]", inner, depth) for at, inner in reversed(list(enumerate(item)))]
    members: list[tuple[str, Any, int]] = []
    for key, inner in reversed(item.items()):
        members.append((f"{path}.{key}" if path else str(key), inner, depth))
        members.append((path, key, depth))
    return members


def _scalar_problem(item: object) -> str | None:
    if isinstance(item, str):
        return text_problem(item)
    if isinstance(item, int) and not isinstance(item, bool) and abs(item) > BIG_INTEGER_MAX:
        return f"too large a number: {shown(item)}"
    return None


def text_or_none(value: str) -> str | None:
    stripped = value.strip()
    return stripped or None


def amount(
    value: str, column: str, *, required: bool = False, currency: str | None = None
) -> Decimal:
    """A decimal amount; an empty optional cell is zero. With `currency`, no more decimals
    than its minor unit has (SEK 2, JPY 0)."""
    if not value or value.isspace():
        if required:
            raise CellError(column, "is empty")
        return Decimal(0)
    try:
        parsed = parse_amount(value)
    except MoneyError as error:
        raise CellError(column, str(error)) from None
    if currency is not None and has_more_decimals(parsed, currency):
        raise CellError(column, f"{shown(value)} has more decimals than {currency} has")
    return parsed


def whole_number(
    value: str, column: str, *, required: bool = False, maximum: int = BIG_INTEGER_MAX
) -> int | None:
    """An integer in ASCII digits, tolerating Shopify's apostrophe prefix ("'7210448301122")."""
    cleaned = value.strip().lstrip("'")
    if not cleaned:
        if required:
            raise CellError(column, "is empty")
        return None
    if not _WHOLE.fullmatch(cleaned):
        raise CellError(column, f"not a whole number: {shown(value)}")
    if len(cleaned) > _WHOLE_DIGITS:
        raise CellError(column, f"too large a number: {shown(value)} (at most {maximum:,})")
    number = int(cleaned)
    if abs(number) > maximum:
        raise CellError(column, f"too large a number: {shown(value)} (at most {maximum:,})")
    return number


def required_whole_number(value: str, column: str, *, maximum: int = INTEGER_MAX) -> int:
    number = whole_number(value, column, required=True, maximum=maximum)
    if number is None:  # unreachable: required raises first
        raise CellError(column, "is empty")
    return number


def is_ascii_number(value: str) -> bool:
    """Whether the text is a whole number in ASCII digits ("①" and "²" pass str.isdigit)."""
    return value.isascii() and value.isdigit()


def timestamp(
    value: str, column: str, *, required: bool = False, naive_is_utc: bool = False
) -> datetime | None:
    """A date-time with offset, returned in UTC, within [EARLIEST, LATEST).

    Accepts Shopify's export form "2026-11-01 10:00:00 +0100" and ISO 8601
    ("2026-11-01T10:00:00+01:00", "...Z"). A time without offset is refused: it is ambiguous;
    unless the source states its times in UTC (`naive_is_utc`: Gorgias writes
    "2019-07-05T14:42:00.384938").
    """
    text = value.strip()
    if not text:
        if required:
            raise CellError(column, "is empty")
        return None
    if len(text) > 20 and text[19] == " ":
        text = text[:19] + text[20:]
    try:
        if len(text) > _TIME_TEXT_LIMIT or not text.isascii():
            raise ValueError(text)
        parsed = datetime.fromisoformat(text)
    except ValueError:
        raise CellError(column, f"not a date and time: {shown(value)}") from None
    if parsed.tzinfo is None and naive_is_utc:
        parsed = parsed.replace(tzinfo=UTC)
    if parsed.tzinfo is None:
        raise CellError(column, f"date and time without a UTC offset: {shown(value)}")
    return in_range(parsed, column, shown_as=value)


def in_range(moment: datetime, column: str, *, shown_as: object) -> datetime:
    """The moment in UTC, refused outside [EARLIEST, LATEST)."""
    try:
        utc = moment.astimezone(UTC)
    except OverflowError:  # year 1 less an hour, or year 9999 plus one
        utc = None
    if utc is None or not EARLIEST <= utc < LATEST:
        raise CellError(
            column,
            f"{shown(shown_as)} is outside the times Evenhand accepts "
            f"({EARLIEST:%Y-%m-%d} to {LATEST:%Y-%m-%d}, UTC)",
        )
    return utc


def unix_timestamp(value: object, column: str) -> datetime | None:
    """Seconds since the epoch (Stripe), in UTC."""
    if value is None:
        return None
    if not isinstance(value, int) or isinstance(value, bool):
        raise CellError(column, f"not a unix timestamp: {shown(value)}")
    if not EARLIEST.timestamp() <= value < LATEST.timestamp():
        raise CellError(
            column,
            f"{shown(value)} is outside the times Evenhand accepts "
            f"({EARLIEST:%Y-%m-%d} to {LATEST:%Y-%m-%d}, UTC)",
        )
    return datetime.fromtimestamp(value, tz=UTC)


def yes_no(value: str, column: str) -> bool | None:
    lowered = value.strip().lower()
    if not lowered:
        return None
    if lowered in {"yes", "true", "y", "1"}:
        return True
    if lowered in {"no", "false", "n", "0"}:
        return False
    raise CellError(column, f"not yes or no: {shown(value)}")


def email(value: str) -> str | None:
    stripped = value.strip().lower()
    return stripped or None


def tag_list(value: str) -> tuple[str, ...]:
    return tuple(tag.strip() for tag in value.split(",") if tag.strip())


def mapping(value: object, column: str) -> dict[str, Any]:
    """A nested JSON object; missing (null) is empty; anything else is refused."""
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise CellError(column, f"expected an object, not {shown(value)}")
    return value


def items(value: object, column: str) -> list[Any]:
    """A JSON array; missing (null) is empty; anything else is refused."""
    if value is None:
        return []
    if not isinstance(value, list):
        raise CellError(column, f"expected a list, not {shown(value)}")
    return value


def currency(value: str, column: str) -> str:
    """A three-letter ISO 4217 code, upper-cased."""
    code = value.strip().upper()
    if len(code) != 3 or not (code.isascii() and code.isalpha()):
        raise CellError(column, f"not a currency code: {shown(value)}")
    return code
