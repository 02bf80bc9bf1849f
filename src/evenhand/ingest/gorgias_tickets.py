"""A Gorgias ticket (an export's `data`, the API's or the HTTP integration's) -> `TicketIn`.

- The customer's words: the public messages not from an agent, the latest deciding
  (`stripped_text`, else `body_text`, `stripped_html`, `body_html`); the earlier ones are
  the history searched for a quoted order. Agents' replies and internal notes are neither.
- The address: `customer.email`, else the customer's e-mail channel (`channels[]` of type
  `email`), else the message's `sender.email`, else its `source.from.address`.
- Times: Gorgias states them in UTC, with or without an offset.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from evenhand.ingest.ticket_fields import (
    TicketFieldError,
    TicketIn,
    email,
    first_name,
    id_or_none,
    part,
    text,
    when,
    when_or_none,
)

NO_MESSAGES = (
    "messages: missing: a Gorgias ticket is read with its messages (GET /api/tickets/{id} "
    "gives them)"
)


def gorgias_ticket(record: Mapping[str, Any], *, line: int | None) -> TicketIn:
    messages = record.get("messages")
    if not isinstance(messages, list):
        raise TicketFieldError(NO_MESSAGES, missing=True)
    said = _customer_messages(messages)
    message = said[-1]
    customer = part(record, "customer")
    return TicketIn(
        ticket_id=str(text(record, "id", required=True)),
        created_at=when(record, "created_datetime", naive_is_utc=True),
        channel=(text(record, "channel") or text(message, "channel") or "email").lower(),
        customer_email=email(_address(customer, message), "customer.email"),
        body=_words(message),
        subject=text(record, "subject") or text(message, "subject"),
        first_name=text(customer, "firstname") or first_name(customer.get("name")),
        source="gorgias",
        line=line,
        history="\n".join(_words_or_none(m) or "" for m in said),
        message_key=id_or_none(message, "id"),
        message_at=when_or_none(message, "created_datetime", naive_is_utc=True),
    )


def customer_wrote_last(record: Mapping[str, Any]) -> bool:
    """The ticket's newest message is a public one from the customer (not an agent's reply
    or an internal note, Evenhand's own among them): there is something new to decide."""
    messages = _in_time_order(record.get("messages") or ())
    if not messages:
        return False
    newest = messages[-1]
    return not newest.get("from_agent") and bool(newest.get("public", True))


def _in_time_order(messages: Sequence[Any]) -> list[Mapping[str, Any]]:
    """The message objects, oldest first: by `created_datetime` when each has one (ISO 8601,
    as Gorgias writes them all), else as listed."""
    found: list[Mapping[str, Any]] = [m for m in messages if isinstance(m, dict)]
    stamps = [m.get("created_datetime") for m in found]
    if all(isinstance(stamp, str) for stamp in stamps):
        return [m for _, m in sorted(zip(stamps, found, strict=True), key=_first)]
    return found


def _first(pair: tuple[Any, Any]) -> Any:
    return pair[0]


def _customer_messages(messages: Sequence[Any]) -> list[Mapping[str, Any]]:
    said: list[Mapping[str, Any]] = [
        message
        for message in _in_time_order(messages)
        if not message.get("from_agent") and message.get("public", True)
    ]
    if not said:
        raise TicketFieldError("messages: no message from the customer", missing=True)
    return said


def _words(message: Mapping[str, Any]) -> str:
    words = _words_or_none(message)
    if words is None:
        raise TicketFieldError("messages: the customer's message has no text", missing=True)
    return words


def _words_or_none(message: Mapping[str, Any]) -> str | None:
    for key in ("stripped_text", "body_text", "stripped_html", "body_html"):
        words = text(message, key)
        if words:
            return words
    return None


def _address(customer: Mapping[str, Any], message: Mapping[str, Any]) -> str | None:
    """The first address given, in the order the module's docstring says (checked after)."""
    channels = customer.get("channels")
    by_channel = [
        channel.get("address")
        for channel in (channels if isinstance(channels, list) else [])
        if isinstance(channel, dict) and channel.get("type") == "email"
    ]
    sent_from = part(part(message, "source"), "from").get("address")
    candidates = [
        customer.get("email"),
        *by_channel,
        part(message, "sender").get("email"),
        sent_from if isinstance(sent_from, str) and "@" in sent_from else None,  # not a chat id
    ]
    return next((c for c in candidates if isinstance(c, str) and c.strip()), None)
