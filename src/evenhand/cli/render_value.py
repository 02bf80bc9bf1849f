"""`evenhand value model` in the terminal."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.console import Console
from rich.table import Table

if TYPE_CHECKING:
    from evenhand.actions.outcomes import IntervalOut, OutcomesOut
    from evenhand.actions.value_model import ParametersOut, ValueModelOut


def _parameters(title: str, fit: ParametersOut) -> Table:
    if fit.fitted_on < fit.customers:
        title += f" (a sample of {fit.fitted_on:,} customers)"
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


def _mean(found: IntervalOut) -> str:
    if found.n < 2:
        return f"{found.mean:,.2f}"
    return f"{found.mean:,.2f} ({found.low:,.2f} to {found.high:,.2f})"


def outcomes(out: Console, shown: OutcomesOut, *, metric: str) -> None:
    table = Table(
        title=f"After the ticket: orders and net revenue ({shown.currency}), 95 % intervals",
        title_justify="left",
    )
    for name in ("days", "tier", "remedy", "tickets", "orders", "net revenue"):
        table.add_column(name, justify="right" if name in {"days", "tickets"} else "left")
    for group in shown.groups:
        table.add_row(
            str(group.window_days), group.tier, group.remedy, str(group.orders.n),
            _mean(group.orders), _mean(group.net_revenue),
        )  # fmt: skip
    out.print(table if shown.groups else "No decided ticket is 90 days old yet.")
    for cut in shown.discontinuities:
        out.print(
            f"Within {cut.bandwidth:,} of the VIP line ({cut.threshold:,} {metric}), "
            f"{cut.window_days} days after: below {cut.below.orders.n} ticket(s), orders "
            f"{_mean(cut.below.orders)}, net revenue {_mean(cut.below.net_revenue)}; above "
            f"{cut.above.orders.n}, orders {_mean(cut.above.orders)}, net revenue "
            f"{_mean(cut.above.net_revenue)}"
        )
        if cut.net_revenue_difference is not None:
            out.print(f"  above minus below, net revenue: {_mean(cut.net_revenue_difference)}")
        if cut.caveat:
            out.print(f"  [yellow]{cut.caveat}[/yellow]")
    threats = shown.threats
    out.print(
        f"Disputes filed afterwards: {threats.threateners.disputed_later} of "
        f"{threats.threateners.customers} customer(s) who threatened "
        f"({threats.threateners.share:.1%}, {threats.threateners.low:.1%} to "
        f"{threats.threateners.high:.1%}); {threats.no_threat.disputed_later} of "
        f"{threats.no_threat.customers} who did not ({threats.no_threat.share:.1%}, "
        f"{threats.no_threat.low:.1%} to {threats.no_threat.high:.1%})"
    )
    if threats.caveat:
        out.print(f"  [yellow]{threats.caveat}[/yellow]")
