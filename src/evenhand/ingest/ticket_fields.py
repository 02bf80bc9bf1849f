"""A ticket to triage as Evenhand holds it, and the field readers every ticket format shares.

A field that cannot be read raises `TicketFieldError` with the field and the reason; the
caller turns it into a `TicketProblem` in the ticket's place.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from evenhand.ingest.cells import shown, timestamp


@dataclass(frozen=True, slots=True)
class TicketIn:
    ticket_id: str
    created_at: datetime
    channel: str
    customer_email: str
    body: str
    subject: str | None = None
    order_name: str | None = None
    first_name: str | None = None
    source: str = "jsonl"
    line: int | None = None
    # The customer's earlier words in the thread: searched for the order they quote only.
    history: str = ""
    # The helpdesk's id of the customer message the body is (a Gorgias message's, a Zendesk
    # comment's), when the record gives one: two events telling of it decide it once.
    message_key: str | None = None
    # When the customer wrote the body (a file's row: `created_at`; a Zendesk comment's
    # time, a trigger's update, a description's ticket opening; a Gorgias message's
    # `created_datetime`); None when the record does not tell: the dispute evidence dates
    # each message by it.
    message_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class TicketProblem:
    line: int | None
    error: str
    ticket_id: str | None = None
    # The field is absent (not wrong): the API answers `missing_value`, not `bad_value`.
    missing: bool = False


TicketRecord = TicketIn | TicketProblem


class TicketFieldError(ValueError):
    def __init__(self, reason: str, *, missing: bool = False) -> None:
        super().__init__(reason)
        self.missing = missing


def part(record: Mapping[str, Any], key: str) -> Mapping[str, Any]:
    """A nested object, or an empty one when it is missing or not an object."""
    value = record.get(key)
    return value if isinstance(value, dict) else {}


def text(record: Mapping[str, Any], key: str, *, required: bool = False) -> str | None:
    value = record.get(key)
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise TicketFieldError(f"{key}: missing", missing=True)
        return None
    if not isinstance(value, str | int) or isinstance(value, bool):
        raise TicketFieldError(f"{key}: expected text, not {shown(value)}")
    return str(value).strip()


def id_or_none(record: Mapping[str, Any], key: str) -> str | None:
    """An id that only helps (a message's, to decide it once): None when absent or odd,
    never an error that would leave the whole ticket out."""
    value = record.get(key)
    if isinstance(value, bool) or not isinstance(value, str | int) or not str(value).strip():
        return None
    return str(value).strip()


def email(value: str | None, key: str) -> str:
    if value is None or not value.strip():
        raise TicketFieldError(f"{key}: missing", missing=True)
    if "@" not in value:
        raise TicketFieldError(f"{key}: not an e-mail address: {shown(value)}")
    return value.strip().lower()


def when(record: Mapping[str, Any], key: str, *, naive_is_utc: bool = False) -> datetime:
    raw = text(record, key, required=True)
    moment = timestamp(str(raw), key, required=True, naive_is_utc=naive_is_utc)
    assert moment is not None  # required=True
    return moment


def when_or_none(
    record: Mapping[str, Any], key: str, *, naive_is_utc: bool = False
) -> datetime | None:
    """A time that only helps (when a message was written, for the evidence): None when it
    is absent or unreadable, never an error that would leave the whole ticket out."""
    try:
        return when(record, key, naive_is_utc=naive_is_utc)
    except ValueError:  # TicketFieldError and CellError both are
        return None


def first_name(name: object) -> str | None:
    if not isinstance(name, str) or not name.strip():
        return None
    return name.strip().split()[0]


def user_id(value: object) -> str | None:
    """A helpdesk user's id as text ("9001" and 9001 are the same user), or None."""
    if isinstance(value, bool) or not isinstance(value, int | str):
        return None
    return str(value).strip() or None
