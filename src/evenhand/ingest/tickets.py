"""Support tickets to triage, from JSON Lines, Zendesk ticket exports or Gorgias tickets.

A ticket that cannot be read becomes a `TicketProblem` in its place (with its line), so the
rest are still decided. The format of each record is read from its content:

- Evenhand's own line: {"id", "created_at", "channel", "customer_email", "subject"?, "body",
  "order_name"?, "first_name"?}
- Zendesk: a ticket object (`{"tickets": [...]}` export or `{"ticket": {...}}`, either with
  its `users` sideloaded, a search's `{"results": [...]}`, or bare); read by
  `zendesk_tickets`.
- Gorgias: a ticket object (`{"data": [...]}` list, bare, or JSON Lines); read by
  `gorgias_tickets`.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

from evenhand.ingest.cells import CellError, check_json, printable, shown
from evenhand.ingest.gorgias_tickets import NO_MESSAGES, gorgias_ticket
from evenhand.ingest.json_source import JsonError, array_item_lines, parse_json
from evenhand.ingest.text_file import read_text
from evenhand.ingest.ticket_fields import (
    TicketFieldError,
    TicketIn,
    TicketProblem,
    TicketRecord,
    email,
    text,
    when,
)
from evenhand.ingest.zendesk_tickets import users_by_id, zendesk_ticket

__all__ = [
    "TicketFormat",
    "TicketIn",
    "TicketProblem",
    "TicketRecord",
    "parse_tickets",
    "read_tickets",
    "ticket_format",
    "ticket_from_object",
]

TicketFormat = Literal["jsonl", "zendesk", "gorgias"]


def read_tickets(path: Path) -> list[TicketRecord]:
    """Every ticket in the file, in order; a ticket that cannot be read is a TicketProblem.
    A file that is not UTF-8 text is refused whole."""
    return parse_tickets(read_text(path))


def parse_tickets(source: str) -> list[TicketRecord]:
    try:
        document = parse_json(source)
    except JsonError:
        return [_from_line(line, number) for number, line in _lines(source)]
    if isinstance(document, list):
        return _located(document, array_item_lines(source))
    if not isinstance(document, dict):
        return [_read(document, line=1)]
    users = users_by_id(document.get("users"))
    for key in ("tickets", "data", "results"):  # an export, a Gorgias list, a Zendesk search
        if isinstance(document.get(key), list):
            return _located(document[key], array_item_lines(source, key), users=users)
    if isinstance(document.get("ticket"), dict):  # one ticket, maybe with its users
        return [_read(document["ticket"], line=1, users=users)]
    return [_read(document, line=1)]


def ticket_from_object(record: object) -> TicketRecord:
    """One ticket object (a webhook's or a helpdesk API's answer); its format from its keys."""
    return _read(record, line=None)


def _lines(source: str) -> list[tuple[int, str]]:
    """JSON Lines: split at line feeds only (a JSON string may hold U+2028 and the like)."""
    return [(number, line) for number, line in enumerate(source.split("\n"), 1) if line.strip()]


def _from_line(line: str, number: int) -> TicketRecord:
    try:
        record = parse_json(line)
    except JsonError as error:
        return TicketProblem(number, error.reason)
    return _read(record, line=number)


def _located(
    items: list[Any], lines: list[int], *, users: Mapping[str, Any] | None = None
) -> list[TicketRecord]:
    """Each ticket of a JSON document with the line where it starts."""
    return [_read(item, line=line, users=users) for item, line in zip(items, lines, strict=True)]


def _read(
    record: object, *, line: int | None, users: Mapping[str, Any] | None = None
) -> TicketRecord:
    ticket_id = _id_of(record)
    try:
        if not isinstance(record, dict):
            raise TicketFieldError("a ticket is a JSON object")
        check_json(record)
        if record.get("status") == "deleted":  # in Zendesk's incremental export
            raise TicketFieldError("status: deleted: a deleted ticket is not triaged")
        kind = ticket_format(record)
        if kind == "gorgias":
            return gorgias_ticket(record, line=line)
        if "created_datetime" in record:  # Gorgias's, without the messages to read
            raise TicketFieldError(NO_MESSAGES, missing=True)
        if kind == "zendesk":
            return zendesk_ticket(record, line=line, users=users or {})
        return _native(record, line=line)
    except TicketFieldError as error:
        return TicketProblem(line, str(error), ticket_id, missing=error.missing)
    except CellError as error:
        return TicketProblem(line, f"{error.column}: {error.reason}", ticket_id)


def ticket_format(record: Mapping[str, Any]) -> TicketFormat:
    """Which format a ticket object is in, read from its keys."""
    if isinstance(record.get("messages"), list):
        return "gorgias"
    if "description" in record or "requester_id" in record or "via" in record:
        return "zendesk"
    return "jsonl"


def _id_of(record: object) -> str | None:
    """The ticket's id as far as it can be shown beside its problem."""
    if not isinstance(record, dict):
        return None
    value = record.get("id")
    if isinstance(value, bool) or not isinstance(value, str | int):
        return None
    shown_id = printable(str(value)) if isinstance(value, str) else shown(value)
    return shown_id if len(shown_id) <= _ID_SHOWN else shown_id[:_ID_SHOWN] + "..."


_ID_SHOWN = 100


def _native(record: Mapping[str, Any], *, line: int | None) -> TicketIn:
    created = when(record, "created_at")
    return TicketIn(
        ticket_id=str(text(record, "id", required=True)),
        created_at=created,
        channel=str(text(record, "channel", required=True)).lower(),
        customer_email=email(text(record, "customer_email", required=True), "customer_email"),
        body=str(text(record, "body", required=True)),
        subject=text(record, "subject"),
        order_name=text(record, "order_name"),
        first_name=text(record, "first_name"),
        source="jsonl",
        line=line,
        message_at=created,  # a row is one message
    )
