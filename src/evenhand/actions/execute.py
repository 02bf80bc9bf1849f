"""Approve = carried out: an approved remedy becomes an execution whose steps the worker
carries out, each exactly once.

A decision is carried out once (its first approval, by an agent or by auto-approve); a
later review changes nothing at the shop. Each step is claimed (its try counted and
committed) before its provider is called and sent with its idempotency key, so a crash
between the call and the record ends in a retry the provider recognises (Shopify's
`@idempotent` refund), or that looks first (an order already cancelled, a draft order
already tagged, a contract no longer active, a reply already on the ticket). A step done
is never tried again; a refusal, or too many tries, is kept as failed for an agent.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Engine

from evenhand.actions.order_since import moved_note, moved_since, premise_refusal
from evenhand.actions.step_calls import (
    WAITING_STATUS,
    Carriers,
    RefusedError,
    carry_out,
    status_after_reply,
)
from evenhand.actions.writeback import backoff_seconds
from evenhand.domain.execution import (
    Choice,
    ManualStep,
    NotAtShop,
    OrderState,
    SinceWritten,
    StepKind,
    StepState,
    default_choice,
    holds_back,
    idempotency_key,
    is_unfulfilled,
    manual_steps,
    money_given_minor,
    not_at_shop,
    plan_steps,
)
from evenhand.domain.money import from_minor, to_minor
from evenhand.domain.remedies import Remedy
from evenhand.domain.roles import Role
from evenhand.errors import AccessError, EvenhandError, InputError
from evenhand.helpdesk.http import HelpdeskError
from evenhand.settings import Settings
from evenhand.shopify.graphql import ShopifyError
from evenhand.store.audit import record_event
from evenhand.store.decisions import newer_decision
from evenhand.store.executions import (
    DecisionContext,
    DueStep,
    NewExecution,
    NewStep,
    add_execution,
    auto_money_since,
    claim_step,
    decision_context,
    due_steps,
    has_execution,
    record_step,
    steps_of_decision,
    unreviewed_decisions_with,
)

AUTO_APPROVER = "auto-approve"
# A claimed step is left to its worker this long (the default of the setting
# `execution_lease_seconds`): past it, the worker is taken for dead (killed between its call
# and its record) and the step is tried again, with its key.
LEASE_SECONDS = 120.0
HELPDESKS = frozenset({"zendesk", "gorgias"})

_LOG = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Plan:
    """The steps that would carry out a decision's remedy, with what each gives away."""

    context: DecisionContext
    remedy: Remedy
    steps: list[StepKind]
    amounts: list[int]
    choice: Choice | None = None  # what a replace_or_refund carries out; None for the rest
    # The shop steps the remedy needs that Evenhand cannot carry out (no Shopify order, a
    # cancelled one, a change to the order): an agent does them in Shopify before approving.
    manual_steps: tuple[ManualStep, ...] = ()
    # How the order moved on since the facts the guide decided on (`actions.order_since`).
    moved: SinceWritten | None = None

    @property
    def money_minor(self) -> int:
        return sum(self.amounts)


def plan_for(
    connection: Connection,
    decision_id: int,
    *,
    remedy: Remedy,
    settings: Settings,
    choice: Choice | None = None,
) -> Plan | None:
    """The plan of the remedy; a replace_or_refund's `choice` (None: the default, to ask
    unless the customer said which they want) is kept with it."""
    context = decision_context(connection, decision_id)
    if context is None:
        return None
    order = _order_state(context)
    status = status_after_reply(settings, context.source)
    choice = (
        choice or default_choice(context.asked_for) if remedy is Remedy.REPLACE_OR_REFUND else None
    )
    steps = plan_steps(
        remedy,
        order=order,
        helpdesk_ticket=context.source in HELPDESKS,
        set_status=bool(status),
        invoice_paid_reship=settings.paid_reship_invoice,
        choice=choice or Choice.ASK,
        waiting_status=context.source in WAITING_STATUS,
    )
    amounts = [money_given_minor([kind], order) for kind in steps]
    by_hand = manual_steps(
        remedy,
        blocked=not_at_shop(
            shopify_id=context.order_shopify_id,
            cancelled=context.order_cancelled,
            not_theirs=context.order_elsewhere,
        ),
        invoice_paid_reship=settings.paid_reship_invoice,
        choice=choice or Choice.ASK,
    )
    return Plan(context, remedy, steps, amounts, choice, by_hand, moved_since(context))


