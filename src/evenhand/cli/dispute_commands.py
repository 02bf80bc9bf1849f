"""`evenhand disputes`: the dispute desk in a terminal, most urgent first."""

from __future__ import annotations

import json
import sys
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from evenhand.cli.app import DbOption, JsonFlag, app, load, now, out

_MARKS = {
    "overdue": "[bold red]OVERDUE[/]",
    "due_soon": "[yellow]due soon[/]",
    "with_bank": "with the bank",
}


@app.command()
def disputes(
    db: DbOption = None,
    due_within: Annotated[
        int | None,
        typer.Option(
            "--due-within", min=0, help="Only disputes whose evidence is due within DAYS."
        ),
    ] = None,
    as_json: JsonFlag = False,
) -> None:
    """Open payment disputes, earliest evidence due date first; overdue and nearly due marked."""
    from evenhand.actions.dispute_desk import dispute_desk
    from evenhand.actions.dispute_schemas import dispute_out
    from evenhand.store.database import make_engine

    settings = load(db)
    engine = make_engine(settings.db)
    entries = dispute_desk(
        engine, now=now(), soon_days=settings.dispute_due_soon_days, due_within=due_within
    )
    if as_json:
        shown = [dispute_out(entry).model_dump(mode="json") for entry in entries]
        sys.stdout.write(json.dumps(shown, indent=2, ensure_ascii=False) + "\n")
        return
    table = Table("Due", "", "Amount", "Reason (code)", "Status", "Order", "Customer", "Dispute")
    for entry in entries:
        row = entry.row
        due = row.evidence_due_by.strftime("%Y-%m-%d %H:%M") if row.evidence_due_by else "-"
        table.add_row(
            due,
            _MARKS.get(entry.urgency.value, ""),
            str(entry.amount),
            escape(f"{row.reason or '-'} ({row.network_reason_code or '-'})"),
            row.status,
            escape(row.order_name or "not in the shop's data"),
            escape(row.customer_email or "-"),
            escape(f"{row.provider} {row.external_id}"),
        )
    out.print(table)
    out.print(
        f"{len(entries)} open dispute(s)"
        + (f" due within {due_within} days" if due_within is not None else "")
    )
