"""A remedy's step that failed, settled from its ticket: tried once more (its idempotency
key unchanged, so nothing is done twice), or done by hand (the agent did it in Shopify or
the helpdesk themselves, and ticks that they did; the steps after it go on, the reply that
says it was done among them). Without this, a ticket whose step keeps failing waits for a
manager's retry of every failed step on the dashboard.

Agents settle their tickets' steps as they approve them: a retry gives nothing the approval
did not, and a money step done by hand above `agent_refund_limit` is a manager's."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Engine

from evenhand.domain.execution import MONEY_STEPS, Settling
from evenhand.domain.money import from_minor, to_minor
from evenhand.domain.roles import Role
from evenhand.errors import AccessError, EvenhandError, InputError
from evenhand.settings import Settings
from evenhand.store.audit import record_event
from evenhand.store.database import ensure_current
from evenhand.store.step_settling import FailedStep, failed_step, settle_failed_step
from evenhand.store.users import User

_EVENTS = {
    Settling.RETRY: "execution step retried",
    Settling.DONE_BY_HAND: "execution step done by hand",
}
_GONE = (
    "step: this ticket has no such failed step (it may have been tried again from the "
    "dashboard or another tab, or done by hand already); reload the page, and look in "
    "Shopify before doing it by hand"
)


def settle_step(
    engine: Engine,
    *,
    decision_id: int,
    step_id: int,
    how: str,
    user: User,
    settings: Settings,
    now: datetime,
    confirmed: bool = False,
) -> None:
    """Settle the decision's failed step as `how` says (done by hand only `confirmed`), in
    one transaction with its audit event: the step, its amount, its last error, who."""
    if how not in set(Settling):
        raise EvenhandError(InputError.BAD_VALUE, f"how: {how!r} is not retry or done_by_hand")
    settling = Settling(how)
    ensure_current(engine)
    with engine.begin() as connection:
        step = failed_step(connection, decision_id=decision_id, step_id=step_id)
        if step is None:
            raise EvenhandError(InputError.CONFLICTING_VALUE, _GONE)
        if settling is Settling.DONE_BY_HAND:
            _check_by_hand(step, user=user, settings=settings, confirmed=confirmed)
        if not settle_failed_step(connection, step_id, settling, by=user.email, now=now):
            raise EvenhandError(InputError.CONFLICTING_VALUE, _GONE)
        record_event(
            connection,
            at=now,
            action=_EVENTS[settling],
            subject=str(decision_id),
            details=_details(step, by=user.email),
        )


def _check_by_hand(step: FailedStep, *, user: User, settings: Settings, confirmed: bool) -> None:
    """Done by hand needs the agent's tick, and a money step above an agent's limit a
    manager: the reply after it says the money was given."""
    if not confirmed:
        raise EvenhandError(
            InputError.MISSING_VALUE,
            "confirmed: tick that you did the step yourself (in Shopify or the helpdesk) "
            "before the steps after it go on",
        )
    limit = settings.agent_refund_limit
    if step.kind not in MONEY_STEPS or user.role is Role.MANAGER or limit is None:
        return
    if step.amount_minor > to_minor(limit, step.currency):
        amount = from_minor(step.amount_minor, step.currency)
        raise EvenhandError(
            AccessError.NOT_ALLOWED,
            f"step: {amount} {step.currency} is above the agent limit of {limit}; a manager "
            "marks it done by hand",
        )


def _details(step: FailedStep, *, by: str) -> dict[str, object]:
    return {
        "step": step.kind.value,
        "execution": step.execution_id,
        "amount": str(from_minor(step.amount_minor, step.currency)),
        "currency": step.currency,
        "error": step.last_error,
        "by": by,
    }
