"""The dispute desk's vocabulary: how urgent a dispute is, the evidence fields a bank
reads, the shop's policies as text, and a short argument drafted per reason code.

Pure: `now` is passed in. The argument states what the shop's records show and nothing
more; the agent edits it before anything is sent.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from evenhand.domain.guide import GuideSettings, ReturnShipping


class Urgency(StrEnum):
    OVERDUE = "overdue"  # the evidence due date has passed
    DUE_SOON = "due_soon"  # due within the desk's warning window
    OPEN = "open"  # due later
    NO_DATE = "no_date"  # the provider gave no due date
    WITH_BANK = "with_bank"  # under review: the evidence went in, nothing is due from the shop
    CLOSED = "closed"  # won, lost, accepted, refunded: nothing is due


# The statuses in which the bank waits for the shop's evidence, and in which it reviews it
# (Stripe's and Shopify's); any other is closed.
AWAITING_EVIDENCE = frozenset({"needs_response", "warning_needs_response"})
UNDER_REVIEW = frozenset({"under_review", "warning_under_review"})


def urgency(
    due_by: datetime | None, *, now: datetime, soon: timedelta, status: str | None = None
) -> Urgency:
    """How soon the shop's evidence is due; nothing is once the dispute is under review."""
    if status in UNDER_REVIEW:
        return Urgency.WITH_BANK
    if status is not None and status not in AWAITING_EVIDENCE:
        return Urgency.CLOSED
    if due_by is None:
        return Urgency.NO_DATE
    if due_by < now:
        return Urgency.OVERDUE
    return Urgency.DUE_SOON if due_by - now <= soon else Urgency.OPEN


# Stripe's `evidence[...]` text fields the pack fills, in the order a bank reads them.
EVIDENCE_FIELDS: tuple[str, ...] = (
    "customer_name",
    "customer_email_address",
    "billing_address",
    "product_description",
    "shipping_carrier",
    "shipping_tracking_number",
    "shipping_date",
    "customer_communication",
    "refund_policy",
    "cancellation_policy",
    "uncategorized_text",
)
EVIDENCE_LABELS: dict[str, str] = {
    "customer_name": "Customer name",
    "customer_email_address": "Customer e-mail",
    "billing_address": "Billing address",
    "product_description": "What was bought",
    "shipping_carrier": "Carrier",
    "shipping_tracking_number": "Tracking number",
    "shipping_date": "Shipping date",
    "customer_communication": "Communication with the customer",
    "refund_policy": "Refund and return policy",
    "cancellation_policy": "Subscription and cancellation terms",
    "uncategorized_text": "The shop's argument and order history",
}
# Stripe limits all evidence text together to 150,000 characters.
EVIDENCE_TEXT_LIMIT = 150_000


def refund_policy(settings: GuideSettings) -> str:
    """The return and refund policy the guide enforces, in words."""
    shipping = (
        "the shop pays the return shipping"
        if settings.return_shipping is ReturnShipping.SHOP
        else "the customer pays the return shipping"
    )
    return (
        f"Returns: an item may be returned within {settings.return_window_days} days of "
        "receipt, with no reason needed; the customer may open and examine it as in a shop, "
        "and only a loss in value from further use may be deducted. "
        f"{shipping[0].upper()}{shipping[1:]}, and the refund is made when the return "
        "arrives. Damaged, wrong or missing items: the customer chooses a "
        "replacement or a full refund, and nothing needs to be sent back. Faulty goods "
        "remain covered by the statutory right to complain after the return window."
    )


def cancellation_policy(settings: GuideSettings) -> str:
    """The subscription terms the guide applies, in words."""
    return (
        "Subscriptions renew automatically on the terms accepted at checkout. A "
        "subscription can be cancelled at any time before a renewal by writing to customer "
        "service; a delivery already charged may be returned within "
        f"{settings.return_window_days} days of receipt, as any other order, and is then "
        "refunded."
    )


