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

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Engine

from evenhand.actions.writeback import Helpdesks, backoff_seconds
from evenhand.domain.execution import (
    OrderState,
    StepKind,
    StepState,
    idempotency_key,
    money_given_minor,
    plan_steps,
)
from evenhand.domain.money import from_minor, to_minor
from evenhand.domain.remedies import Remedy
from evenhand.domain.roles import Role
from evenhand.errors import AccessError, EvenhandError
from evenhand.helpdesk.http import HelpdeskError
from evenhand.settings import Settings
from evenhand.shopify.admin import RefundChoices, ReplacementLine, ShopifyAdmin, gid
from evenhand.shopify.graphql import ShopifyError
from evenhand.shopify.recharge import RechargeApi
from evenhand.store.audit import record_event
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
    lines_of_shopify_order,
    record_step,
    steps_of_decision,
    unreviewed_decisions_with,
)

AUTO_APPROVER = "auto-approve"
# A claimed step is left to its worker this long: past it, the worker is taken for dead
# (killed between its call and its record) and the step is tried again, with its key.
LEASE_SECONDS = 120.0
HELPDESKS = frozenset({"zendesk", "gorgias"})
UNFULFILLED = frozenset({"", "unfulfilled", "null"})


@dataclass(frozen=True, slots=True)
class Plan:
    """The steps that would carry out a decision's remedy, with what each gives away."""

    context: DecisionContext
    remedy: Remedy
    steps: list[StepKind]
    amounts: list[int]

    @property
    def money_minor(self) -> int:
        return sum(self.amounts)


def plan_for(
    connection: Connection, decision_id: int, *, remedy: Remedy, settings: Settings
) -> Plan | None:
    context = decision_context(connection, decision_id)
    if context is None:
        return None
    order = _order_state(context)
    status = _status_after_reply(settings, context.source)
    steps = plan_steps(
        remedy, order=order, helpdesk_ticket=context.source in HELPDESKS, set_status=bool(status)
    )
    amounts = [money_given_minor([kind], order) for kind in steps]
    return Plan(context, remedy, steps, amounts)


def _order_state(context: DecisionContext) -> OrderState | None:
    if context.order_shopify_id is None or context.order_cancelled:
        return None
    return OrderState(
        shopify_id=context.order_shopify_id,
        unfulfilled=(context.order_fulfillment_status or "").lower() in UNFULFILLED,
        refundable_minor=max(context.order_total_minor - context.order_refunded_minor, 0),
        total_minor=context.order_total_minor,
    )


def _status_after_reply(settings: Settings, source: str) -> str:
    if source == "zendesk":
        return settings.zendesk_status_after_reply.strip()
    if source == "gorgias":
        return settings.gorgias_status_after_reply.strip()
    return ""


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
            "steps": [step.kind.value for step in steps],
            "money_minor": plan.money_minor,
        },
    )
    return execution_id


def execution_steps_of(engine: Engine, decision_id: int) -> list[dict[str, Any]]:
    with engine.connect() as connection:
        return steps_of_decision(connection, decision_id)


# The worker's pass -----------------------------------------------------------------


@dataclass(slots=True)
class Carriers:
    """Who carries out the steps: the shop's Admin API and the helpdesks."""

    shop: ShopifyAdmin | None
    helpdesks: Helpdesks
    recharge: RechargeApi | None = None  # set: subscriptions are Recharge's, not Shopify's

    @classmethod
    def from_settings(cls, settings: Settings, helpdesks: Helpdesks) -> Carriers:
        recharge = (
            RechargeApi(
                base_url=settings.recharge_url,
                access_token=settings.recharge_api_token.get_secret_value(),
            )
            if settings.recharge_api_token
            else None
        )
        token = settings.shopify_access_token
        base = settings.shopify_admin_url or (
            f"https://{settings.shopify_shop_domain}" if settings.shopify_shop_domain else None
        )
        if token is None or base is None:
            return cls(None, helpdesks, recharge)
        endpoint = f"{base.rstrip('/')}/admin/api/{settings.shopify_api_version}/graphql.json"
        shop = ShopifyAdmin(endpoint=endpoint, access_token=token.get_secret_value())
        return cls(shop, helpdesks, recharge)

    def close(self) -> None:
        for client in (self.shop, self.recharge):
            if client is not None:
                client.close()


class _RefusedError(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


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
            lease = now() + timedelta(seconds=LEASE_SECONDS)
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
        return _carry_out(engine, step, carriers, settings), None
    except (ShopifyError, HelpdeskError, _RefusedError) as failure:
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
        record_step(
            connection,
            step.id,
            state=state,
            next_attempt_at=moment + timedelta(seconds=wait),
            result=result,
            error=error,
            now=moment,
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
                },
            )


