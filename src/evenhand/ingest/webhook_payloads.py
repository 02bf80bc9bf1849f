"""Webhook bodies -> what they ask Evenhand to do, validated before anything is stored.

`parse_payload(source, topic, body)` gives one of the dataclasses below, or raises
`PayloadError` with the reason (the delivery is then kept as failed, with that reason).
Nothing here does I/O: a helpdesk ticket that needs a look-up in the helpdesk's API
(a Zendesk event names its requester by id only; a Gorgias integration may send just the
ticket id) comes back as `FetchNeeded`. A review platform's delivery is checked at the
edge by the same `review_payload` the worker parses it with.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from decimal import Decimal
from enum import StrEnum
from pathlib import Path
from typing import Any

from evenhand.domain.models import Dispute, Order
from evenhand.domain.public_reviews import PublicReview
from evenhand.errors import AccessError, EvenhandError, InputError
from evenhand.ingest import cells
from evenhand.ingest.batch import Parsed
from evenhand.ingest.disputes import disputes_from_payload
from evenhand.ingest.gorgias_tickets import customer_wrote_last
from evenhand.ingest.json_source import JsonError, parse_json
from evenhand.ingest.public_reviews import parse_public_reviews
from evenhand.ingest.shopify_orders_json import order_from_rest, refund_total
from evenhand.ingest.ticket_fields import when_or_none
from evenhand.ingest.tickets import TicketIn, TicketProblem, ticket_from_object
from evenhand.ingest.zendesk_tickets import (
    NO_REQUESTER_COMMENT,
    OPENED_BY_ANOTHER,
    trigger_message_key,
)


class Source(StrEnum):
    SHOPIFY = "shopify"
    STRIPE = "stripe"
    ZENDESK = "zendesk"
    GORGIAS = "gorgias"
    TRUSTPILOT = "trustpilot"
    JUDGEME = "judgeme"


SHOPIFY_TOPICS = frozenset(
    {
        "orders/create",
        "orders/updated",
        "refunds/create",
        "disputes/create",
        "disputes/update",
        "customers/data_request",
        "customers/redact",
        "shop/redact",
    }
)
STRIPE_TOPICS = frozenset(
    {"charge.dispute.created", "charge.dispute.updated", "charge.dispute.closed"}
)
TRUSTPILOT_EVENTS = frozenset({"service-review-created", "service-review-updated"})
JUDGEME_EVENTS = frozenset({"review/created", "review/updated"})


class PayloadError(ValueError):
    """A delivery whose body cannot be acted on."""


@dataclass(frozen=True, slots=True)
class OrderChanged:
    order: Order
    refund_ids: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class RefundCreated:
    refund_id: int
    order_shopify_id: int
    amount: Decimal


@dataclass(frozen=True, slots=True)
class DisputesChanged:
    disputes: Parsed[Dispute]


@dataclass(frozen=True, slots=True)
class CustomerAsked:
    """customers/data_request or customers/redact."""

    email: str | None
    shopify_id: int | None
    redact: bool
    phone: str | None = None
    order_ids: tuple[int, ...] = ()  # orders_to_redact, or orders_requested


@dataclass(frozen=True, slots=True)
class ShopRedact:
    shop_domain: str | None


@dataclass(frozen=True, slots=True)
class TicketArrived:
    ticket: TicketIn
    provider: Source


@dataclass(frozen=True, slots=True)
class NothingNew:
    """A helpdesk told of a ticket with nothing from the customer to decide: its newest
    message is an agent's reply or an internal note (Evenhand's own too), or an agent opened
    it and the customer has not written yet."""

    ticket_id: str
    provider: Source
    why: str


@dataclass(frozen=True, slots=True)
class FetchNeeded:
    """A helpdesk ticket to complete from the helpdesk's API before it can be read."""

    provider: Source
    ticket_id: str
    ticket: dict[str, Any]  # what the webhook gave (Zendesk: the event's ticket)
    requester_id: int | None = None
    # The field that says when the customer wrote the words (`_arrived`), if the body does.
    written: str | None = None


@dataclass(frozen=True, slots=True)
class ReviewsArrived:
    """Public reviews created or edited on a review platform (Trustpilot, Judge.me)."""

    reviews: Parsed[PublicReview]
    source: Source


# What a delivery asks for once any helpdesk look-up is done.
Resolved = (
    OrderChanged
    | RefundCreated
    | DisputesChanged
    | CustomerAsked
    | ShopRedact
    | TicketArrived
    | NothingNew
    | ReviewsArrived
)
Payload = Resolved | FetchNeeded


