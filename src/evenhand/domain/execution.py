"""What carrying out a remedy takes: the steps an approval sets going, in order.

Pure: which steps a remedy needs, given what is known of the order and the ticket. The
steps are carried out by the worker (actions.execute), each exactly once.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from evenhand.domain.facts import AskedFor, Delivery
from evenhand.domain.remedies import Remedy


class StepKind(StrEnum):
    REFUND = "refund"  # Shopify refundCreate: the order's amount still refundable
    CANCEL_ORDER = "cancel_order"  # Shopify orderCancel (unfulfilled order), with a refund
    REPLACEMENT = "replacement"  # Shopify draftOrderCreate at 100 % off + draftOrderComplete
    CANCEL_SUBSCRIPTION = "cancel_subscription"  # Shopify subscriptionContractCancel
    PAUSE_SUBSCRIPTION = "pause_subscription"  # Shopify subscriptionContractPause
    # A paid reship: draftOrderCreate (the lines at 100 % off, the shipping at the
    # customer's cost) and draftOrderInvoiceSend: the customer pays the shipping at checkout.
    SHIPPING_INVOICE = "shipping_invoice"
    SEND_REPLY = "send_reply"  # the helpdesk: a public reply on the ticket
    SET_STATUS = "set_status"  # the helpdesk: the ticket's status as the settings say
    # The helpdesk: the ticket waits for the customer's answer (Zendesk's "pending").
    AWAIT_CUSTOMER = "await_customer"
    # An order edited as the customer asked: never carried out by Evenhand (it does not
    # edit orders); an agent makes it in Shopify and approves with 'done by hand'.
    CHANGE_ORDER = "change_order"


class Choice(StrEnum):
    """What an approved `replace_or_refund` carries out: the reply asks the customer which
    they want (nothing at the shop yet), or the agent sends the replacement or refunds."""

    ASK = "ask"
    REPLACEMENT = "replacement"
    REFUND = "refund"


class StepState(StrEnum):
    PENDING = "pending"  # not yet done: due now or after a wait
    DONE = "done"  # carried out; never carried out again
    FAILED = "failed"  # refused, or too many tries: an agent looks


class Settling(StrEnum):
    """How an agent settles a failed step from its ticket."""

    RETRY = "retry"  # back to pending: one more try, its idempotency key unchanged
    DONE_BY_HAND = "done_by_hand"  # the agent did it themselves; the steps after it go on


# Steps that give money (or goods) away without a payment.
MONEY_STEPS = frozenset(
    {StepKind.REFUND, StepKind.CANCEL_ORDER, StepKind.REPLACEMENT, StepKind.SHIPPING_INVOICE}
)
# Steps at the customer's level (their subscriptions), not the order's.
CUSTOMER_STEPS = frozenset({StepKind.CANCEL_SUBSCRIPTION, StepKind.PAUSE_SUBSCRIPTION})

_REMEDY_STEPS: dict[Remedy, tuple[StepKind, ...]] = {
    Remedy.CANCEL_UNSHIPPED_ORDER: (StepKind.CANCEL_ORDER,),
    Remedy.RESHIP_FREE: (StepKind.REPLACEMENT,),
    Remedy.REFUND_RENEWAL: (StepKind.REFUND,),
    Remedy.EXPLAIN_AND_CANCEL: (StepKind.CANCEL_SUBSCRIPTION,),
    Remedy.CANCEL_SUBSCRIPTION: (StepKind.CANCEL_SUBSCRIPTION,),
    Remedy.PAUSE_SUBSCRIPTION: (StepKind.PAUSE_SUBSCRIPTION,),
}

_CHOICE_STEPS: dict[Choice, tuple[StepKind, ...]] = {
    Choice.ASK: (),
    Choice.REPLACEMENT: (StepKind.REPLACEMENT,),
    Choice.REFUND: (StepKind.REFUND,),
}


def default_choice(asked_for: object) -> Choice:
    """The choice an approval makes unless the agent picks another: what the customer asked
    for in words, else to ask them."""
    if asked_for == AskedFor.REFUND.value:
        return Choice.REFUND
    if asked_for == AskedFor.REPLACEMENT.value:
        return Choice.REPLACEMENT
    return Choice.ASK


@dataclass(frozen=True, slots=True)
class OrderState:
    """What the plan needs to know of the order a ticket is about."""

    shopify_id: int | None
    unfulfilled: bool
    refundable_minor: int  # the total less what was refunded already
    total_minor: int


def plan_steps(
    remedy: Remedy,
    *,
    order: OrderState | None,
    helpdesk_ticket: bool,
    set_status: bool,
    invoice_paid_reship: bool = False,
    choice: Choice = Choice.ASK,
    waiting_status: bool = False,
) -> list[StepKind]:
    """The steps that carry out `remedy`: the shop's first, then the reply and the status.

    A refund on an order not yet fulfilled cancels the order (with its refund) instead, so
    nothing ships. A paid reship is an invoice for its shipping when the shop says so.
    `replace_or_refund` does what `choice` says; asking the customer leaves the ticket
    waiting for their answer (when the helpdesk has such a status) instead of the status
    after a reply. Shop steps need the order's Shopify id; without it only the reply goes
    (and `manual_steps` names what an agent must do in Shopify by hand)."""
    steps: list[StepKind] = []
    asking = remedy is Remedy.REPLACE_OR_REFUND and choice is Choice.ASK
    for kind in remedy_kinds(remedy, invoice_paid_reship=invoice_paid_reship, choice=choice):
        if kind in CUSTOMER_STEPS:
            steps.append(kind)
        elif order is not None and order.shopify_id is not None:
            steps += [step for step in (_order_step(kind, order),) if step is not None]
    if helpdesk_ticket:
        steps.append(StepKind.SEND_REPLY)
        if asking and waiting_status:
            steps.append(StepKind.AWAIT_CUSTOMER)
        elif set_status and not asking:
            steps.append(StepKind.SET_STATUS)
    return steps


def remedy_kinds(
    remedy: Remedy, *, invoice_paid_reship: bool = False, choice: Choice = Choice.ASK
) -> tuple[StepKind, ...]:
    """What the remedy does at the shop, before the order is looked at."""
    if remedy is Remedy.OFFER_PAID_RESHIP and invoice_paid_reship:
        return (StepKind.SHIPPING_INVOICE,)
    if remedy is Remedy.REPLACE_OR_REFUND:
        return _CHOICE_STEPS[choice]
    return _REMEDY_STEPS.get(remedy, ())


class NotAtShop(StrEnum):
    """Why Evenhand cannot carry out an order's step at the shop."""

    NO_SHOPIFY_ORDER = "no_shopify_order"  # no order, or one without its Shopify id
    ORDER_CANCELLED = "order_cancelled"  # cancelled in Shopify already
    ORDER_EDIT = "order_edit"  # a change to the order: Evenhand does not edit orders
    # The order the customer quoted is another customer's: no one acts on it.
    NOT_THEIRS = "not_theirs"


