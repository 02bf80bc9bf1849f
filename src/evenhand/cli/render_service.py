"""Terminal renderings for the service: the inbox and the write-backs."""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING

from rich.console import Console
from rich.table import Table

if TYPE_CHECKING:
    from evenhand.actions.inbox_status import InboxStatus

STATES = ("pending", "done", "failed")


def _counts_table(title: str, first: str, counts: Counter[tuple[str, str]]) -> Table:
    table = Table(title=title)
    table.add_column(first)
    for state in STATES:
        table.add_column(state, justify="right")
    for name in sorted({name for name, _ in counts}):
        table.add_row(name, *(str(counts[(name, state)]) for state in STATES))
    return table


def inbox_status(console: Console, status: InboxStatus) -> None:
    console.print(_counts_table("Webhook deliveries", "source", status.deliveries))
    console.print(f"repeated deliveries (provider retries, not stored again): {status.repeats}")
    for row in status.failed_deliveries:
        console.print(f"[red]failed[/] delivery {row.id} ({row.source} {row.topic}): {row.error}")
    console.print(_counts_table("Helpdesk write-backs", "helpdesk", status.writebacks))
    for row in status.troubled_writebacks:
        console.print(
            f"[yellow]{row.status}[/] write-back {row.id} ({row.provider} ticket {row.ticket_ref}),"
            f" {row.attempts} tries, next {row.next_attempt_at:%Y-%m-%d %H:%M:%S}: {row.last_error}"
        )
