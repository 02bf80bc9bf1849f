"""A remedy's step that failed, settled from its ticket: tried once more (its idempotency
key unchanged, so nothing is done twice), or done by hand (the agent did it in Shopify or
the helpdesk themselves; the steps after it go on). Without this, a ticket whose step keeps
failing waits for a manager's retry of every failed step on the dashboard."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Engine

from evenhand.domain.execution import StepKind
from evenhand.errors import EvenhandError, InputError
from evenhand.store.audit import record_event
from evenhand.store.database import ensure_current
from evenhand.store.step_settling import failed_step, settle_failed_step
from evenhand.store.users import User


class Settle(StrEnum):
    RETRY = "retry"
    DONE_BY_HAND = "done_by_hand"


_EVENTS = {
    Settle.RETRY: "execution step retried",
    Settle.DONE_BY_HAND: "execution step done by hand",
}


def settle_step(
    engine: Engine, *, decision_id: int, step_id: int, how: str, user: User, now: datetime
) -> StepKind:
    """Settle the decision's failed step as `how` says, in one transaction with its audit
    event (the step, its last error, who); returns the step's kind."""
    if how not in set(Settle):
        raise EvenhandError(InputError.BAD_VALUE, f"how: {how!r} is not retry or done_by_hand")
    settle = Settle(how)
    ensure_current(engine)
    with engine.begin() as connection:
        step = failed_step(connection, decision_id=decision_id, step_id=step_id)
        by_hand = user.email if settle is Settle.DONE_BY_HAND else None
        if step is None or not settle_failed_step(
            connection, step_id, done_by_hand_by=by_hand, now=now
        ):
            raise EvenhandError(
                InputError.CONFLICTING_VALUE,
                "step: this ticket has no such failed step (it may have been retried or "
                "done by hand already); reload the page",
            )
        record_event(
            connection,
            at=now,
            action=_EVENTS[settle],
            subject=str(decision_id),
            details={"step": step.kind.value, "error": step.last_error, "by": user.email},
        )
    return step.kind
