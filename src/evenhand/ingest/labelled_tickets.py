"""A shop's labelled history, read at the edge, in the formats shops have it in:

- a CSV with a header and the columns `text` and `label` (optional `subject`, `language`,
  `created_at`): one label per row;
- a Zendesk tickets export: `{"tickets": [...]}` (the tickets list, a search, or a page of
  the incremental export with its `after_cursor` and `end_of_stream`), or JSON Lines of
  tickets or of such pages; the words are the requester's first public comment when the
  ticket carries its `comments`, else its `description` (Zendesk's first comment) when the
  requester opened it, the labels its `tags` (strings);
- Gorgias tickets: `{"data": [...]}` (the list's page), or JSON Lines of tickets; the words
  are the first public message not from an agent (`stripped_text`, else `body_text`), the
  labels the `name` of each of its `tags` (`[{"id", "name", ...}]`).

A ticket with no words of the customer's (an agent opened it, on the phone or to reach out,
and the customer has not written) is left out and counted: its tags label an agent's words.

Which labels count (and as which intent) is the mapping's business (`understand.shop_data`).
A record that cannot be read is refused naming the file, its line, the ticket and the field.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from evenhand.errors import EvenhandError, InputError, Location
from evenhand.ingest.cells import shown
from evenhand.ingest.json_source import JsonError, array_item_lines, parse_json
from evenhand.ingest.text_file import read_text
from evenhand.ingest.ticket_fields import TicketFieldError
from evenhand.ingest.zendesk_tickets import (
    NO_REQUESTER_COMMENT,
    OPENED_BY_ANOTHER,
    customer_words,
)

REQUIRED_COLUMNS = ("text", "label")
HistoryKind = Literal["csv", "zendesk", "gorgias"]


@dataclass(frozen=True, slots=True)
class LabelledTicket:
    """One labelled message: its words, and the labels (a CSV's label, a ticket's tags)."""

    text: str
    labels: tuple[str, ...]
    subject: str | None = None
    line: int = 0
    ticket_id: str | None = None


@dataclass(frozen=True, slots=True)
class LabelledFile:
    kind: HistoryKind
    tickets: tuple[LabelledTicket, ...]
    not_the_customers: int = 0  # tickets left out: no words of the customer's in them


def read_labelled(path: Path) -> LabelledFile:
    """The file's labelled messages, in order; its format read from its content."""
    text = read_text(path)
    if text.lstrip()[:1] in ("{", "["):
        return _json_history(text, path)
    return LabelledFile("csv", tuple(_csv_rows(text, path)))


# --- CSV ---------------------------------------------------------------------------------


def _csv_rows(text: str, path: Path) -> Iterator[LabelledTicket]:
    # lines with their ends, so a quoted text keeps its line breaks (RFC 4180)
    reader = csv.DictReader(text.splitlines(keepends=True))
    present = list(reader.fieldnames or [])
    for column in REQUIRED_COLUMNS:
        if column not in present:
            raise EvenhandError(
                InputError.MISSING_COLUMN,
                f"the header has no {column!r} column (it needs text and label)",
                where=Location(path, line=1, column=column),
            )
    ended = reader.line_num  # the header's last line
    for record in reader:
        line, ended = ended + 1, reader.line_num  # a ticket is named by its first line
        words, label = _cell(record, "text", path, line), _cell(record, "label", path, line)
        subject = (record.get("subject") or "").strip() or None
        yield LabelledTicket(text=words, labels=(label,), subject=subject, line=line)


def _cell(record: dict[str | None, str | None], column: str, path: Path, line: int) -> str:
    value = (record.get(column) or "").strip()
    if not value:
        raise EvenhandError(
            InputError.MISSING_VALUE,
            f"{column} is empty",
            where=Location(path, line=line, column=column),
        )
    return value


# --- JSON: Zendesk and Gorgias -----------------------------------------------------------


class _BadTicketError(ValueError):
    def __init__(self, field: str, reason: str) -> None:
        super().__init__(reason)
        self.field = field
        self.reason = reason


class _NotTheCustomersError(Exception):
    """The ticket holds no words of the customer's: left out, and counted."""


def _json_history(text: str, path: Path) -> LabelledFile:
    try:
        document = parse_json(text)
    except JsonError as error:
        if not error.extra_data:
            raise EvenhandError(
                InputError.BAD_VALUE, error.reason, where=Location(path, error.line)
            ) from None
        return _json_lines(text, path)
    located = list(_located(document, text, line=None, path=path))
    return _labelled(located, path)


def _json_lines(text: str, path: Path) -> LabelledFile:
    located: list[tuple[int, Any]] = []
    for number, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        try:
            document = parse_json(line)
        except JsonError as error:
            raise EvenhandError(
                InputError.BAD_VALUE, error.reason, where=Location(path, number)
            ) from None
        located.extend(_located(document, line, line=number, path=path))
    return _labelled(located, path)


