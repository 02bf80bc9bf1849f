"""A Zendesk ticket (an export's, the API's or a webhook's) -> `TicketIn`.

- The customer's words: the requester's public comments, the latest deciding (the earlier
  ones are the history searched for a quoted order). Without comments, the ticket's
  `description` (its first comment), unless someone else opened the ticket (`submitter_id`
  is not the requester's: an agent on the phone or on the customer's behalf), whose words
  are not the customer's; such a ticket waits for the customer to write. (A contact form
  that makes tickets through the API names the requester only, and Zendesk makes the
  requester the submitter too; a caller that sets another `submitter_id` writes as them.)
- The address: the requester's (inline, else its user in the document's sideloaded `users`),
  else the sender of the e-mail (`via.source.from.address`).
- The channel: `via.channel`, a via type ("email", "web", "chat") or a via id (4 is mail;
  an id not mapped here is kept as "via N", which a guide's `channel` rule can name).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from evenhand.ingest.ticket_fields import (
    TicketFieldError,
    TicketIn,
    email,
    first_name,
    id_or_none,
    part,
    text,
    user_id,
    when,
    when_or_none,
)

# A ticket from chat or a web form names its requester by id only: the address is in the
# requester's user, which an export gives when it sideloads its users.
NO_ZENDESK_EMAIL = (
    "requester.email: missing: no e-mail address for the requester (looked for in the "
    "requester, the document's users and via.source.from.address; a Zendesk export "
    "sideloads its users with ?include=users)"
)
NO_REQUESTER_COMMENT = (
    "comments: missing: no public comment by the requester (someone else opened the ticket "
    "and the customer has not written yet)"
)
OPENED_BY_ANOTHER = (
    "description: missing: the ticket was opened by someone other than the requester "
    "(submitter_id), so its description is not the customer's words; the customer's own "
    "are in its comments (an export with comments, or a trigger on the customer's reply)"
)

# Via ids as the API may give them, to the via types a guide's `channel` rules name
# (developer.zendesk.com, "Via types reference"); the display names a trigger's
# {{ticket.via}} placeholder gives, likewise.
_VIA_IDS = {0: "web", 4: "email", 5: "api"}
_VIA_NAMES = {"mail": "email", "web form": "web", "web_form": "web", "web service": "api"}


def zendesk_ticket(
    record: Mapping[str, Any], *, line: int | None, users: Mapping[str, Any]
) -> TicketIn:
    requester = _requester(record, users)
    via = part(record, "via")
    words = customer_words(record)
    return TicketIn(
        ticket_id=str(text(record, "id", required=True)),
        created_at=when(record, "created_at"),
        channel=_channel(via.get("channel")),
        customer_email=_customer_email(requester, via),
        body=words[-1],
        subject=text(record, "subject") or text(record, "raw_subject"),
        first_name=first_name(requester.get("name")),
        source="zendesk",
        line=line,
        history="\n".join(words),
        message_key=_message_key(record),
        message_at=_message_at(record),
    )


def users_by_id(users: object) -> dict[str, Any]:
    """A document's sideloaded users by id (as text: an event gives ids as digits)."""
    if not isinstance(users, list):
        return {}
    found: dict[str, Any] = {}
    for user in users:
        key = user_id(user.get("id")) if isinstance(user, dict) else None
        if key is not None:
            found[key] = user
    return found


def _requester_id(record: Mapping[str, Any]) -> str | None:
    given = record.get("requester_id")
    return user_id(part(record, "requester").get("id") if given is None else given)


def _requester(record: Mapping[str, Any], users: Mapping[str, Any]) -> Mapping[str, Any]:
    """The requester inline, completed from the sideloaded user of its id where the inline
    one has no address (a requester given by name only, or by id only)."""
    given = part(record, "requester")
    if isinstance(given.get("email"), str):
        return given
    requester_id = _requester_id(record)
    found = users.get(requester_id) if requester_id is not None else None
    if not isinstance(found, dict):
        return given
    return {**found, **{key: value for key, value in given.items() if value is not None}}


def _customer_email(requester: Mapping[str, Any], via: Mapping[str, Any]) -> str:
    address = requester.get("email")
    if not isinstance(address, str):
        address = part(part(via, "source"), "from").get("address")
    if not isinstance(address, str):
        raise TicketFieldError(NO_ZENDESK_EMAIL, missing=True)
    return email(address, "requester.email")


def customer_words(record: Mapping[str, Any]) -> list[str]:
    """The requester's public comments' words, oldest first; else the description, when
    the requester wrote it (it is the ticket's first comment). A ticket someone else opened
    whose customer has not written raises `NO_REQUESTER_COMMENT` or `OPENED_BY_ANOTHER`."""
    requester_id = _requester_id(record)
    comments = record.get("comments")
    if isinstance(comments, list) and comments and requester_id is not None:
        words = [str(_comment_words(comment)) for comment in _requester_comments(record)]
        if words:
            return words
        opening = next((c for c in comments if isinstance(c, dict)), {})
        if user_id(opening.get("author_id")) not in (None, requester_id):  # the description
            raise TicketFieldError(NO_REQUESTER_COMMENT, missing=True)
    submitter = user_id(record.get("submitter_id"))
    if submitter is not None and requester_id is not None and submitter != requester_id:
        raise TicketFieldError(OPENED_BY_ANOTHER, missing=True)
    return [str(text(record, "description", required=True))]


def _requester_comments(record: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """The requester's public comments with words, oldest first (none without comments)."""
    requester_id = _requester_id(record)
    comments = record.get("comments")
    if not isinstance(comments, list) or requester_id is None:
        return []
    return [
        comment
        for comment in comments
        if isinstance(comment, dict)
        and comment.get("public", True)
        and user_id(comment.get("author_id")) == requester_id
        and _comment_words(comment)
    ]


def _message_key(record: Mapping[str, Any]) -> str | None:
    """The id of the requester's newest comment, when the record has its comments; else the
    description's, the ticket's first comment: "opened:" and the ticket's `created_at` as
    given (a trigger's words are its latest comment instead: `trigger_message_key`)."""
    said = _requester_comments(record)
    if said:
        return id_or_none(said[-1], "id")
    opened = text(record, "created_at")
    return f"opened:{opened}" if opened else None


def trigger_message_key(record: Mapping[str, Any]) -> str | None:
    """A trigger's message: its placeholders carry no comment id, and two triggers told of
    one update carry the same `updated_at` ("updated:" and the time as given), while the
    customer's next comment, in whatever words, updates it."""
    updated = text(record, "updated_at")
    return f"updated:{updated}" if updated else None


def _message_at(record: Mapping[str, Any]) -> datetime | None:
    """When the requester wrote their newest comment; without comments the words are the
    description, the ticket's first comment, written when it was created."""
    said = _requester_comments(record)
    return when_or_none(said[-1] if said else record, "created_at")


def _comment_words(comment: Mapping[str, Any]) -> str | None:
    return text(comment, "plain_body") or text(comment, "body") or text(comment, "html_body")


def _channel(value: object) -> str:
    if isinstance(value, int) and not isinstance(value, bool):
        return _VIA_IDS.get(value, f"via {value}")
    name = text({"via.channel": value}, "via.channel")
    if name is None:
        return "email"
    lowered = name.lower()
    return _VIA_NAMES.get(lowered, lowered)
