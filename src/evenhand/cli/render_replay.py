"""`evenhand guide replay`, rendered: what would change, by rule, and what it would cost."""

from __future__ import annotations

from decimal import Decimal

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from evenhand.actions.schemas import ReplayOut, ThresholdAdviceOut


def replay_report(console: Console, shown: ReplayOut) -> None:
    console.print(
        f"Guide {shown.candidate} replayed over {shown.decisions:,} stored decision(s): "
        f"{shown.changed:,} would change. Nothing was stored."
    )
    if shown.changes:
        console.print(_changes(shown))
    console.print(_costs(shown))


def _changes(shown: ReplayOut) -> Table:
    table = Table(title="old remedy -> new remedy, by rule")
    for column in ("old rule", "remedy", "new rule", "tickets", "examples"):
        table.add_column(column, justify="right" if column == "tickets" else "left")
    for change in shown.changes:
        table.add_row(
            escape(change.old_rule),
            f"{change.old_remedy.value} -> {change.new_remedy.value}",
            escape(change.new_rule),
            f"{change.tickets:,}",
            escape(", ".join(change.examples)),
        )
    return table


def _costs(shown: ReplayOut) -> Table:
    table = Table(title=f"expected cost ({shown.currency or 'shop currency'})")
    for column in ("tier", "now", "under the candidate", "difference"):
        table.add_column(column, justify="left" if column == "tier" else "right")
    for tier in shown.by_tier:
        table.add_row(
            tier.tier.value,
            _amount(tier.old_cost),
            _amount(tier.new_cost),
            _signed(tier.difference),
        )
    table.add_row(
        "total", _amount(shown.old_cost), _amount(shown.new_cost), _signed(shown.cost_difference)
    )
    return table


def _amount(value: Decimal) -> str:
    return f"{value:,.2f}"


def _signed(value: Decimal) -> str:
    return f"{value:+,.2f}"


def threshold_advice(console: Console, shown: ThresholdAdviceOut) -> None:
    table = Table(title=f"Candidate VIP thresholds of {shown.metric.value} ({shown.currency})")
    for column in (
        "threshold",
        "VIP customers",
        "VIP tickets",
        "extra cost a year",
        "VIP margin a year",
        "margin after",
        f"covered x{shown.safety}",
    ):
        table.add_column(column, justify="right")
    for option in shown.options:
        table.add_row(
            _amount(option.threshold),
            f"{option.vip_customers:,}",
            f"{option.vip_tickets:,}",
            _amount(option.extra_cost_a_year),
            _amount(option.vip_margin_a_year),
            _signed(option.margin_after_concessions),
            "yes" if option.covered else "no",
        )
    console.print(table)
    if shown.too_thin:
        console.print(f"Too little data to recommend a threshold: {escape(shown.too_thin)}.")
    elif shown.recommended is None:
        console.print("No candidate's VIP margin covers its concessions: keep VIP rare.")
    else:
        console.print(
            f"Recommended: VIP from {_amount(shown.recommended)} {shown.currency}, the lowest "
            f"line whose VIPs' margin covers what they are given {shown.safety} times."
        )