def parse_payload(source: Source, topic: str, body: str, *, where: Path) -> Payload:
    try:
        document = parse_json(body)
    except JsonError as error:
        line = "" if error.line is None else f" (line {error.line})"
        raise PayloadError(f"{error.reason}{line}") from None
    if not isinstance(document, dict):
        raise PayloadError("the body is not a JSON object")
    try:
        cells.check_json(document)
        if source is Source.SHOPIFY:
            return _shopify(topic, document, body=body, where=where)
        if source is Source.STRIPE:
            return DisputesChanged(disputes_from_payload(document, text=body, source=where))
        if source is Source.ZENDESK:
            return _zendesk(document)
        if source in (Source.TRUSTPILOT, Source.JUDGEME):
            topic, reviews = review_payload(source, document, body=body, where=where)
            if reviews is None:
                raise PayloadError(f"topic {topic!r} is not one Evenhand handles")
            return reviews
        return _gorgias(document)
    except cells.CellError as error:
        raise PayloadError(f"{error.column}: {error.reason}") from None
    except EvenhandError as error:
        raise PayloadError(error.message if error.where is None else str(error)) from None


def _shopify(topic: str, document: dict[str, Any], *, body: str, where: Path) -> Payload:
    if topic in {"orders/create", "orders/updated"}:
        refunds = cells.items(document.get("refunds"), "refunds")
        ids = tuple(
            r["id"]
            for r in refunds
            if isinstance(r, dict)
            and isinstance(r.get("id"), int)
            and not isinstance(r["id"], bool)
        )
        return OrderChanged(order_from_rest(document), ids)
    if topic == "refunds/create":
        return RefundCreated(
            refund_id=_whole(document, "id"),
            order_shopify_id=_whole(document, "order_id"),
            amount=refund_total([document]),
        )
    if topic in {"disputes/create", "disputes/update"}:
        return DisputesChanged(disputes_from_payload(document, text=body, source=where))
    if topic in {"customers/data_request", "customers/redact"}:
        customer = cells.mapping(document.get("customer"), "customer")
        email, phone = customer.get("email"), customer.get("phone")
        shopify_id = customer.get("id")
        listed = document.get("orders_to_redact", document.get("orders_requested"))
        return CustomerAsked(
            email=email.strip().lower() if isinstance(email, str) and email.strip() else None,
            shopify_id=shopify_id
            if isinstance(shopify_id, int) and not isinstance(shopify_id, bool)
            else None,
            redact=topic == "customers/redact",
            phone=phone if isinstance(phone, str) and phone.strip() else None,
            order_ids=tuple(
                each
                for each in (listed if isinstance(listed, list) else [])
                if isinstance(each, int) and not isinstance(each, bool)
            ),
        )
    if topic == "shop/redact":
        domain = document.get("shop_domain")
        return ShopRedact(domain if isinstance(domain, str) else None)
    raise PayloadError(f"topic {topic!r} is not one Evenhand handles")


def review_payload(
    source: Source, document: dict[str, Any], *, body: str, where: Path
) -> tuple[str, ReviewsArrived | None]:
    """A review platform's delivery: its topic, and its reviews (None: no event Evenhand
    acts on; the topic then names the events). Trustpilot's `{"events": [...]}` keeps the
    service-review events; Judge.me's `{"event", "review": {...}}`.

    The edge calls it to refuse a bad delivery before storing it, the worker to act on a
    stored one: a body that is not the platform's shape raises `malformed_payload`, a
    review with a bad field `bad_value` or `missing_value`, naming it."""
    if source is Source.TRUSTPILOT:
        events = document.get("events")
        if not isinstance(events, list):
            raise EvenhandError(AccessError.MALFORMED_PAYLOAD, "events: expected a list of events")
        kept = [
            e for e in events if isinstance(e, dict) and e.get("eventName") in TRUSTPILOT_EVENTS
        ]
        if not kept:
            names = sorted({str(e.get("eventName")) for e in events if isinstance(e, dict)})
            return ",".join(names) or "no events", None
        topic = ",".join(sorted({str(e["eventName"]) for e in kept}))
        text = (
            body if len(kept) == len(events) else json.dumps({"events": kept}, ensure_ascii=False)
        )
    else:
        topic = str(document.get("event") or "")
        if topic not in JUDGEME_EVENTS:
            return topic or "no event", None
        if not isinstance(document.get("review"), dict):
            raise EvenhandError(AccessError.MALFORMED_PAYLOAD, "review: expected a JSON object")
        text = body
    try:
        cells.check_json(document)
    except cells.CellError as error:
        raise EvenhandError(InputError.BAD_VALUE, f"{error.column}: {error.reason}") from None
    return topic, ReviewsArrived(parse_public_reviews(text, source=where), source)


