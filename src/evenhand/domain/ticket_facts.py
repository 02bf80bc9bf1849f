"""From what is known about a ticket (the reading, the customer, the order) to `Facts`."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from evenhand.domain.facts import (
    AskedFor,
    CustomerKnown,
    Delivery,
    DisputeState,
    Facts,
    OrderMatch,
    with_message_signals,
)
from evenhand.domain.guide import GuideSettings
from evenhand.domain.intents import Intent, SignalKind
from evenhand.domain.replies import (
    ORDER_NAME_CHARS,
    ReplyContext,
    greeting_name,
    receipt_days,
)
from evenhand.domain.value import CustomerValue


@dataclass(frozen=True, slots=True)
class OrderSnapshot:
    """The order a ticket is about, as far as the guide and the reply need it."""

    name: str
    created_at: datetime
    total: Decimal
    fulfilment_status: str | None
    fulfilled_at: datetime | None
    subscription: bool
    match: OrderMatch = OrderMatch.QUOTED  # how it was found
    delivered_at: datetime | None = None  # when a carrier event says so


def delivery_of(order: OrderSnapshot, at: datetime) -> Delivery | None:
    """As it stood at the ticket: delivered when a carrier said so; in transit once
    shipped; else not shipped (an event after the ticket had not happened yet)."""
    if order.delivered_at is not None and order.delivered_at <= at:
        return Delivery.DELIVERED
    if order.fulfilment_status == "restocked":
        return None
    if order.fulfilled_at is not None:
        return Delivery.IN_TRANSIT if order.fulfilled_at <= at else Delivery.NOT_SHIPPED
    return Delivery.IN_TRANSIT if order.fulfilment_status == "fulfilled" else Delivery.NOT_SHIPPED


def delivery_now(
    fulfilment_status: str | None, fulfilled_at: datetime | None, delivered_at: datetime | None
) -> Delivery | None:
    """Where the order stands now, read as `delivery_of` reads it at the ticket."""
    if delivered_at is not None:
        return Delivery.DELIVERED
    if fulfilment_status == "restocked":
        return None
    if fulfilled_at is not None or fulfilment_status == "fulfilled":
        return Delivery.IN_TRANSIT
    return Delivery.NOT_SHIPPED


def is_subscription_order(tags: str) -> bool:
    """Subscription apps tag their orders "Subscription", "Subscription Recurring Order"..."""
    return any(tag.strip().lower().startswith("subscription") for tag in tags.split(","))


def whole_days(since: datetime | None, until: datetime) -> int | None:
    return None if since is None else max((until - since).days, 0)


@dataclass(frozen=True, slots=True)
class CustomerWords:
    """What the message says in so many words (read by `evenhand.understand.requests`)."""

    asked_for: AskedFor = AskedFor.NONE
    new_address_given: bool = False
    cancellation_quoted: bool = False
    pause_asked: bool = False


@dataclass(frozen=True, slots=True)
class TicketContext:
    intent: Intent
    confidence: float
    channel: str
    language: str
    created_at: datetime
    signals: tuple[SignalKind, ...] = ()
    words: CustomerWords = field(default_factory=CustomerWords)


def facts_for(
    ticket: TicketContext,
    *,
    value: CustomerValue | None,
    order: OrderSnapshot | None,
    settings: GuideSettings,
    disputed_orders: frozenset[str] = frozenset(),
) -> Facts:
    """The facts of one ticket; an unknown customer is standard with value 0.

    `disputed_orders` are the names of the customer's orders with an open bank dispute.
    """
    known = value is not None
    ltv = value.ltv(settings.ltv_metric).amount if value else Decimal(0)
    confidence = Decimal(str(round(ticket.confidence, 3)))
    facts = Facts(
        intent=ticket.intent,
        confidence=confidence,
        reading=settings.reading_for(confidence),
        tier=settings.tier_for(ltv),
        dispute=dispute_scope(order, disputed_orders),
        customer=CustomerKnown.KNOWN if known else CustomerKnown.UNKNOWN,
        channel=ticket.channel,
        language=ticket.language,
        asked_for=ticket.words.asked_for,
        new_address_given=ticket.words.new_address_given,
        cancellation_quoted=ticket.words.cancellation_quoted,
        pause_asked=ticket.words.pause_asked,
        **_value_facts(value, ltv),
        **_order_facts(order, ticket.created_at),
    )
    return with_message_signals(facts, ticket.signals)


def dispute_scope(order: OrderSnapshot | None, disputed_orders: frozenset[str]) -> DisputeState:
    """This order's dispute, or one on another order (a flag, not a reason to stop)."""
    if order is not None and order.name in disputed_orders:
        return DisputeState.THIS_ORDER
    return DisputeState.OTHER_ORDER if disputed_orders else DisputeState.NONE


def _value_facts(value: CustomerValue | None, ltv: Decimal) -> dict[str, Any]:
    if value is None:
        return {}
    return {
        "orders": value.orders,
        "gross_sales": value.gross_sales.amount,
        "refunds": value.refunds.amount,
        "net_revenue": value.net_revenue.amount,
        "gross_margin": value.gross_margin.amount,
        "predicted_clv": value.predicted_clv.amount if value.predicted_clv else None,
        "ltv": ltv,
        "average_order_value": value.average_order_value.amount,
        "open_disputes": value.open_disputes,
    }


def _order_facts(order: OrderSnapshot | None, now: datetime) -> dict[str, Any]:
    if order is None:
        return {"order_match": OrderMatch.NONE}
    delivery = delivery_of(order, now)
    return {
        "order_match": order.match,
        "order_value": order.total,
        "days_since_order": whole_days(order.created_at, now),
        "days_since_fulfilment": whole_days(order.fulfilled_at, now),
        "fulfilment_status": order.fulfilment_status or "unfulfilled",
        "subscription": order.subscription,
        "delivery": delivery,
        "days_in_transit": whole_days(order.fulfilled_at, now)
        if delivery is Delivery.IN_TRANSIT
        else None,
        "days_since_delivery": whole_days(order.delivered_at, now)
        if delivery is Delivery.DELIVERED
        else None,
    }


def reply_context(
    facts: Facts,
    *,
    settings: GuideSettings,
    first_name: str | None,
    order_name: str | None,
    days_since_delivery: int | None = None,
) -> ReplyContext:
    """What the reply may say: never the tier, the value, or a threat.

    The return window is counted from receipt (the delivery date, else shipping plus the
    guide's transit days), never from the order or the shipping date."""
    shipped = facts.days_since_fulfilment
    if days_since_delivery is None:
        # The carrier's delivery date as a fact, where the facts carry it (branch
        # i22-evidence adds `days_since_delivery` to `Facts`).
        days_since_delivery = getattr(facts, "days_since_delivery", None)
    received = receipt_days(
        days_since_delivery=days_since_delivery,
        days_since_fulfilment=shipped,
        transit_days=settings.transit_days,
    )
    late = (
        days_since_delivery is None and shipped is not None and shipped > settings.late_after_days
    )
    return ReplyContext(
        shop_name=settings.shop_name,
        return_window_days=settings.return_window_days,
        shop_pays_return=settings.return_shipping.value == "shop",
        first_name=greeting_name(first_name),
        order_name=greeting_name(order_name, limit=ORDER_NAME_CHARS),
        fulfilment_status=facts.fulfilment_status,
        days_since_order=facts.days_since_order,
        days_since_fulfilment=shipped,
        days_left_to_return=None if received is None else settings.return_window_days - received,
        transit_days=settings.transit_days,
        days_since_delivery=days_since_delivery,
        days_since_receipt=received,
        parcel_late=late,
    )
