"""A draft written for an order that has moved on since: shipped (a cancel can no longer be
made), or delivered (a reply about a parcel on its way).

The guide decides on the order as the shop's data showed it when the ticket was decided
(`delivery_of`); an agent approves later. Where the order has moved on, the ticket page
says so; bulk and auto-approve leave a draft written for an order not yet shipped (or about
a parcel since delivered) to an agent; and a cancel of an order the plan would no longer
cancel is refused."""

from __future__ import annotations

from evenhand.domain.execution import SinceWritten, is_unfulfilled, premise_gone, since_written
from evenhand.domain.facts import Delivery
from evenhand.domain.remedies import Remedy
from evenhand.domain.ticket_facts import delivery_now
from evenhand.errors import EvenhandError, InputError
from evenhand.store.executions import DecisionContext

_CHECK = "Check the reply against the order as it is now."


def moved_since(context: DecisionContext) -> SinceWritten | None:
    """How the decision's order moved on after the facts the guide decided on."""
    if context.order_name is None or context.delivery_then not in set(Delivery):
        return None
    now = delivery_now(
        context.order_fulfillment_status, context.order_fulfilled_at, context.order_delivered_at
    )
    return since_written(Delivery(context.delivery_then), now)


def moved_note(order_name: str | None, moved: SinceWritten | None) -> str:
    """What the agent reads beside the draft; empty when the order has not moved on."""
    order = f"Order {order_name}" if order_name else "The order"
    if moved is SinceWritten.SHIPPED:
        return f"{order} shows as shipped now; the draft was written when it had not. {_CHECK}"
    if moved is SinceWritten.DELIVERED:
        return (
            f"{order} shows as delivered now (the carrier says so); the draft was written "
            f"while it was on its way. {_CHECK}"
        )
    return ""


def premise_refusal(remedy: Remedy, context: DecisionContext) -> str:
    """Why a cancel of an order not yet shipped cannot be approved: the order is not
    unfulfilled any more (shipped, in part or whole, before or after the draft), so the
    plan cancels nothing at the shop and the reply would say it did. Empty when it can."""
    unfulfilled = is_unfulfilled(context.order_fulfillment_status)
    if context.order_name is None or not premise_gone(
        remedy, unfulfilled=unfulfilled, cancelled=context.order_cancelled
    ):
        return ""
    status = (context.order_fulfillment_status or "").lower()
    state = {"fulfilled": "has shipped", "partial": "has partly shipped"}.get(
        status, f"is '{status}' in Shopify"
    )
    written = " (the draft was written when it had not)" if moved_since(context) else ""
    return (
        f"Order {context.order_name} {state}{written}, so it can no longer be cancelled; "
        "override the remedy (standard_return, or send_tracking_status for a parcel on its "
        "way) or answer by hand."
    )


def check_premise(remedy: Remedy, context: DecisionContext) -> None:
    """Refuse the approval `premise_refusal` gives a reason against."""
    refusal = premise_refusal(remedy, context)
    if refusal:
        raise EvenhandError(InputError.CONFLICTING_VALUE, f"remedy: {refusal}")


def order_note(context: DecisionContext, remedy: Remedy) -> str:
    """The ticket page's word on the order: how it moved on since the draft, and why the
    remedy in force can no longer be approved; empty when neither."""
    moved = moved_note(context.order_name, moved_since(context))
    return " ".join(part for part in (moved, premise_refusal(remedy, context)) if part)
