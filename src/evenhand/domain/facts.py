"""The facts a resolution guide may decide on, and nothing else.

Threat signals are deliberately absent: a guide cannot mention them, so a threat cannot
buy a better remedy. A dispute the customer says they filed is a fact (it moves the ticket
to the dispute process) and is folded into `dispute` here.
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
    OPEN = "open"
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


def _values(kind: type[StrEnum]) -> tuple[str, ...]:
    return tuple(member.value for member in kind)


FULFILMENT_STATUSES = ("fulfilled", "partial", "unfulfilled", "restocked")

_SPECS = (
    FactSpec("intent", FactType.CHOICE, "what the message is about", _values(Intent)),
    FactSpec("confidence", FactType.NUMBER, "the reader's confidence in the intent, 0..1"),
    FactSpec("tier", FactType.CHOICE, "vip when the LTV reaches the threshold", _values(Tier)),
    FactSpec(
        "dispute", FactType.CHOICE, "open bank dispute, or said to be filed", _values(DisputeState)
    ),
    FactSpec(
        "customer", FactType.CHOICE, "whether the shop knows the customer", _values(CustomerKnown)
    ),
    FactSpec("orders", FactType.NUMBER, "counted orders"),
    FactSpec("gross_sales", FactType.NUMBER, "what the customer paid, in the shop currency"),
    FactSpec("refunds", FactType.NUMBER, "what was refunded"),
    FactSpec("net_revenue", FactType.NUMBER, "gross sales minus refunds"),
    FactSpec("gross_margin", FactType.NUMBER, "merchandise minus cost"),
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
    orders: int = 0
    gross_sales: Decimal = Decimal(0)
    refunds: Decimal = Decimal(0)
    net_revenue: Decimal = Decimal(0)
    gross_margin: Decimal = Decimal(0)
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
    """A message saying a dispute was filed makes the dispute open; threats change nothing."""
    if DISPUTE_FILED_SIGNAL in set(signals):
        return replace(facts, dispute=DisputeState.OPEN)
    return facts