@dataclass(frozen=True, slots=True)
class CaseFacts:
    """What the shop's records say about the disputed order and its customer."""

    order_name: str | None
    placed_on: str | None  # ISO dates, as the argument prints them
    shipped_on: str | None
    fulfillment_status: str | None
    refunded: str | None  # the order's refunded amount, when any
    amount: str  # the disputed amount with its currency
    undisputed_orders: int  # the customer's other orders
    tickets: int  # messages the customer wrote to customer service
    mentions_fault: bool = False  # a ticket about this order reported a problem


def draft_argument(reason: str | None, facts: CaseFacts) -> str:
    """A short, factual argument for the bank, by the dispute's reason code."""
    order = facts.order_name or "the order"
    opening = f"The customer disputes {facts.amount} for {order}"
    opening += f", placed on {facts.placed_on}." if facts.placed_on else "."
    body = _ARGUMENTS.get(reason or "", _general)(facts)
    return " ".join(part for part in (opening, body, _history(facts)) if part)


def _shipped(facts: CaseFacts) -> str:
    if facts.shipped_on:
        return f"The order was shipped on {facts.shipped_on}"
    if facts.fulfillment_status:
        return f"The order's fulfilment status is {facts.fulfillment_status}"
    return "The shop's records hold no shipment for the order"


def _not_received(facts: CaseFacts) -> str:
    return (
        f"{_shipped(facts)}; the carrier and tracking number are given with this evidence. "
        "The customer did not ask customer service to investigate a lost parcel before "
        "disputing the payment."
        if facts.tickets == 0
        else f"{_shipped(facts)}; the carrier and tracking number are given with this "
        "evidence. The customer's messages and the shop's answers are attached: the shop "
        "offered the remedy its policy gives for a parcel not received."
    )


def _unacceptable(facts: CaseFacts) -> str:
    told = (
        "The customer reported a problem with the goods, and the shop offered a replacement "
        "or a full refund without a return, as its policy gives for a damaged, wrong or "
        "missing item; the messages are attached."
        if facts.mentions_fault
        else "The customer did not tell the shop of any fault before disputing the payment; "
        "the return policy, which would have given a refund, is attached."
    )
    return f"The goods were sold as described. {_shipped(facts)}. {told}"


def _unrecognized(facts: CaseFacts) -> str:
    return (
        "The purchase was made in the shop's online store with the customer's own name and "
        f"e-mail address, and shipped to them. {_shipped(facts)}."
    )


def _fraudulent(facts: CaseFacts) -> str:
    return (
        "The payment was authorised by the card holder in the shop's online store; the "
        f"name, e-mail address and delivery match the customer's account. {_shipped(facts)}."
    )


def _subscription(facts: CaseFacts) -> str:
    messages = "; so are the customer's messages to the shop" if facts.tickets else ""
    return f"The shop's subscription and cancellation terms are attached{messages}."


def _duplicate(facts: CaseFacts) -> str:
    return (
        f"This is a single charge for {facts.order_name or 'one order'}; no other charge "
        "for the same goods was taken, and each of the customer's orders is listed below."
    )


def _credit(facts: CaseFacts) -> str:
    if facts.refunded:
        return f"The shop has refunded {facts.refunded} of this order, as its policy gives."
    return (
        "The shop has no return of these goods on record, so no refund was due under its "
        "return policy, which is attached."
    )


def _general(facts: CaseFacts) -> str:
    return f"{_shipped(facts)}. The order's records and the customer's messages are attached."


_ARGUMENTS = {
    "product_not_received": _not_received,
    "product_unacceptable": _unacceptable,
    "unrecognized": _unrecognized,
    "fraudulent": _fraudulent,
    "subscription_canceled": _subscription,
    "duplicate": _duplicate,
    "credit_not_processed": _credit,
}
ARGUED_REASONS = frozenset(_ARGUMENTS)


def _history(facts: CaseFacts) -> str:
    if not facts.undisputed_orders:
        return ""
    plural = "s" if facts.undisputed_orders != 1 else ""
    return (
        f"The customer has placed {facts.undisputed_orders} other order{plural} with the shop "
        "without disputing them."
    )
