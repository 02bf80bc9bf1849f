"""A draft written for an order that has moved on since the customer wrote: shipped (a
cancel or a change can no longer be made), or delivered (a reply about a parcel on its way).

The guide decides on the order as it stood when the customer wrote (`delivery_of`); an
agent approves later. Where the order has moved on, the ticket page says so, bulk and
auto-approve leave the ticket to an agent, and a remedy that only exists for an order not
yet shipped is refused once it has shipped."""

from __future__ import annotations

from evenhand.domain.execution import SinceWritten, premise_gone, since_written
from evenhand.domain.facts import Delivery
from evenhand.domain.remedies import Remedy
from evenhand.domain.ticket_facts import delivery_now
from evenhand.errors import EvenhandError, InputError
from evenhand.store.executions import DecisionContext

_NO_LONGER = {
    Remedy.CANCEL_UNSHIPPED_ORDER: "cancelled",
    Remedy.CHANGE_UNSHIPPED_ORDER: "changed",
}


def order_now(context: DecisionContext) -> Delivery | None:
    """Where the decision's order stands now (None: no order)."""
    if context.order_name is None:
        return None
    return delivery_now(
        context.order_fulfillment_status, context.order_fulfilled_at, context.order_delivered_at
    )


def moved_since(context: DecisionContext) -> SinceWritten | None:
    """How the decision's order moved on after the facts the guide decided on."""
    if context.delivery_then not in set(Delivery):
        return None
    return since_written(Delivery(context.delivery_then), order_now(context))


def moved_note(order_name: str | None, moved: SinceWritten | None) -> str:
    """What the agent reads beside the draft; empty when the order has not moved on."""
    if moved is None:
        return ""
    order = f"Order {order_name}" if order_name else "The order"
    if moved is SinceWritten.DELIVERED:
        return (
            f"{order} has been delivered since the customer wrote (the carrier says so): the "
            "draft was written before. Check the reply against the order as it is now."
        )
    return (
        f"{order} has shipped since the customer wrote: the draft was written for an order "
        "not yet sent. Check the reply against the order as it is now."
    )


def premise_refusal(remedy: Remedy, context: DecisionContext) -> str:
    """Why a remedy that only exists for an order not yet shipped cannot be approved: the
    order has shipped (before or after the customer wrote), so nothing at the shop would be
    cancelled or changed, and the reply would say it was. Empty when it can."""
    if not premise_gone(remedy, order_now(context)):
        return ""
    since = " since the customer wrote" if moved_since(context) else ""
    return (
        f"Order {context.order_name} has shipped{since}, so it can no longer be "
        f"{_NO_LONGER[remedy]}; override the remedy (a return, or an answer about the "
        "parcel) or answer by hand"
    )


def check_premise(remedy: Remedy, context: DecisionContext) -> None:
    """Refuse the approval `premise_refusal` gives a reason against."""
    refusal = premise_refusal(remedy, context)
    if refusal:
        raise EvenhandError(InputError.CONFLICTING_VALUE, f"remedy: {refusal}")