def _order_state(context: DecisionContext) -> OrderState | None:
    if context.order_shopify_id is None or context.order_cancelled:
        return None  # nothing at the shop (see `not_at_shop`)
    return OrderState(
        shopify_id=context.order_shopify_id,
        unfulfilled=is_unfulfilled(context.order_fulfillment_status),
        refundable_minor=max(context.order_total_minor - context.order_refunded_minor, 0),
        total_minor=context.order_total_minor,
    )


def check_role_limit(plan: Plan, *, role: Role, settings: Settings) -> None:
    """An agent's approval gives away at most `agent_refund_limit`; above, a manager's."""
    limit = settings.agent_refund_limit
    if role is Role.MANAGER or limit is None:
        return
    if plan.money_minor > to_minor(limit, plan.context.currency):
        given = from_minor(plan.money_minor, plan.context.currency)
        raise EvenhandError(
            AccessError.NOT_ALLOWED,
            f"remedy: gives away {given} {plan.context.currency}, above the agent limit of "
            f"{limit}; a manager approves it",
        )


# What Evenhand will not do, and what the agent does in Shopify instead.
_CANNOT: dict[StepKind, tuple[str, str]] = {
    StepKind.REFUND: ("refund it", "Refund it"),
    StepKind.CANCEL_ORDER: ("cancel it", "Cancel it (with its refund)"),
    StepKind.REPLACEMENT: ("send the replacement", "Create the replacement order"),
    StepKind.SHIPPING_INVOICE: ("invoice the reship", "Send the reship's invoice"),
    StepKind.CHANGE_ORDER: (
        "edit an order",
        "Edit the order as the customer asked (a payment link for any balance, a refund of "
        "any surplus)",
    ),
}
_WHY: dict[NotAtShop, str] = {
    NotAtShop.NO_SHOPIFY_ORDER: "No Shopify order on this ticket",
    NotAtShop.ORDER_CANCELLED: "The order is cancelled in Shopify",
    NotAtShop.ORDER_EDIT: "A change to the order (if it is packed already, pick another remedy)",
    NotAtShop.NOT_THEIRS: "The order this ticket names is another customer's",
}


def by_hand_note(steps: tuple[ManualStep, ...]) -> str:
    """What Evenhand will not do for this approval, and what the agent must do first."""
    if not steps:
        return ""
    cannot = " and ".join(_CANNOT[step.kind][0] for step in steps)
    do = " and ".join(_CANNOT[step.kind][1] for step in steps)
    if steps[0].reason is NotAtShop.NOT_THEIRS:
        return (
            f"{_WHY[steps[0].reason]}: Evenhand will not {cannot}, and no one should. Ask "
            "the customer for their own order number, or pick a remedy that gives nothing."
        )
    return (
        f"{_WHY[steps[0].reason]}: Evenhand cannot {cannot}. {do} in Shopify yourself, "
        "then tick 'done by hand' to approve (the reply goes out as drafted)."
    )


def by_hand_needed(connection: Connection, plan: Plan, decision_id: int) -> tuple[ManualStep, ...]:
    """The plan's steps an agent must confirm done by hand; none once the decision was
    carried out (a later approval carries nothing out)."""
    if not plan.manual_steps or has_execution(connection, decision_id):
        return ()
    return plan.manual_steps


def by_hand_notes(engine: Engine, *, decision_id: int, settings: Settings) -> dict[str, str]:
    """What Evenhand cannot do at the shop for each remedy an agent may approve, for the
    warning beside the approve controls: keyed by the remedy (a replace_or_refund's by
    `replace_or_refund:choice`), only those with a shop step an agent must do by hand."""
    notes: dict[str, str] = {}
    with engine.connect() as connection:
        for remedy in Remedy:
            choices = list(Choice) if remedy is Remedy.REPLACE_OR_REFUND else [None]
            for choice in choices:
                plan = plan_for(
                    connection, decision_id, remedy=remedy, settings=settings, choice=choice
                )
                note = by_hand_note(by_hand_needed(connection, plan, decision_id)) if plan else ""
                if note:
                    notes[f"{remedy.value}:{choice.value}" if choice else remedy.value] = note
    return notes


