"""What the LLM reader took per decision: appended beside the decisions, summed for
`inbox status`, the dashboard and the day's token budget."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import Connection, func, insert, select

from evenhand.store.tables import llm_readings


def append_llm_readings(connection: Connection, rows: Sequence[Mapping[str, Any]]) -> None:
    """One row per decision the LLM reader was to read: `decision_id`, `at`, `model`,
    `prompt_tokens`, `completion_tokens`, `latency_ms`, `attempts`, `fallback`."""
    if rows:
        connection.execute(insert(llm_readings), list(rows))


def day_bounds(day: date) -> tuple[datetime, datetime]:
    """A UTC day as [start, end)."""
    start = datetime.combine(day, time(), tzinfo=UTC)
    return start, start + timedelta(days=1)


def tokens_on(connection: Connection, day: date) -> int:
    """The tokens (prompt and completion) recorded on a UTC day."""
    start, end = day_bounds(day)
    total = connection.execute(
        select(
            func.coalesce(
                func.sum(llm_readings.c.prompt_tokens + llm_readings.c.completion_tokens), 0
            )
        ).where(llm_readings.c.at >= start, llm_readings.c.at < end)
    ).scalar_one()
    return int(total)


@dataclass(slots=True)
class LlmTally:
    """The LLM reader's figures over a span: readings asked for, of them used, tokens,
    latency of those that were sent, and fallbacks by reason."""

    asked: int = 0
    used: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    sent: int = 0  # readings for which a request went out
    latency_ms_total: int = 0
    fallbacks: Counter[str] = field(default_factory=Counter)

    @property
    def tokens(self) -> int:
        return self.prompt_tokens + self.completion_tokens

    @property
    def mean_latency_ms(self) -> float | None:
        return self.latency_ms_total / self.sent if self.sent else None


def llm_tally(
    connection: Connection, *, since: datetime | None = None, until: datetime | None = None
) -> LlmTally:
    """The figures of the readings recorded in [since, until) (unbounded where None)."""
    table = llm_readings
    query = select(
        table.c.fallback,
        func.count(),
        func.sum(table.c.prompt_tokens),
        func.sum(table.c.completion_tokens),
        func.sum(table.c.latency_ms),
        func.count().filter(table.c.attempts > 0),
    ).group_by(table.c.fallback)
    if since is not None:
        query = query.where(table.c.at >= since)
    if until is not None:
        query = query.where(table.c.at < until)
    tally = LlmTally()
    for reason, count, prompt, completion, latency, sent in connection.execute(query):
        tally.asked += count
        tally.prompt_tokens += int(prompt or 0)
        tally.completion_tokens += int(completion or 0)
        tally.latency_ms_total += int(latency or 0)
        tally.sent += int(sent or 0)
        if reason is None:
            tally.used += count
        else:
            tally.fallbacks[reason] += count
    return tally
