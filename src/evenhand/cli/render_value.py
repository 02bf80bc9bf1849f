"""`evenhand value model` in the terminal."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.console import Console
from rich.table import Table

if TYPE_CHECKING:
    from evenhand.actions.value_model import ParametersOut, ValueModelOut


def _parameters(title: str, fit: ParametersOut) -> Table:
    table = Table(title=title, title_justify="left")
    table.add_column("model")
    table.add_column("parameters")
    table.add_column("log-likelihood", justify="right")
    table.add_row(
        f"BG/NBD ({fit.customers:,} customers)",
        f"r {fit.r:.4f}  alpha {fit.alpha:.4f}  a {fit.a:.4f}  b {fit.b:.4f}",
        f"{fit.bg_nbd_log_likelihood:,.1f}",
    )
    table.add_row(
        f"Gamma-Gamma ({fit.repeat_customers:,} repeat customers)",
        f"p {fit.p:.4f}  q {fit.q:.4f}  gamma {fit.gamma:.4f}",
        f"{fit.gamma_gamma_log_likelihood:,.1f}",
    )
    return table


def value_model(out: Console, shown: ValueModelOut) -> None:
    span = f"{shown.first_order_day} to {shown.last_order_day}" if shown.first_order_day else ""
    out.print(f"Predicted CLV models on the shop's counted orders {span} (time in days)")
    if shown.fit is not None:
        out.print(_parameters("Fitted on every order", shown.fit))
    if shown.expected_spend is not None:
        out.print(f"A purchase's expected spend: {shown.expected_spend} {shown.currency}")
    check = shown.holdout
    if check is not None:
        out.print(_parameters(f"Fitted on the orders up to {check.cutoff}", check.calibration))
        out.print(
            f"Holdout {check.cutoff} to {check.end}, {check.customers:,} customers: "
            f"{check.predicted_purchases:,.1f} purchase days forecast, "
            f"{check.actual_purchases:,} made ({check.error:+.1%})"
        )
    if shown.problem:
        out.print(f"[yellow]{shown.problem}[/yellow]")