def left_to_agent(connection: Connection, plan: Plan, decision_id: int) -> str:
    """Why a bulk approval leaves this decision to an agent on its page: a shop step only
    they can do by hand, or an order that moved on since the draft; empty when none."""
    if has_execution(connection, decision_id):
        return ""
    newer = superseded_note(connection, decision_id)
    if newer:
        return newer
    refusal = premise_refusal(plan.remedy, plan.context)
    by_hand = by_hand_note(by_hand_needed(connection, plan, decision_id))
    moved = moved_note(plan.context.order_name, plan.moved)
    return refusal or by_hand or (moved if holds_back(plan.remedy, plan.moved) else "")


def superseded_note(connection: Connection, decision_id: int) -> str:
    """Why an older decision of a ticket is not approved: the ticket's latest decision
    (its customer wrote again, or it was decided again) is the one to review; its plan
    would be carried out on the ticket as it stands now. Empty for the latest."""
    newer = newer_decision(connection, decision_id)
    if newer is None:
        return ""
    return (
        f"This ticket has a newer decision ({newer}): the customer wrote again or it was "
        f"decided again; review that one (/tickets/{newer})."
    )


def check_latest(connection: Connection, decision_id: int) -> None:
    """Refuse a review of a decision the ticket has a newer one after (`superseded_note`)."""
    newer = superseded_note(connection, decision_id)
    if newer:
        raise EvenhandError(InputError.CONFLICTING_VALUE, f"decision: {newer}")


def check_done_by_hand(steps: tuple[ManualStep, ...], *, done_by_hand: bool) -> None:
    """Refuse an approval whose reply would say a shop step was done that Evenhand cannot
    do, unless the agent confirms they did it in Shopify; on another customer's order,
    whatever they confirm."""
    if steps and steps[0].reason is NotAtShop.NOT_THEIRS:
        raise EvenhandError(InputError.CONFLICTING_VALUE, f"remedy: {by_hand_note(steps)}")
    if steps and not done_by_hand:
        raise EvenhandError(InputError.MISSING_VALUE, f"done_by_hand: {by_hand_note(steps)}")


def start_execution(
    connection: Connection,
    plan: Plan,
    *,
    decision_id: int,
    review_id: int | None,
    approved_by: str,
    reply_text: str | None,
    now: datetime,
) -> int | None:
    """Owe the plan's steps in the approval's transaction; None if there is nothing to
    carry out, or the decision was carried out before (a decision is carried out once)."""
    if not plan.steps or has_execution(connection, decision_id):
        return None
    context = plan.context
    new = NewExecution(
        decision_id=decision_id,
        review_id=review_id,
        remedy=plan.remedy.value,
        approved_by=approved_by,
        order_shopify_id=context.order_shopify_id,
        customer_shopify_id=context.customer_shopify_id,
        provider=context.source if context.source in HELPDESKS else None,
        ticket_ref=context.ticket_key if context.source in HELPDESKS else None,
        reply_text=reply_text or context.reply_text,
        currency=context.currency,
    )
    steps = [
        NewStep(kind, idempotency_key(decision_id, kind), amount)
        for kind, amount in zip(plan.steps, plan.amounts, strict=True)
    ]
    execution_id = add_execution(connection, new, steps, now=now)
    record_event(
        connection,
        at=now,
        action="execution started",
        subject=str(decision_id),
        details={
            "execution": execution_id,
            "by": approved_by,
            "remedy": plan.remedy.value,
            "choice": plan.choice.value if plan.choice else None,
            "steps": [step.kind.value for step in steps],
            "money_minor": plan.money_minor,
        },
    )
    return execution_id


def execution_steps_of(engine: Engine, decision_id: int) -> list[dict[str, Any]]:
    with engine.connect() as connection:
        return steps_of_decision(connection, decision_id)


# The worker's pass -----------------------------------------------------------------


def execute_due_steps(
    engine: Engine,
    *,
    carriers: Carriers,
    settings: Settings,
    now: Callable[[], datetime],
    limit: int = 20,
) -> int:
    """Carry out every step that is due (its earlier steps done); each outcome is stored
    and audited at once. Returns how many steps were tried."""
    with engine.connect() as connection:
        due = due_steps(connection, now=now(), limit=limit)
    tried = 0
    for step in due:
        attempts = step.attempts + 1
        with engine.begin() as connection:
            lease = now() + timedelta(seconds=settings.execution_lease_seconds)
            if not claim_step(connection, step.id, attempts=attempts, lease_until=lease):
                continue  # another worker has it
        tried += 1
        _finish(
            engine,
            step,
            _attempt(engine, step, carriers, settings),
            attempts=attempts,
            settings=settings,
            moment=now(),
        )
    return tried