def _whole(document: dict[str, Any], key: str) -> int:
    """A whole number (bounded to a 64-bit column by `check_json` before)."""
    value = document.get(key)
    if not isinstance(value, int) or isinstance(value, bool):
        raise PayloadError(f"{key}: expected a whole number, not {cells.shown(value)}")
    return value


def _zendesk(document: dict[str, Any]) -> Payload:
    """A trigger webhook (`{"ticket": {...}}`, the body the README gives) or an event
    subscription (`{"type": "zen:event-type:ticket.created", "detail": {...}}`)."""
    # A trigger's description is {{ticket.latest_public_comment}}, written at the update
    # that fired it; an event's is the ticket's first comment, written when it was opened.
    written = None
    if isinstance(document.get("detail"), dict):
        ticket = dict(document["detail"])
    elif isinstance(document.get("ticket"), dict):
        ticket, written = dict(document["ticket"]), "updated_at"
    else:
        raise PayloadError('expected {"ticket": {...}} or an event with "detail"')
    ticket.setdefault("via", {"channel": "email"})
    requester = ticket.get("requester")
    if not (isinstance(requester, dict) and requester.get("email")):
        requester_id = ticket.get("requester_id")
        if isinstance(requester_id, bool) or not isinstance(requester_id, int | str):
            raise PayloadError("ticket: neither a requester e-mail nor a requester_id")
        if not cells.is_ascii_number(str(requester_id)):
            raise PayloadError(
                f"ticket.requester_id: not a Zendesk user id: {cells.shown(requester_id)}"
            )
        number = cells.whole_number(str(requester_id), "ticket.requester_id")
        return FetchNeeded(Source.ZENDESK, _ticket_id(ticket.get("id")), ticket, number, written)
    return _arrived(ticket, Source.ZENDESK, written=written)


def _gorgias(document: dict[str, Any]) -> Payload:
    """The HTTP integration's body: a ticket (`{"ticket": {...}}` or bare) with its
    messages, or just its id (`{"ticket_id": ...}`), which is then fetched."""
    ticket = document.get("ticket") if isinstance(document.get("ticket"), dict) else document
    assert isinstance(ticket, dict)
    if isinstance(ticket.get("messages"), list):
        return _gorgias_arrived(ticket)
    ticket_id = ticket.get("id", document.get("ticket_id"))
    if isinstance(ticket_id, bool) or not isinstance(ticket_id, int | str):
        raise PayloadError("expected a Gorgias ticket with messages, or a ticket_id")
    return FetchNeeded(Source.GORGIAS, _ticket_id(ticket_id), {})


def _ticket_id(value: object) -> str:
    """A helpdesk ticket's id, to fetch it by: digits (Zendesk and Gorgias number them)."""
    text = str(value).strip() if isinstance(value, int | str) else ""
    if not cells.is_ascii_number(text):
        raise PayloadError(f"ticket id: not a ticket number: {cells.shown(value)}")
    return text


def _arrived(
    ticket: dict[str, Any], provider: Source, *, written: str | None = None
) -> TicketArrived | NothingNew:
    """The ticket read; with `written`, the field that says when the customer wrote the
    words, where the ticket's comments do not."""
    found = ticket_from_object(ticket)
    if isinstance(found, TicketProblem) and found.error in (
        OPENED_BY_ANOTHER,
        NO_REQUESTER_COMMENT,
    ):
        why = "an agent opened the ticket; the customer has not written in it yet"
        return NothingNew(_ticket_id(ticket.get("id")), provider, why)
    if isinstance(found, TicketProblem):
        raise PayloadError(found.error)
    if written is not None and not isinstance(ticket.get("comments"), list):
        found = replace(
            found,
            message_at=when_or_none(ticket, written),
            message_key=trigger_message_key(ticket),
        )
    return TicketArrived(found, provider)


def _gorgias_arrived(ticket: dict[str, Any]) -> TicketArrived | NothingNew:
    """Gorgias tells of every new message: one not from the customer leaves nothing to
    decide (else Evenhand's own note would have the ticket decided and noted again)."""
    if not customer_wrote_last(ticket):
        why = "the newest message is not the customer's"
        return NothingNew(_ticket_id(ticket.get("id")), Source.GORGIAS, why)
    return _arrived(ticket, Source.GORGIAS)


def complete_ticket(fetch: FetchNeeded, found: dict[str, Any]) -> TicketArrived | NothingNew:
    """The ticket of a FetchNeeded, with what the helpdesk's API answered."""
    if fetch.provider is Source.ZENDESK:
        return _arrived(fetch.ticket | {"requester": found}, Source.ZENDESK, written=fetch.written)
    return _gorgias_arrived(found)
