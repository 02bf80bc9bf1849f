"""The facts a resolution guide may decide on, and nothing else.

Threat signals are deliberately absent: a guide cannot mention them, so a threat cannot
buy a better remedy. A dispute the customer says they filed is a fact (it moves the ticket
to the dispute process) and is folded into `dispute` here.

The evidence a remedy rests on is a fact too: how the order was found (`order_match`),
whether the reader is sure enough of the intent (`reading`), the dispute's scope, the
delivery state, and what the customer asked for in their own words.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from decimal import Decimal
from enum import StrEnum

from evenhand.domain.intents import DISPUTE_FILED_SIGNAL, Intent, SignalKind


class Tier(StrEnum):
    VIP = "vip"
    STANDARD = "standard"


class DisputeState(StrEnum):
    """A bank dispute and the ticket's order: the dispute process takes only its own order."""

    THIS_ORDER = "this_order"  # an open dispute on the order the ticket is about
    CLAIMED = "claimed"  # the message says one was filed (the chargeback_filed signal)
    OTHER_ORDER = "other_order"  # open on another of the customer's orders: flagged only
    NONE = "none"


# `open`, the one value before disputes had a scope, still reads in a guide's cells:
# any open or claimed dispute, as it meant then (docs/reference/guide.md).
LEGACY_OPEN_DISPUTE = "open"


class OrderMatch(StrEnum):
    """How the order a ticket is about was found."""

    QUOTED = "quoted"  # an order number in the message, one of this customer's
    LATEST = "latest"  # no number quoted: the customer's latest order before the ticket
    NONE = "none"  # no order of this customer's


class Delivery(StrEnum):
    NOT_SHIPPED = "not_shipped"
    IN_TRANSIT = "in_transit"
    DELIVERED = "delivered"


class ReadingStrength(StrEnum):
    """Whether the reader's confidence reaches the guide's `remedy_confidence`."""

    SURE = "sure"
    UNSURE = "unsure"


class AskedFor(StrEnum):
    """What the customer asked for in their own words, when they said."""

    REFUND = "refund"
    REPLACEMENT = "replacement"
    NONE = "none"


class CustomerKnown(StrEnum):
    KNOWN = "known"
    UNKNOWN = "unknown"


class FactType(StrEnum):
    CHOICE = "choice"  # one of a closed set of words
    NUMBER = "number"
    FLAG = "flag"  # true or false
    TEXT = "text"  # an open set of words (channel, language)


@dataclass(frozen=True, slots=True)
class FactSpec:
    name: str
    type: FactType
    description: str
    choices: tuple[str, ...] = ()
    nullable: bool = False
    aliases: tuple[tuple[str, tuple[str, ...]], ...] = ()  # an old word -> the values it means


def _values(kind: type[StrEnum]) -> tuple[str, ...]:
    return tuple(member.value for member in kind)


FULFILMENT_STATUSES = ("fulfilled", "partial", "unfulfilled", "restocked")