_Outcome = tuple[dict[str, Any] | None, Exception | None]


def _attempt(engine: Engine, step: DueStep, carriers: Carriers, settings: Settings) -> _Outcome:
    try:
        return carry_out(engine, step, carriers, settings), None
    except (ShopifyError, HelpdeskError, RefusedError) as failure:
        return None, failure


def _finish(
    engine: Engine,
    step: DueStep,
    outcome: _Outcome,
    *,
    attempts: int,
    settings: Settings,
    moment: datetime,
) -> None:
    result, failure = outcome
    state, wait = _next_state(failure, attempts=attempts, settings=settings)
    error = None if failure is None else str(getattr(failure, "message", failure))
    with engine.begin() as connection:
        kept = record_step(
            connection,
            step.id,
            state=state,
            next_attempt_at=moment + timedelta(seconds=wait),
            result=result,
            error=error,
            attempts=attempts,
            now=moment,
        )
        if not kept:
            _LOG.warning(
                "execution step %s moved on during try %s (erased, settled, or taken by "
                "another worker after its lease); its outcome (%s) is not kept",
                step.id,
                attempts,
                state.value,
            )
        if state is not StepState.PENDING:
            record_event(
                connection,
                at=moment,
                action=f"execution step {state.value}",
                subject=str(step.decision_id),
                details={
                    "execution": step.execution_id,
                    "step": step.kind.value,
                    "key": step.idempotency_key,
                    "attempts": attempts,
                    "result": result,
                    "error": error,
                    "kept": kept,
                },
            )


def _next_state(
    failure: Exception | None, *, attempts: int, settings: Settings
) -> tuple[StepState, float]:
    if failure is None:
        return StepState.DONE, 0.0
    permanent = isinstance(failure, RefusedError) or bool(getattr(failure, "permanent", True))
    if permanent or attempts >= settings.execution_max_attempts:
        return StepState.FAILED, 0.0
    retry_after = getattr(failure, "retry_after", None)
    if retry_after is not None:
        return StepState.PENDING, float(retry_after)
    return StepState.PENDING, backoff_seconds(attempts)


# Auto-approve --------------------------------------------------------------------------


def auto_remedies(settings: Settings) -> list[str]:
    named = [name.strip() for name in settings.auto_approve_remedies.split(",")]
    return [name for name in named if name in {remedy.value for remedy in Remedy}]


def auto_approve(engine: Engine, *, settings: Settings, now: datetime, limit: int = 50) -> int:
    """Carry out today's undecided decisions whose remedy a manager marked auto-approve,
    while what they give away stays within the day's cap; the rest wait for an agent, as do
    those with a shop step Evenhand cannot carry out (`Plan.manual_steps`) and those whose
    order has moved on since the draft (`holds_back`, `premise_refusal`)."""
    remedies = auto_remedies(settings)
    if not remedies:
        return 0
    day = now.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    started = 0
    with engine.begin() as connection:
        for decision_id in unreviewed_decisions_with(connection, remedies, since=day, limit=limit):
            plan = plan_for(
                connection, decision_id, remedy=_remedy(connection, decision_id), settings=settings
            )
            if plan is None or plan.manual_steps or holds_back(plan.remedy, plan.moved):
                continue  # a step done by hand, or an order moved on: left to an agent
            if newer_decision(connection, decision_id) is not None:
                continue  # the customer wrote again: the newer decision is the one
            if premise_refusal(plan.remedy, plan.context):
                continue
            if not _within_cap(connection, plan, settings, day):
                continue
            if start_execution(
                connection,
                plan,
                decision_id=decision_id,
                review_id=None,
                approved_by=AUTO_APPROVER,
                reply_text=None,
                now=now,
            ):
                started += 1
    return started


def _remedy(connection: Connection, decision_id: int) -> Remedy:
    context = decision_context(connection, decision_id)
    return Remedy(context.remedy) if context else Remedy.HUMAN_REVIEW


def _within_cap(connection: Connection, plan: Plan, settings: Settings, day: datetime) -> bool:
    if plan.money_minor == 0:
        return True
    cap = to_minor(settings.auto_approve_daily_cap, plan.context.currency)
    return auto_money_since(connection, day) + plan.money_minor <= cap