@dataclass(frozen=True, slots=True)
class ManualStep:
    """A shop step the remedy needs that Evenhand will not carry out: an agent does it in
    Shopify by hand before the reply that says it was done goes out."""

    kind: StepKind
    reason: NotAtShop


def not_at_shop(
    *, shopify_id: int | None, cancelled: bool, not_theirs: bool = False
) -> NotAtShop | None:
    """Why the order's steps cannot be carried out at the shop; None when they can."""
    if not_theirs:
        return NotAtShop.NOT_THEIRS
    if shopify_id is None:
        return NotAtShop.NO_SHOPIFY_ORDER
    if cancelled:
        return NotAtShop.ORDER_CANCELLED
    return None


def manual_steps(
    remedy: Remedy,
    *,
    blocked: NotAtShop | None,
    invoice_paid_reship: bool = False,
    choice: Choice = Choice.ASK,
) -> tuple[ManualStep, ...]:
    """The order's steps the remedy needs but the shop cannot be asked for (`blocked`
    says why): a refund, a cancel, a replacement, an invoice. Subscription steps are the
    customer's, not the order's, and go ahead. A change to an order is always by hand."""
    if remedy is Remedy.CHANGE_UNSHIPPED_ORDER:
        edit = NotAtShop.NOT_THEIRS if blocked is NotAtShop.NOT_THEIRS else NotAtShop.ORDER_EDIT
        return (ManualStep(StepKind.CHANGE_ORDER, edit),)
    if blocked is None:
        return ()
    kinds = remedy_kinds(remedy, invoice_paid_reship=invoice_paid_reship, choice=choice)
    return tuple(ManualStep(kind, blocked) for kind in kinds if kind not in CUSTOMER_STEPS)


