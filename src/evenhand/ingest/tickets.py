"""Support tickets to triage, from JSON Lines, Zendesk ticket exports or Gorgias tickets.

A ticket that cannot be read becomes a `TicketProblem` in its place (with its line), so the
rest are still decided. The format of each record is read from its content:

- Evenhand's own line: {"id", "created_at", "channel", "customer_email", "subject"?, "body",
  "order_name"?, "first_name"?}
- Zendesk: a ticket object (`{"tickets": [...]}` export, `{"ticket": {...}}` or bare), the
  customer's words from its latest public comment by the requester (else `description`), the
  e-mail from the requester (inline, the sideloaded `users`, or `via.source.from.address`).
- Gorgias: a ticket object (`{"data": [...]}` list, bare, or JSON Lines) whose latest message
  not from an agent gives the words (`stripped_text`, else `body_text`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Literal

from evenhand.ingest.cells import CellError, check_json, printable, shown, timestamp
from evenhand.ingest.json_source import JsonError, array_item_lines, parse_json
from evenhand.ingest.text_file import read_text


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


@dataclass(frozen=True, slots=True)
class TicketProblem:
    line: int | None
    error: str
    ticket_id: str | None = None
    # The field is absent (not wrong): the API answers `missing_value`, not `bad_value`.
    missing: bool = False


TicketRecord = TicketIn | TicketProblem
TicketFormat = Literal["jsonl", "zendesk", "gorgias"]


class _BadTicketError(ValueError):
    def __init__(self, reason: str, *, missing: bool = False) -> None:
        super().__init__(reason)
        self.missing = missing


def read_tickets(path: Path) -> list[TicketRecord]:
    """Every ticket in the file, in order; a ticket that cannot be read is a TicketProblem.
    A file that is not UTF-8 text is refused whole."""
    return parse_tickets(read_text(path))


def parse_tickets(text: str) -> list[TicketRecord]:
    try:
        document = parse_json(text)
    except JsonError:
        return [_from_line(line, number) for number, line in _lines(text)]
    if isinstance(document, dict) and isinstance(document.get("tickets"), list):
        users = _users_by_id(document.get("users"))
        return _located(document["tickets"], array_item_lines(text, "tickets"), users=users)
    if isinstance(document, dict) and isinstance(document.get("data"), list):
        return _located(document["data"], array_item_lines(text, "data"))
    if isinstance(document, list):
        return _located(document, array_item_lines(text))
    if isinstance(document, dict) and isinstance(document.get("ticket"), dict):
        return [_read(document["ticket"], line=1)]
    return [_read(document, line=1)]


def ticket_from_object(record: object) -> TicketRecord:
    """One ticket object (a webhook's or a helpdesk API's answer); its format from its keys."""
    return _read(record, line=None)


def _lines(text: str) -> list[tuple[int, str]]:
    """JSON Lines: split at line feeds only (a JSON string may hold U+2028 and the like)."""
    return [(number, line) for number, line in enumerate(text.split("\n"), 1) if line.strip()]


def _from_line(line: str, number: int) -> TicketRecord:
    try:
        record = parse_json(line)
    except JsonError as error:
        return TicketProblem(number, error.reason)
    return _read(record, line=number)


def _located(
    items: list[Any], lines: list[int], *, users: Mapping[object, Any] | None = None
) -> list[TicketRecord]:
    """Each ticket of a JSON document with the line where it starts."""
    return [
        _read(item, line=line, users=users or {}) for item, line in zip(items, lines, strict=True)
    ]


def _read(
    record: object, *, line: int | None, users: Mapping[object, Any] | None = None
) -> TicketRecord:
    ticket_id = _id_of(record)
    try:
        if not isinstance(record, dict):
            raise _BadTicketError("a ticket is a JSON object")
        check_json(record)
        kind = ticket_format(record)
        if kind == "gorgias":
            return _gorgias(record, line=line)
        if kind == "zendesk":
            return _zendesk(record, line=line, users=users or {})
        return _native(record, line=line)
    except _BadTicketError as error:
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
    text = printable(str(value)) if isinstance(value, str) else shown(value)
    return text if len(text) <= _ID_SHOWN else text[:_ID_SHOWN] + "..."


_ID_SHOWN = 100


def _part(record: Mapping[str, Any], key: str) -> Mapping[str, Any]:
    """A nested object, or an empty one when it is missing or not an object."""
    value = record.get(key)
    return value if isinstance(value, dict) else {}


def _text(record: Mapping[str, Any], key: str, *, required: bool = False) -> str | None:
    value = record.get(key)
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise _BadTicketError(f"{key}: missing", missing=True)
        return None
    if not isinstance(value, str | int) or isinstance(value, bool):
        raise _BadTicketError(f"{key}: expected text, not {shown(value)}")
    return str(value).strip()


def _email(value: str | None, key: str) -> str:
    if value is None or not value.strip():
        raise _BadTicketError(f"{key}: missing", missing=True)
    if "@" not in value:
        raise _BadTicketError(f"{key}: not an e-mail address: {shown(value)}")
    return value.strip().lower()


def _when(record: Mapping[str, Any], key: str) -> datetime:
    raw = _text(record, key, required=True)
    moment = timestamp(str(raw), key, required=True)
    assert moment is not None  # required=True
    return moment


def _native(record: Mapping[str, Any], *, line: int | None) -> TicketIn:
    return TicketIn(
        ticket_id=str(_text(record, "id", required=True)),
        created_at=_when(record, "created_at"),
        channel=str(_text(record, "channel", required=True)).lower(),
        customer_email=_email(_text(record, "customer_email", required=True), "customer_email"),
        body=str(_text(record, "body", required=True)),
        subject=_text(record, "subject"),
        order_name=_text(record, "order_name"),
        first_name=_text(record, "first_name"),
        source="jsonl",
        line=line,
    )


def _zendesk(
    record: Mapping[str, Any], *, line: int | None, users: Mapping[object, Any]
) -> TicketIn:
    requester = _zendesk_requester(record, users)
    via = _part(record, "via")
    return TicketIn(
        ticket_id=str(_text(record, "id", required=True)),
        created_at=_when(record, "created_at"),
        channel=(_text(via, "channel") or "email").lower(),
        customer_email=_zendesk_customer_email(requester, via),
        body=_zendesk_words(record),
        subject=_text(record, "subject") or _text(record, "raw_subject"),
        first_name=_first_name(requester.get("name")),
        source="zendesk",
        line=line,
        history=_text(record, "description") or "",
    )


def _zendesk_requester(record: Mapping[str, Any], users: Mapping[object, Any]) -> Mapping[str, Any]:
    """The requester inline, completed from the sideloaded user of its id where the inline
    one has no address (a requester given by name only, or by id only)."""
    inline = record.get("requester")
    given: Mapping[str, Any] = inline if isinstance(inline, dict) else {}
    if isinstance(given.get("email"), str):
        return given
    requester_id = given.get("id", record.get("requester_id"))
    if not isinstance(requester_id, int | str):  # a list or an object is no one's id
        return given
    found = users.get(requester_id)
    if not isinstance(found, dict):
        return given
    return {**found, **{key: value for key, value in given.items() if value is not None}}


# A ticket from chat or a web form names its requester by id only: the address is in the
# requester's user, which an export gives when it sideloads its users.
NO_ZENDESK_EMAIL = (
    "requester.email: missing: no e-mail address for the requester (looked for in the "
    "requester, the document's users and via.source.from.address; a Zendesk export "
    "sideloads its users with ?include=users)"
)


def _zendesk_customer_email(requester: Mapping[str, Any], via: Mapping[str, Any]) -> str:
    email = _zendesk_email(requester, via)
    if email is None:
        raise _BadTicketError(NO_ZENDESK_EMAIL, missing=True)
    return _email(email, "requester.email")


def _zendesk_email(requester: Mapping[str, Any], via: Mapping[str, Any]) -> str | None:
    if isinstance(requester.get("email"), str):
        return str(requester["email"])
    sender = _part(_part(via, "source"), "from")
    address = sender.get("address")
    return address if isinstance(address, str) else None


def _zendesk_words(record: Mapping[str, Any]) -> str:
    comments = record.get("comments")
    if isinstance(comments, list):
        by_requester = [
            comment
            for comment in comments
            if isinstance(comment, dict)
            and comment.get("public", True)
            and comment.get("author_id") == record.get("requester_id")
        ]
        for comment in reversed(by_requester):
            words = (
                _text(comment, "plain_body")
                or _text(comment, "body")
                or _text(comment, "html_body")
            )
            if words:
                return words
    return str(_text(record, "description", required=True))


def _users_by_id(users: object) -> dict[object, Any]:
    if not isinstance(users, list):
        return {}
    return {
        user["id"]: user
        for user in users
        if isinstance(user, dict) and isinstance(user.get("id"), int | str)
    }


def _gorgias(record: Mapping[str, Any], *, line: int | None) -> TicketIn:
    customer = _part(record, "customer")
    message = _gorgias_customer_message(record["messages"])
    sender = _part(message, "sender")
    email = customer.get("email") or sender.get("email")
    return TicketIn(
        ticket_id=str(_text(record, "id", required=True)),
        created_at=_when(record, "created_datetime"),
        channel=(_text(record, "channel") or _text(message, "channel") or "email").lower(),
        customer_email=_email(email if isinstance(email, str) else None, "customer.email"),
        body=_gorgias_words(message),
        subject=_text(record, "subject") or _text(message, "subject"),
        first_name=_text(customer, "firstname") or _first_name(customer.get("name")),
        source="gorgias",
        line=line,
        history="\n".join(
            _text(m, "stripped_text") or "" for m in record["messages"] if isinstance(m, dict)
        ),
    )


def _gorgias_customer_message(messages: list[Any]) -> Mapping[str, Any]:
    from_customer = [
        message
        for message in messages
        if isinstance(message, dict)
        and not message.get("from_agent")
        and message.get("public", True)
    ]
    if not from_customer:
        raise _BadTicketError("messages: no message from the customer", missing=True)
    last: Mapping[str, Any] = from_customer[-1]
    return last


def _gorgias_words(message: Mapping[str, Any]) -> str:
    for key in ("stripped_text", "body_text", "stripped_html", "body_html"):
        words = _text(message, key)
        if words:
            return words
    raise _BadTicketError("messages: the customer's message has no text", missing=True)


def _first_name(name: object) -> str | None:
    if not isinstance(name, str) or not name.strip():
        return None
    return name.strip().split()[0]