def _located(
    document: Any, text: str, *, line: int | None, path: Path
) -> Iterator[tuple[int, Any]]:
    """Each ticket object of a document with its line: a page's items (`tickets`, `data`),
    a list's, or the document itself (one ticket, or `{"ticket": {...}}`)."""
    if isinstance(document, dict):
        for key in ("tickets", "data"):
            if isinstance(document.get(key), list):
                lines = [line] * len(document[key]) if line else array_item_lines(text, key)
                yield from zip(lines, document[key], strict=True)
                return
        if isinstance(document.get("ticket"), dict):
            yield line or 1, document["ticket"]
            return
        yield line or 1, document
        return
    if isinstance(document, list):
        lines = [line] * len(document) if line else array_item_lines(text)
        yield from zip(lines, document, strict=True)
        return
    raise EvenhandError(
        InputError.UNKNOWN_FORMAT,
        "neither a CSV with text and label nor Zendesk or Gorgias tickets",
        where=Location(path, line),
    )


def _labelled(located: list[tuple[int, Any]], path: Path) -> LabelledFile:
    kinds = {_kind(ticket) for _, ticket in located if isinstance(ticket, dict)}
    kind: HistoryKind = "gorgias" if kinds == {"gorgias"} else "zendesk"
    tickets, not_the_customers = [], 0
    for index, (line, ticket) in enumerate(located):
        try:
            tickets.append(_ticket(ticket, line=line))
        except _NotTheCustomersError:
            not_the_customers += 1
        except _BadTicketError as bad:
            raise EvenhandError(
                InputError.MISSING_VALUE if "missing" in bad.reason else InputError.BAD_VALUE,
                f"ticket {_id_of(ticket) or f'#{index + 1}'}: {bad.field}: {bad.reason}",
                where=Location(path, line, column=bad.field),
            ) from None
    return LabelledFile(kind, tuple(tickets), not_the_customers)


def _kind(ticket: Mapping[str, Any]) -> str:
    return "gorgias" if "messages" in ticket or "created_datetime" in ticket else "zendesk"


def _ticket(ticket: Any, *, line: int) -> LabelledTicket:
    if not isinstance(ticket, dict):
        raise _BadTicketError("(ticket)", f"a ticket is a JSON object, not {shown(ticket)}")
    if _kind(ticket) == "gorgias":
        words, labels = _gorgias_words(ticket), _gorgias_tags(ticket.get("tags"))
    else:
        words, labels = _zendesk_words(ticket), _zendesk_tags(ticket.get("tags"))
    return LabelledTicket(
        text=words,
        labels=labels,
        subject=_text(ticket, "subject") or _text(ticket, "raw_subject"),
        line=line,
        ticket_id=_id_of(ticket),
    )


def _id_of(ticket: object) -> str | None:
    if not isinstance(ticket, dict):
        return None
    value = ticket.get("id")
    return str(value) if isinstance(value, str | int) and not isinstance(value, bool) else None


def _text(record: Mapping[str, Any], key: str) -> str | None:
    value = record.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        raise _BadTicketError(key, f"expected text, not {shown(value)}")
    return value.strip() or None


def _zendesk_words(ticket: Mapping[str, Any]) -> str:
    comments = ticket.get("comments")
    if comments is not None and not isinstance(comments, list):
        raise _BadTicketError("comments", f"expected a list, not {shown(comments)}")
    try:
        return customer_words(ticket)[0]
    except TicketFieldError as error:
        if str(error) in (NO_REQUESTER_COMMENT, OPENED_BY_ANOTHER):
            raise _NotTheCustomersError from None
        field, _, reason = str(error).partition(": ")
        raise _BadTicketError(field, reason) from None


def _zendesk_tags(tags: object) -> tuple[str, ...]:
    if tags is None:
        return ()
    if not isinstance(tags, list):
        raise _BadTicketError("tags", f"expected a list of tags, not {shown(tags)}")
    for index, tag in enumerate(tags):
        if not isinstance(tag, str):
            raise _BadTicketError(f"tags[{index}]", f"expected a tag's text, not {shown(tag)}")
    return tuple(tag.strip() for tag in tags if tag.strip())


def _gorgias_words(ticket: Mapping[str, Any]) -> str:
    messages = ticket.get("messages")
    if not isinstance(messages, list):
        raise _BadTicketError("messages", f"expected a list of messages, not {shown(messages)}")
    for index, message in enumerate(messages):
        if not isinstance(message, dict):
            raise _BadTicketError(f"messages[{index}]", "a message is a JSON object")
        if message.get("from_agent") or not message.get("public", True):
            continue
        words = _text(message, "stripped_text") or _text(message, "body_text")
        if words:
            return words
    raise _NotTheCustomersError  # an agent's outreach the customer has not answered


def _gorgias_tags(tags: object) -> tuple[str, ...]:
    if tags is None:
        return ()
    if not isinstance(tags, list):
        raise _BadTicketError("tags", f"expected a list of tags, not {shown(tags)}")
    names = []
    for index, tag in enumerate(tags):
        name = tag.get("name") if isinstance(tag, dict) else tag
        if not isinstance(name, str) or not name.strip():
            raise _BadTicketError(f"tags[{index}].name", f"expected a tag's name in {shown(tag)}")
        names.append(name.strip())
    return tuple(names)