def _order_step(kind: StepKind, order: OrderState) -> StepKind | None:
    """A refund on an order not yet shipped is its cancelling; a shipped order cannot be
    stopped, so a cancel of it does nothing at the shop (the reply says what happens)."""
    if kind is StepKind.REFUND and order.unfulfilled:
        return StepKind.CANCEL_ORDER
    if kind is StepKind.CANCEL_ORDER and not order.unfulfilled:
        return None
    return kind


def money_given_minor(steps: list[StepKind], order: OrderState | None) -> int:
    """What the steps give away: a refund the refundable amount, a replacement (or a paid
    reship, whose customer pays the shipping alone) the order's total (at the price the
    customer paid)."""
    if order is None:
        return 0
    given = 0
    for kind in steps:
        if kind in {StepKind.REFUND, StepKind.CANCEL_ORDER}:
            given += order.refundable_minor
        elif kind in {StepKind.REPLACEMENT, StepKind.SHIPPING_INVOICE}:
            given += order.total_minor  # the goods again, at no charge
    return given


def idempotency_key(decision_id: int, kind: StepKind) -> str:
    """The key sent with a step to its provider: the same on every try of that step. A
    decision is carried out once, so the key is the decision's and the step's."""
    return f"evenhand-d{decision_id}-{kind.value.replace('_', '-')}"


class SinceWritten(StrEnum):
    """How the order moved on after the draft was written: the draft and its remedy were
    made for the order as the shop's data showed it then."""

    SHIPPED = "shipped"  # not shipped then; shipped (or delivered) now
    DELIVERED = "delivered"  # on its way then; a carrier says delivered now


# Remedies whose reply is about a parcel on its way: delivered since, they are stale.
PARCEL_ON_ITS_WAY = frozenset({Remedy.SEND_TRACKING_STATUS, Remedy.CARRIER_INVESTIGATION})
# A remedy that only exists for an order not yet shipped: once it has, there is nothing at
# the shop to cancel (the plan leaves the step out), and the reply would say it was done.
UNSHIPPED_ONLY = frozenset({Remedy.CANCEL_UNSHIPPED_ORDER})
# Shopify's fulfillment_status of an order nothing of which has left the warehouse.
UNFULFILLED = frozenset({"", "unfulfilled", "null"})


def is_unfulfilled(fulfilment_status: str | None) -> bool:
    return (fulfilment_status or "").lower() in UNFULFILLED


def since_written(then: Delivery | None, now: Delivery | None) -> SinceWritten | None:
    """What changed for the order between the `delivery` fact the guide decided on and
    the order as it stands now (`delivery_now`); None when nothing did that matters."""
    if then is Delivery.NOT_SHIPPED and now in {Delivery.IN_TRANSIT, Delivery.DELIVERED}:
        return SinceWritten.SHIPPED
    if then is Delivery.IN_TRANSIT and now is Delivery.DELIVERED:
        return SinceWritten.DELIVERED
    return None


def holds_back(remedy: Remedy, moved: SinceWritten | None) -> bool:
    """Whether a draft is left to an agent's eyes (not bulk or auto-approved): one written
    for an order not yet shipped that has shipped, or one about a parcel on its way that
    has been delivered. A parcel delivered after a reply about a broken item is the normal
    course, and holds nothing back."""
    if moved is SinceWritten.SHIPPED:
        return True
    return moved is SinceWritten.DELIVERED and remedy in PARCEL_ON_ITS_WAY


def premise_gone(remedy: Remedy, *, unfulfilled: bool, cancelled: bool) -> bool:
    """The remedy can no longer be carried out as its reply says: the order is not
    unfulfilled any more, so the plan cancels nothing. (A cancelled order is the 'done by
    hand' rule's: the agent confirms it.)"""
    return remedy in UNSHIPPED_ONLY and not unfulfilled and not cancelled
