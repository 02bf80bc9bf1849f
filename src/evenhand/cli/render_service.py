"""Terminal renderings for the service: the inbox and the write-backs."""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from evenhand.domain.execution import StepState

if TYPE_CHECKING:
    from evenhand.actions.inbox_status import InboxStatus
    from evenhand.actions.llm import LlmFigures
    from evenhand.actions.worker_pulse import WorkerHealth
    from evenhand.store.llm_readings import LlmTally

STATES = ("pending", "done", "failed")
DELIVERY_STATES = (*STATES, "set_aside")


def _counts_table(
    title: str, first: str, counts: Counter[tuple[str, str]], states: tuple[str, ...] = STATES
) -> Table:
    table = Table(title=title)
    table.add_column(first)
    for state in states:
        table.add_column(state.replace("_", " "), justify="right")
    for name in sorted({name for name, _ in counts}):
        table.add_row(name, *(str(counts[(name, state)]) for state in states))
    return table


def inbox_status(console: Console, status: InboxStatus) -> None:
    console.print(_worker_line(status.health))
    console.print(
        f"failed deliveries: {status.count('failed')}; set aside (took the "
        f"worker down): {status.count('set_aside')}"
    )
    console.print(_counts_table("Webhook deliveries", "source", status.deliveries, DELIVERY_STATES))
    console.print(f"repeated deliveries (provider retries, not stored again): {status.repeats}")
    for row in status.failed_deliveries:
        shown = "set aside" if row.status == "set_aside" else "failed"
        console.print(f"[red]{shown}[/] delivery {row.id} ({row.source} {row.topic}): {row.error}")
    console.print(_counts_table("Helpdesk write-backs", "helpdesk", status.writebacks))
    for row in status.troubled_writebacks:
        console.print(
            f"[yellow]{row.status}[/] write-back {row.id} ({row.provider} ticket {row.ticket_ref}),"
            f" {row.attempts} tries, next {row.next_attempt_at:%Y-%m-%d %H:%M:%S}: {row.last_error}"
        )
    _troubled_steps(console, status)
    if status.llm is not None:
        llm_lines(console, status.llm)


def _troubled_steps(console: Console, status: InboxStatus) -> None:
    """The remedies' steps that failed (an agent looks) or are being retried, by kind."""
    failed = status.failed_steps()
    console.print(f"failed remedy steps: {failed}")
    for trouble in status.troubled_steps:
        shown = "[red]failed[/]" if trouble.state is StepState.FAILED else "[yellow]retrying[/]"
        console.print(
            f"{shown} {trouble.kind.value}: {trouble.count}, the oldest "
            f"{trouble.oldest_at:%Y-%m-%d %H:%M} (decision {trouble.oldest_decision_id}): "
            f"{escape(trouble.oldest_error)}",
            highlight=False,
        )
    if any(trouble.retryable for trouble in status.troubled_steps):
        console.print("`evenhand inbox retry` gives each failed step one more try")


def llm_lines(console: Console, figures: LlmFigures) -> None:
    """The LLM reader today and over 30 days: readings, tokens, cost, fallbacks."""
    console.print(
        f"LLM reader ({figures.mode}): budget {figures.budget_per_day:,} tokens a day, "
        f"{max(figures.budget_per_day - figures.today.tokens, 0):,} left today"
    )
    for name, tally in (("today", figures.today), ("last 30 days", figures.month)):
        console.print(f"  {name}: {_tally_line(tally, figures)}")


def _tally_line(tally: LlmTally, figures: LlmFigures) -> str:
    latency = tally.mean_latency_ms
    waited = "" if latency is None else f", {latency:.0f} ms a request on average"
    fallbacks = ", ".join(f"{reason} {n}" for reason, n in sorted(tally.fallbacks.items()))
    return (
        f"{tally.asked} asked, {tally.used} used; {tally.prompt_tokens:,} prompt + "
        f"{tally.completion_tokens:,} completion tokens, "
        f"{figures.prices.cost(tally):.4f} {figures.prices.currency}{waited}; "
        f"fell back: {fallbacks or 'none'}"
    )


def _worker_line(health: WorkerHealth) -> str:
    if health.worker_seen_seconds is None:
        worker = "worker: [red]never seen[/]"
    else:
        state = "[green]alive[/]" if health.worker_alive else "[red]not alive[/]"
        worker = (
            f"worker: {state} (pid {health.worker_pid}, "
            f"last heard {health.worker_seen_seconds:.0f} s ago)"
        )
    oldest = health.oldest_pending_seconds
    waiting = "nothing pending" if oldest is None else f"oldest pending: {oldest:.0f} s old"
    return f"{worker}; {waiting}"
