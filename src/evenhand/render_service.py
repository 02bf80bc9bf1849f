"""Terminal renderings for the service: the inbox and the write-backs."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

from evenhand.actions.inbox_status import InboxStatus


def inbox_status(console: Console, status: InboxStatus) -> None:
    deliveries = Table(title="Webhook deliveries")
    for column in ("source", "pending", "done", "failed"):
        deliveries.add_column(column, justify="right" if column != "source" else "left")
    for source in sorted({source for source, _ in status.deliveries}):
        counts = [str(status.deliveries[(source, s)]) for s in ("pending", "done", "failed")]
        deliveries.add_row(source, *counts)
    console.print(deliveries)
    console.print(f"repeated deliveries (provider retries, not stored again): {status.repeats}")
    for row in status.failed_deliveries:
        console.print(f"[red]failed[/] delivery {row.id} ({row.source} {row.topic}): {row.error}")
    owed = Table(title="Helpdesk write-backs")
    for column in ("helpdesk", "pending", "done", "failed"):
        owed.add_column(column, justify="right" if column != "helpdesk" else "left")
    for provider in sorted({provider for provider, _ in status.writebacks}):
        counts = [str(status.writebacks[(provider, s)]) for s in ("pending", "done", "failed")]
        owed.add_row(provider, *counts)
    console.print(owed)
    for row in status.troubled_writebacks:
        console.print(
            f"[yellow]{row.status}[/] write-back {row.id} ({row.provider} ticket {row.ticket_ref}),"
            f" {row.attempts} tries, next {row.next_attempt_at:%Y-%m-%d %H:%M:%S}: {row.last_error}"
        )
