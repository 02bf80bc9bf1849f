"""Executions of approved remedies: one per approval, its steps in order, each step's
state and idempotency key. A step is claimed (its try counted) before its provider is
called, so a crash leaves it pending with the same key for the next try."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, and_, exists, func, insert, or_, select, update

from evenhand.domain.execution import StepKind, StepState
from evenhand.store.leases import take_with_lease
from evenhand.store.tables import (
    customers,
    decisions,
    execution_steps,
    executions,
    line_items,
    orders,
    reviews,
    tickets,
)


@dataclass(frozen=True, slots=True)
class NewExecution:
    decision_id: int
    review_id: int | None
    remedy: str
    approved_by: str
    order_shopify_id: int | None
    customer_shopify_id: int | None
    provider: str | None
    ticket_ref: str | None
    reply_text: str
    currency: str | None


@dataclass(frozen=True, slots=True)
class NewStep:
    kind: StepKind
    idempotency_key: str
    amount_minor: int


@dataclass(frozen=True, slots=True)
class DueStep:
    """A pending step with what its provider call needs."""

    id: int
    execution_id: int
    decision_id: int
    kind: StepKind
    idempotency_key: str
    amount_minor: int
    attempts: int
    order_shopify_id: int | None
    customer_shopify_id: int | None
    provider: str | None
    ticket_ref: str | None
    reply_text: str
    currency: str | None
    approved_at: datetime  # when the execution was owed: the same on every try


def add_execution(
    connection: Connection, new: NewExecution, steps: list[NewStep], *, now: datetime
) -> int:
    money = sum(step.amount_minor for step in steps)
    execution_id: int = connection.execute(
        insert(executions)
        .values(**vars_of(new), money_minor=money, created_at=now)
        .returning(executions.c.id)
    ).scalar_one()
    for position, step in enumerate(steps):
        connection.execute(
            insert(execution_steps).values(
                execution_id=execution_id,
                position=position,
                kind=step.kind.value,
                state=StepState.PENDING.value,
                idempotency_key=step.idempotency_key,
                amount_minor=step.amount_minor,
                attempts=0,
                next_attempt_at=now,
            )
        )
    return execution_id


def vars_of(new: NewExecution) -> dict[str, Any]:
    return {name: getattr(new, name) for name in NewExecution.__dataclass_fields__}


def due_steps(connection: Connection, *, now: datetime, limit: int) -> list[DueStep]:
    """Pending steps due now whose earlier steps are all done, oldest first."""
    earlier = execution_steps.alias("earlier")
    blocked = exists().where(
        earlier.c.execution_id == execution_steps.c.execution_id,
        earlier.c.position < execution_steps.c.position,
        earlier.c.state != StepState.DONE.value,
    )
    rows = connection.execute(
        select(
            execution_steps.c.id,
            execution_steps.c.execution_id,
            executions.c.decision_id,
            execution_steps.c.kind,
            execution_steps.c.idempotency_key,
            execution_steps.c.amount_minor,
            execution_steps.c.attempts,
            executions.c.order_shopify_id,
            executions.c.customer_shopify_id,
            executions.c.provider,
            executions.c.ticket_ref,
            executions.c.reply_text,
            executions.c.currency,
            executions.c.created_at.label("approved_at"),
        )
        .join(executions, executions.c.id == execution_steps.c.execution_id)
        .where(
            execution_steps.c.state == StepState.PENDING.value,
            execution_steps.c.next_attempt_at <= now,
            ~blocked,
        )
        .order_by(execution_steps.c.next_attempt_at, execution_steps.c.id)
        .limit(limit)
    )
    return [DueStep(**{**row._mapping, "kind": StepKind(row.kind)}) for row in rows]


def claim_step(
    connection: Connection, step_id: int, *, attempts: int, lease_until: datetime
) -> bool:
    """Count a try before the provider is called, and keep other workers off the step
    until `lease_until` (a worker killed mid-call is retried then); False if another
    worker took it."""
    which = (execution_steps.c.id == step_id) & (execution_steps.c.state == StepState.PENDING.value)
    return take_with_lease(
        connection, execution_steps, which, attempts=attempts, lease_until=lease_until
    )


def record_step(
    connection: Connection,
    step_id: int,
    *,
    state: StepState,
    next_attempt_at: datetime,
    result: dict[str, Any] | None,
    error: str | None,
    attempts: int,
    now: datetime,
) -> bool:
    """Keep the outcome of the try `attempts` claimed; False (nothing kept) when the step
    moved on meanwhile. A step done is never changed again. Done is kept over anything
    else (the provider did it: a reply sent before an erasure's mark was sent); a failure
    or a retry only while the step is still this try's: not over an erasure's mark (the
    reply must not be tried again) nor over the try of a worker that claimed it after this
    one's lease ran out."""
    still_this_try = (execution_steps.c.state == StepState.PENDING.value) & (
        execution_steps.c.attempts == attempts
    )
    which = (
        execution_steps.c.state != StepState.DONE.value
        if state is StepState.DONE
        else still_this_try
    )
    updated = connection.execute(
        update(execution_steps)
        .where(execution_steps.c.id == step_id, which)
        .values(
            state=state.value,
            next_attempt_at=next_attempt_at,
            result=result,
            last_error=error,
            done_at=now if state is StepState.DONE else None,
        )
    )
    return updated.rowcount == 1


def steps_of_decision(connection: Connection, decision_id: int) -> list[dict[str, Any]]:
    """Every step of every execution of a decision, in order, for the ticket page; a
    failed one an agent may settle (`failed_step`) is `settleable`."""
    rows = connection.execute(
        select(
            executions.c.id.label("execution_id"),
            executions.c.approved_by,
            executions.c.created_at,
            execution_steps.c.kind,
            execution_steps.c.state,
            execution_steps.c.attempts,
            execution_steps.c.amount_minor,
            executions.c.currency,
            execution_steps.c.last_error,
            execution_steps.c.done_at,
            execution_steps.c.id.label("step_id"),
            execution_steps.c.result,
        )
        .join(executions, executions.c.id == execution_steps.c.execution_id)
        .where(executions.c.decision_id == decision_id)
        .order_by(executions.c.id, execution_steps.c.position)
    )
    return [
        dict(row._mapping) | {"settleable": settleable(row.state, row.last_error)} for row in rows
    ]


def settleable(state: str, last_error: str | None) -> bool:
    """A step an agent may try again or do by hand from its ticket: one that failed, but
    for a reply held back because the customer was erased (it is never sent)."""
    return state == StepState.FAILED.value and last_error != ERASED_REPLY


def has_execution(connection: Connection, decision_id: int) -> bool:
    found = connection.execute(
        select(executions.c.id).where(executions.c.decision_id == decision_id).limit(1)
    ).first()
    return found is not None


def carried_out_as(connection: Connection, decision_id: int) -> str | None:
    """The remedy the decision was carried out as (its first execution's), or None."""
    found = connection.execute(
        select(executions.c.remedy)
        .where(executions.c.decision_id == decision_id)
        .order_by(executions.c.id)
        .limit(1)
    ).scalar_one_or_none()
    return None if found is None else str(found)


def auto_money_since(connection: Connection, since: datetime) -> int:
    """What auto-approved executions since `since` gave away (minor units)."""
    total = connection.execute(
        select(func.coalesce(func.sum(executions.c.money_minor), 0)).where(
            executions.c.review_id.is_(None), executions.c.created_at >= since
        )
    ).scalar_one()
    return int(total)


def unreviewed_decisions_with(
    connection: Connection, remedies: list[str], *, since: datetime, limit: int
) -> list[int]:
    """A ticket's latest decision, taken since `since`, with one of `remedies`, that no one
    reviewed and nothing carried out yet."""
    if not remedies:
        return []
    later = decisions.alias("later")
    superseded = exists().where(
        later.c.ticket_id == decisions.c.ticket_id, later.c.id > decisions.c.id
    )
    reviewed = exists().where(reviews.c.decision_id == decisions.c.id)
    carried = exists().where(executions.c.decision_id == decisions.c.id)
    rows = connection.execute(
        select(decisions.c.id)
        .where(
            and_(
                decisions.c.remedy.in_(remedies),
                decisions.c.decided_at >= since,
                ~superseded,
                ~reviewed,
                ~carried,
            )
        )
        .order_by(decisions.c.id)
        .limit(limit)
    )
    return [row.id for row in rows]


@dataclass(frozen=True, slots=True)
class DecisionContext:
    """What carrying out a decision needs: its ticket's source, the customer, the order."""

    remedy: str
    reply_text: str
    currency: str
    source: str
    ticket_key: str
    customer_email: str
    customer_shopify_id: int | None
    order_shopify_id: int | None
    order_fulfillment_status: str | None
    order_cancelled: bool
    order_total_minor: int
    order_refunded_minor: int
    asked_for: str | None = None  # what the customer asked for in words (the facts')
    # The order as it stands now, against the facts' `delivery` the guide decided on.
    order_name: str | None = None
    # The ticket names an order known to be another customer's (a guest's, or one linked to
    # no customer, is not: it may be theirs).
    order_elsewhere: bool = False
    order_fulfilled_at: datetime | None = None
    order_delivered_at: datetime | None = None
    delivery_then: str | None = None


def decision_context(connection: Connection, decision_id: int) -> DecisionContext | None:
    quoted = orders.alias("quoted")
    row = connection.execute(
        select(
            decisions.c.remedy,
            decisions.c.reply_text,
            decisions.c.currency,
            decisions.c.facts,
            tickets.c.source,
            tickets.c.ticket_key,
            tickets.c.customer_email,
            customers.c.shopify_id.label("customer_shopify_id"),
            orders.c.shopify_id.label("order_shopify_id"),
            orders.c.name.label("order_name"),
            exists()  # the order named is known to be someone else's (not a guest's)
            .where(
                quoted.c.name == tickets.c.order_name,
                quoted.c.customer_id.is_not(None),
                or_(customers.c.id.is_(None), quoted.c.customer_id != customers.c.id),
                func.lower(func.coalesce(quoted.c.email, "")) != tickets.c.customer_email,
            )
            .label("quoted_elsewhere"),
            orders.c.fulfillment_status,
            orders.c.fulfilled_at,
            orders.c.delivered_at,
            orders.c.cancelled_at,
            orders.c.total_minor,
            orders.c.refunded_minor,
        )
        .join(tickets, tickets.c.id == decisions.c.ticket_id)
        .outerjoin(customers, customers.c.email == tickets.c.customer_email)
        .outerjoin(  # the customer's own order only: a number quoted of a stranger's is none
            orders,
            and_(orders.c.name == tickets.c.order_name, orders.c.customer_id == customers.c.id),
        )
        .where(decisions.c.id == decision_id)
    ).one_or_none()
    if row is None:
        return None
    return DecisionContext(
        remedy=row.remedy,
        reply_text=row.reply_text,
        currency=row.currency,
        source=row.source,
        ticket_key=row.ticket_key,
        customer_email=row.customer_email,
        customer_shopify_id=row.customer_shopify_id,
        order_shopify_id=row.order_shopify_id,
        order_fulfillment_status=row.fulfillment_status,
        order_cancelled=row.cancelled_at is not None,
        order_total_minor=int(row.total_minor or 0),
        order_refunded_minor=int(row.refunded_minor or 0),
        asked_for=(row.facts or {}).get("asked_for"),
        order_name=row.order_name,
        order_elsewhere=row.order_name is None and bool(row.quoted_elsewhere),
        order_fulfilled_at=row.fulfilled_at,
        order_delivered_at=row.delivered_at,
        delivery_then=(row.facts or {}).get("delivery"),
    )


def lines_of_shopify_order(connection: Connection, shopify_id: int) -> list[dict[str, Any]]:
    """The order's lines (name, sku, quantity, unit price) and its e-mail, for a replacement."""
    rows = connection.execute(
        select(
            line_items.c.name,
            line_items.c.sku,
            line_items.c.quantity,
            line_items.c.unit_price_minor,
            orders.c.email,
            orders.c.currency,
        )
        .join(orders, orders.c.id == line_items.c.order_id)
        .where(orders.c.shopify_id == shopify_id)
        .order_by(line_items.c.position)
    )
    return [dict(row._mapping) for row in rows]


ERASED_REPLY = "not sent: the customer's personal data was erased"


@dataclass(frozen=True, slots=True)
class StepTrouble:
    """Steps of one kind in trouble: failed (an agent looks), or still being retried after
    an error; the oldest of them, since when and why, and the decision it carries out."""

    kind: StepKind
    state: StepState  # FAILED, or PENDING for steps retried after an error
    count: int
    oldest_at: datetime  # a failed step's last try; a retried one's approval
    oldest_error: str
    oldest_decision_id: int
    retryable: int  # of the failed, those `requeue_failed_steps` puts back


def troubled_steps(connection: Connection) -> list[StepTrouble]:
    """Failed steps, and pending ones that have failed a try, by kind, oldest first."""
    troubles: list[StepTrouble] = []
    for state in (StepState.FAILED, StepState.PENDING):
        when = (
            execution_steps.c.next_attempt_at
            if state is StepState.FAILED
            else executions.c.created_at
        )
        rows = connection.execute(
            select(
                execution_steps.c.kind,
                when.label("at"),
                execution_steps.c.last_error,
                executions.c.decision_id,
            )
            .join(executions, executions.c.id == execution_steps.c.execution_id)
            .where(
                execution_steps.c.state == state.value, execution_steps.c.last_error.is_not(None)
            )
            .order_by(when, execution_steps.c.id)
        ).all()
        troubles += _by_kind(rows, state)
    return troubles


def _by_kind(rows: Sequence[Any], state: StepState) -> list[StepTrouble]:
    oldest: dict[str, Any] = {}
    counts: dict[str, int] = {}
    retryable: dict[str, int] = {}
    for row in rows:  # oldest first
        oldest.setdefault(row.kind, row)
        counts[row.kind] = counts.get(row.kind, 0) + 1
        again = state is StepState.FAILED and row.last_error != ERASED_REPLY
        retryable[row.kind] = retryable.get(row.kind, 0) + int(again)
    return [
        StepTrouble(
            kind=StepKind(kind),
            state=state,
            count=counts[kind],
            oldest_at=row.at,
            oldest_error=row.last_error,
            oldest_decision_id=row.decision_id,
            retryable=retryable[kind],
        )
        for kind, row in oldest.items()
    ]


def requeue_failed_steps(connection: Connection, *, now: datetime) -> int:
    """Failed steps back to pending, due now, with their keys and tries as they were (so a
    reply that may have gone out is looked for first): one more try each. A reply not sent
    because the customer was erased stays failed."""
    return connection.execute(
        update(execution_steps)
        .where(
            execution_steps.c.state == StepState.FAILED.value,
            or_(
                execution_steps.c.last_error.is_(None),
                execution_steps.c.last_error != ERASED_REPLY,
            ),
        )
        .values(state=StepState.PENDING.value, next_attempt_at=now)
    ).rowcount


def erase_executions(connection: Connection, decision_ids: Sequence[int] | None) -> int:
    """The replies of these decisions' executions (all, given None) are emptied, and a
    reply not yet sent will not be: its step fails, saying why. Shop steps keep going."""
    chosen = (
        executions.c.id.is_not(None)
        if decision_ids is None
        else executions.c.decision_id.in_(list(decision_ids))
    )
    ids = [row.id for row in connection.execute(select(executions.c.id).where(chosen))]
    if not ids:
        return 0
    connection.execute(update(executions).where(executions.c.id.in_(ids)).values(reply_text=""))
    connection.execute(
        update(execution_steps)
        .where(
            execution_steps.c.execution_id.in_(ids),
            execution_steps.c.kind.in_([StepKind.SEND_REPLY.value, StepKind.SET_STATUS.value]),
            execution_steps.c.state == StepState.PENDING.value,
        )
        .values(state=StepState.FAILED.value, last_error=ERASED_REPLY)
    )
    return len(ids)
