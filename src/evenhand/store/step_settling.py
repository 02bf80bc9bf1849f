"""A failed step of a remedy, settled by an agent from its ticket (`actions.failed_steps`):
back to pending for one more try, or done by hand."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, select, update

from evenhand.domain.execution import StepKind, StepState
from evenhand.store.executions import ERASED_REPLY
from evenhand.store.tables import execution_steps, executions


@dataclass(frozen=True, slots=True)
class FailedStep:
    kind: StepKind
    last_error: str | None


def failed_step(connection: Connection, *, decision_id: int, step_id: int) -> FailedStep | None:
    """The decision's step if it failed (a reply held back for an erased customer is not
    one an agent can settle); None otherwise."""
    row = connection.execute(
        select(execution_steps.c.kind, execution_steps.c.last_error)
        .join(executions, executions.c.id == execution_steps.c.execution_id)
        .where(
            executions.c.decision_id == decision_id,
            execution_steps.c.id == step_id,
            execution_steps.c.state == StepState.FAILED.value,
        )
    ).first()
    if row is None or row.last_error == ERASED_REPLY:
        return None
    return FailedStep(StepKind(row.kind), row.last_error)


def settle_failed_step(
    connection: Connection, step_id: int, *, done_by_hand_by: str | None, now: datetime
) -> bool:
    """A failed step done by hand (by whom, recorded as its result; the steps after it go
    on) or, without `done_by_hand_by`, back to pending for one more try with its key.
    False if it is no longer failed (another agent settled it)."""
    values: dict[str, Any] = (
        {"state": StepState.DONE.value, "done_at": now, "result": {"done_by_hand": done_by_hand_by}}
        if done_by_hand_by
        else {"state": StepState.PENDING.value, "next_attempt_at": now}
    )
    return (
        connection.execute(
            update(execution_steps)
            .where(
                execution_steps.c.id == step_id,
                execution_steps.c.state == StepState.FAILED.value,
            )
            .values(values)
        ).rowcount
        == 1
    )
