"""`evenhand value model` and `evenhand advise outcomes` in the terminal."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.console import Console
from rich.table import Table

if TYPE_CHECKING:
    from evenhand.actions.outcomes import DiscontinuityOut, IntervalOut, OutcomesOut, ThreatsOut
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
    out.print(_groups(shown) if shown.groups else "No decided ticket is 90 days old yet.")
    for cut in shown.discontinuities:
        _discontinuity(out, cut, metric=metric)
    _threats(out, shown.threats)


def _groups(shown: OutcomesOut) -> Table:
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
    return table


def _discontinuity(out: Console, cut: DiscontinuityOut, *, metric: str) -> None:
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


def _threats(out: Console, threats: ThreatsOut) -> None:
    threatened, others = threats.threateners, threats.no_threat
    out.print(
        f"Disputes filed afterwards: {threatened.disputed_later} of {threatened.customers} "
        f"customer(s) who threatened ({threatened.share:.1%}, {threatened.low:.1%} to "
        f"{threatened.high:.1%}); {others.disputed_later} of {others.customers} who did not "
        f"({others.share:.1%}, {others.low:.1%} to {others.high:.1%})"
    )
    if threats.caveat:
        out.print(f"  [yellow]{threats.caveat}[/yellow]")