def _next_state(
    failure: Exception | None, *, attempts: int, settings: Settings
) -> tuple[StepState, float]:
    if failure is None:
        return StepState.DONE, 0.0
    permanent = isinstance(failure, _RefusedError) or bool(getattr(failure, "permanent", True))
    if permanent or attempts >= settings.execution_max_attempts:
        return StepState.FAILED, 0.0
    retry_after = getattr(failure, "retry_after", None)
    if retry_after is not None:
        return StepState.PENDING, float(retry_after)
    return StepState.PENDING, backoff_seconds(attempts)


def _carry_out(
    engine: Engine, step: DueStep, carriers: Carriers, settings: Settings
) -> dict[str, Any]:
    if step.kind in {StepKind.SEND_REPLY, StepKind.SET_STATUS}:
        return _helpdesk_step(step, carriers.helpdesks, settings)
    if step.kind is StepKind.CANCEL_SUBSCRIPTION and carriers.recharge is not None:
        return _cancel_in_recharge(engine, step, carriers.recharge, settings)
    shop = carriers.shop
    if shop is None:
        raise _RefusedError("no Shopify credentials in the settings (shopify_access_token)")
    choices = RefundChoices(notify=settings.refund_notify_customer, restock=settings.refund_restock)
    if step.kind is StepKind.CANCEL_SUBSCRIPTION:
        return shop.cancel_subscriptions(_customer(step, shop))
    order_id = _order_id(step)
    if step.kind is StepKind.REFUND:
        amount = str(from_minor(step.amount_minor, step.currency or "SEK"))
        note = f"Evenhand decision {step.decision_id}"
        return shop.refund(
            order_id, amount=amount, key=step.idempotency_key, choices=choices, note=note
        )
    if step.kind is StepKind.CANCEL_ORDER:
        return shop.cancel_order(order_id, key=step.idempotency_key, choices=choices)
    return _replacement(engine, step, shop, order_id)


def _cancel_in_recharge(
    engine: Engine, step: DueStep, recharge: RechargeApi, settings: Settings
) -> dict[str, Any]:
    with engine.connect() as connection:
        context = decision_context(connection, step.decision_id)
    if context is None:
        raise _RefusedError("the decision is gone")
    return recharge.cancel_subscriptions(
        context.customer_email,
        reason=f"At the customer's request (Evenhand decision {step.decision_id})",
        send_email=settings.refund_notify_customer,
    )


def _customer(step: DueStep, shop: ShopifyAdmin) -> str:
    """The customer's GID: theirs as imported, else the order's customer."""
    if step.customer_shopify_id is not None:
        return gid("Customer", step.customer_shopify_id)
    if step.order_shopify_id is None:
        raise _RefusedError("neither the customer nor an order is known to Shopify")
    return shop.customer_of_order(step.order_shopify_id)


def _order_id(step: DueStep) -> int:
    if step.order_shopify_id is None:
        raise _RefusedError("the ticket's order has no Shopify id")
    return step.order_shopify_id


def _replacement(
    engine: Engine, step: DueStep, shop: ShopifyAdmin, order_id: int
) -> dict[str, Any]:
    with engine.connect() as connection:
        rows = lines_of_shopify_order(connection, order_id)
    if not rows:
        raise _RefusedError("the order's lines are not known: no replacement to send")
    lines = [
        ReplacementLine(
            title=row["name"],
            sku=row["sku"],
            quantity=row["quantity"],
            unit_price=str(from_minor(row["unit_price_minor"], row["currency"])),
        )
        for row in rows
    ]
    note = f"Replacement for decision {step.decision_id}"
    return shop.replacement(
        email=rows[0]["email"], lines=lines, key=step.idempotency_key, note=note
    )


def _helpdesk_step(step: DueStep, helpdesks: Helpdesks, settings: Settings) -> dict[str, Any]:
    client = helpdesks.zendesk if step.provider == "zendesk" else helpdesks.gorgias
    if client is None or step.ticket_ref is None:
        raise _RefusedError(f"no {step.provider} credentials in the settings")
    if step.kind is StepKind.SET_STATUS:
        status = _status_after_reply(settings, step.provider or "")
        client.set_status(step.ticket_ref, status)
        return {"status": status}
    if step.attempts > 0 and client.has_public_reply(step.ticket_ref, step.reply_text):
        return {"reply": "already on the ticket"}  # an earlier try's answer was lost
    client.send_public_reply(step.ticket_ref, step.reply_text)
    return {"reply": "sent"}


# Auto-approve --------------------------------------------------------------------------


def auto_remedies(settings: Settings) -> list[str]:
    named = [name.strip() for name in settings.auto_approve_remedies.split(",")]
    return [name for name in named if name in {remedy.value for remedy in Remedy}]


def auto_approve(engine: Engine, *, settings: Settings, now: datetime, limit: int = 50) -> int:
    """Carry out today's undecided decisions whose remedy a manager marked auto-approve,
    while what they give away stays within the day's cap; the rest wait for an agent."""
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
            if plan is None or not _within_cap(connection, plan, settings, day):
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
