"""`evenhand inbox status` and `evenhand inbox retry`: what the inbox and the write-backs
hold, and a second chance for what failed."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Engine

from evenhand.actions.llm import LlmFigures, llm_figures
from evenhand.actions.worker_pulse import WorkerHealth, worker_health
from evenhand.domain.execution import StepState
from evenhand.settings import Settings
from evenhand.store import inbox, writebacks
from evenhand.store.audit import record_event
from evenhand.store.database import ensure_current
from evenhand.store.executions import StepTrouble, requeue_failed_steps, troubled_steps


@dataclass(frozen=True, slots=True)
class InboxStatus:
    deliveries: Counter[tuple[str, str]]  # (source, status) -> count
    repeats: int
    failed_deliveries: Sequence[Any]
    writebacks: Counter[tuple[str, str]]  # (provider, status) -> count
    troubled_writebacks: Sequence[Any]
    health: WorkerHealth
    troubled_steps: Sequence[StepTrouble] = ()  # remedies' steps failed or being retried
    llm: LlmFigures | None = None  # the LLM reader's figures, when it is on or was used

    def failed_steps(self) -> int:
        return sum(t.count for t in self.troubled_steps if t.state is StepState.FAILED)

    def count(self, status: str) -> int:
        """Deliveries in this state (`failed`, `set_aside`, ...), from every source."""
        return sum(n for (_, each), n in self.deliveries.items() if each == status)

    def as_json(self) -> dict[str, Any]:
        return {
            "worker_alive": self.health.worker_alive,
            "worker_pid": self.health.worker_pid,
            "worker_seen_seconds": self.health.worker_seen_seconds,
            "oldest_pending_seconds": self.health.oldest_pending_seconds,
            "failed": self.count("failed"),
            "set_aside": self.count("set_aside"),
            "deliveries": _nested(self.deliveries),
            "repeated_deliveries": self.repeats,
            "failed_deliveries": [
                {
                    "id": r.id,
                    "source": r.source,
                    "topic": r.topic,
                    "status": r.status,
                    "error": r.error,
                }
                for r in self.failed_deliveries
            ],
            "writebacks": _nested(self.writebacks),
            "troubled_writebacks": [
                {
                    "id": r.id,
                    "provider": r.provider,
                    "ticket": r.ticket_ref,
                    "status": r.status,
                    "attempts": r.attempts,
                    "next_attempt_at": r.next_attempt_at.isoformat(),
                    "last_error": r.last_error,
                }
                for r in self.troubled_writebacks
            ],
            "failed_steps": self.failed_steps(),
            "troubled_steps": [step_trouble_json(t) for t in self.troubled_steps],
            "llm_reader": self.llm.as_json() if self.llm else None,
        }


def step_trouble_json(trouble: StepTrouble) -> dict[str, Any]:
    return {
        "kind": trouble.kind.value,
        "state": "failed" if trouble.state is StepState.FAILED else "retrying",
        "count": trouble.count,
        "oldest_at": trouble.oldest_at.isoformat(),
        "oldest_error": trouble.oldest_error,
        "oldest_decision_id": trouble.oldest_decision_id,
        "retryable": trouble.retryable,
    }


def _nested(counts: Counter[tuple[str, str]]) -> dict[str, dict[str, int]]:
    nested: dict[str, dict[str, int]] = {}
    for (outer, inner), count in sorted(counts.items()):
        nested.setdefault(outer, {})[inner] = count
    return nested


def inbox_status(
    engine: Engine, *, now: datetime, silent_seconds: int, settings: Settings | None = None
) -> InboxStatus:
    """What the inbox holds; with `settings`, the LLM reader's figures too (when it is on
    or was asked in the last 30 days)."""
    ensure_current(engine)
    health = worker_health(engine, now=now, silent_seconds=silent_seconds)
    with engine.connect() as connection:
        figures = llm_figures(connection, settings, now=now) if settings else None
        return InboxStatus(
            deliveries=inbox.delivery_counts(connection),
            repeats=inbox.repeated_deliveries(connection),
            failed_deliveries=inbox.failed_deliveries(connection),
            writebacks=writebacks.writeback_counts(connection),
            troubled_writebacks=writebacks.troubled_writebacks(connection),
            health=health,
            troubled_steps=troubled_steps(connection),
            llm=figures if figures and figures.shown else None,
        )


def execution_troubles(engine: Engine) -> list[StepTrouble]:
    """The remedies' steps that failed or are being retried, by kind (the dashboard's)."""
    with engine.connect() as connection:
        return troubled_steps(connection)


def retry_failed_steps(engine: Engine, *, now: datetime, by: str) -> int:
    """Failed steps of remedies back to pending, one more try each (their idempotency keys
    unchanged, so nothing is done twice); returns how many."""
    ensure_current(engine)
    with engine.begin() as connection:
        requeued = requeue_failed_steps(connection, now=now)
        record_event(
            connection,
            at=now,
            action="execution steps retried",
            subject=None,
            details={"steps": requeued, "by": by},
        )
    return requeued


def retry_failed(engine: Engine, *, now: datetime, set_aside: bool = False) -> tuple[int, int]:
    """Failed deliveries (with `set_aside`, also those set aside) and failed write-backs
    back to pending; returns (deliveries, write-backs) requeued."""
    ensure_current(engine)
    with engine.begin() as connection:
        deliveries = inbox.requeue_failed_deliveries(connection, set_aside=set_aside)
        owed = writebacks.requeue_failed(connection, now=now)
        record_event(
            connection,
            at=now,
            action="inbox retry",
            subject=None,
            details={"deliveries": deliveries, "writebacks": owed, "set_aside": set_aside},
        )
    return deliveries, owed
