"""A failed step of a remedy, settled by an agent from its ticket (`actions.failed_steps`):
back to pending for one more try, or done by hand."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, select, update

from evenhand.domain.execution import Settling, StepKind, StepState
from evenhand.store.executions import settleable
from evenhand.store.tables import execution_steps, executions


@dataclass(frozen=True, slots=True)
class FailedStep:
    kind: StepKind
    last_error: str | None
    amount_minor: int
    currency: str
    execution_id: int


def failed_step(connection: Connection, *, decision_id: int, step_id: int) -> FailedStep | None:
    """The decision's step if an agent may settle it (`settleable`); None otherwise."""
    row = connection.execute(
        select(
            execution_steps.c.kind,
            execution_steps.c.state,
            execution_steps.c.last_error,
            execution_steps.c.amount_minor,
            executions.c.currency,
            executions.c.id.label("execution_id"),
        )
        .join(executions, executions.c.id == execution_steps.c.execution_id)
        .where(executions.c.decision_id == decision_id, execution_steps.c.id == step_id)
    ).first()
    if row is None or not settleable(row.state, row.last_error):
        return None
    return FailedStep(
        StepKind(row.kind), row.last_error, int(row.amount_minor), row.currency, row.execution_id
    )


def settle_failed_step(
    connection: Connection, step_id: int, settling: Settling, *, by: str, now: datetime
) -> bool:
    """A failed step done by hand (`by` whom, recorded as its result; the steps after it go
    on), or back to pending for one more try with its key. False if it is no longer
    failed (settled in another tab, or retried from the dashboard)."""
    values: dict[str, Any] = (
        {"state": StepState.DONE.value, "done_at": now, "result": {"done_by_hand": by}}
        if settling is Settling.DONE_BY_HAND
        else {"state": StepState.PENDING.value, "next_attempt_at": now}
    )
    changed = connection.execute(
        update(execution_steps)
        .where(
            execution_steps.c.id == step_id,
            execution_steps.c.state == StepState.FAILED.value,
        )
        .values(values)
    )
    return changed.rowcount == 1