_SPECS = (
    FactSpec("intent", FactType.CHOICE, "what the message is about", _values(Intent)),
    FactSpec("confidence", FactType.NUMBER, "the reader's confidence in the intent, 0..1"),
    FactSpec("tier", FactType.CHOICE, "vip when the LTV reaches the threshold", _values(Tier)),
    FactSpec(
        "dispute",
        FactType.CHOICE,
        "an open bank dispute on this order or another, or one the message says was filed",
        _values(DisputeState),
        aliases=((LEGACY_OPEN_DISPUTE, ("this_order", "claimed", "other_order")),),
    ),
    FactSpec(
        "customer", FactType.CHOICE, "whether the shop knows the customer", _values(CustomerKnown)
    ),
    FactSpec(
        "order_match",
        FactType.CHOICE,
        "how the ticket's order was found: quoted, the latest, or none",
        _values(OrderMatch),
    ),
    FactSpec(
        "reading",
        FactType.CHOICE,
        "sure when the confidence reaches the guide's remedy_confidence",
        _values(ReadingStrength),
    ),
    FactSpec(
        "delivery",
        FactType.CHOICE,
        "the order's delivery state",
        _values(Delivery),
        nullable=True,
    ),
    FactSpec(
        "days_in_transit", FactType.NUMBER, "days since shipping, while in transit", nullable=True
    ),
    FactSpec("days_since_delivery", FactType.NUMBER, "days since it was delivered", nullable=True),
    FactSpec("asked_for", FactType.CHOICE, "what the message asks for in words", _values(AskedFor)),
    FactSpec("new_address_given", FactType.FLAG, "the message gives a new delivery address"),
    FactSpec(
        "cancellation_quoted", FactType.FLAG, "the message says or quotes a cancellation made"
    ),
    FactSpec("pause_asked", FactType.FLAG, "the message asks to pause a subscription"),
    FactSpec("orders", FactType.NUMBER, "counted orders"),
    FactSpec("gross_sales", FactType.NUMBER, "what the customer paid, in the shop currency"),
    FactSpec("refunds", FactType.NUMBER, "what was refunded"),
    FactSpec("net_revenue", FactType.NUMBER, "gross sales minus refunds"),
    FactSpec("gross_margin", FactType.NUMBER, "merchandise minus cost"),
    FactSpec(
        "predicted_clv",
        FactType.NUMBER,
        "spend expected over the CLV horizon, discounted (with ltv_metric: predicted_clv)",
        nullable=True,
    ),
    FactSpec("ltv", FactType.NUMBER, "the guide's LTV metric"),
    FactSpec("average_order_value", FactType.NUMBER, "gross sales per counted order"),
    FactSpec("open_disputes", FactType.NUMBER, "the customer's open bank disputes"),
    FactSpec("order_value", FactType.NUMBER, "the ticket's order total", nullable=True),
    FactSpec("days_since_order", FactType.NUMBER, "days from order to ticket", nullable=True),
    FactSpec("days_since_fulfilment", FactType.NUMBER, "days from fulfilment", nullable=True),
    FactSpec(
        "fulfilment_status", FactType.CHOICE, "the order's", FULFILMENT_STATUSES, nullable=True
    ),
    FactSpec("subscription", FactType.FLAG, "the order is a subscription order", nullable=True),
    FactSpec("channel", FactType.TEXT, "where the ticket came in: email, chat, web..."),
    FactSpec("language", FactType.TEXT, "the message's language (ISO 639-1)"),
)
FACTS: dict[str, FactSpec] = {spec.name: spec for spec in _SPECS}


@dataclass(frozen=True, slots=True)
class Facts:
    """Everything the guide sees about one ticket. Money is in the shop's currency."""

    intent: Intent
    confidence: Decimal = Decimal(1)
    tier: Tier = Tier.STANDARD
    dispute: DisputeState = DisputeState.NONE
    customer: CustomerKnown = CustomerKnown.UNKNOWN
    order_match: OrderMatch = OrderMatch.NONE
    reading: ReadingStrength = ReadingStrength.SURE
    delivery: Delivery | None = None
    days_in_transit: int | None = None
    days_since_delivery: int | None = None
    asked_for: AskedFor = AskedFor.NONE
    new_address_given: bool = False
    cancellation_quoted: bool = False
    pause_asked: bool = False
    orders: int = 0
    gross_sales: Decimal = Decimal(0)
    refunds: Decimal = Decimal(0)
    net_revenue: Decimal = Decimal(0)
    gross_margin: Decimal = Decimal(0)
    predicted_clv: Decimal | None = None
    ltv: Decimal = Decimal(0)
    average_order_value: Decimal = Decimal(0)
    open_disputes: int = 0
    order_value: Decimal | None = None
    days_since_order: int | None = None
    days_since_fulfilment: int | None = None
    fulfilment_status: str | None = None
    subscription: bool | None = None
    channel: str = "email"
    language: str = "en"

    def value(self, name: str) -> object:
        return getattr(self, name)

    def as_json(self) -> dict[str, object]:
        return {name: _json_value(self.value(name)) for name in FACTS}


def _json_value(value: object) -> object:
    if isinstance(value, Decimal):
        return str(value)
    return value


def with_message_signals(facts: Facts, signals: Iterable[SignalKind]) -> Facts:
    """A message saying a dispute was filed makes it claimed (unless it is open on this
    order already); threats change nothing."""
    if DISPUTE_FILED_SIGNAL in set(signals) and facts.dispute is not DisputeState.THIS_ORDER:
        return replace(facts, dispute=DisputeState.CLAIMED)
    return facts


def routed_to_dispute(dispute: DisputeState) -> bool:
    """The disputes the dispute process takes: on this order, or said to be filed."""
    return dispute in {DisputeState.THIS_ORDER, DisputeState.CLAIMED}
