"""Terminal renderings (Rich) of what the actions return."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from evenhand.domain.money import Money

if TYPE_CHECKING:  # the renderers take what the actions return; they need not load them
    from evenhand.actions.customer_value import CustomerReport
    from evenhand.actions.demo import DemoReport
    from evenhand.actions.import_file import ImportReport
    from evenhand.actions.initialise import InitReport
    from evenhand.domain.value import CustomerValue, LtvMetric
    from evenhand.settings import Settings
    from evenhand.store.customers import CustomerRow
    from evenhand.understand.approach import Approach
    from evenhand.understand.cross_validation import IntentValidation, SignalValidation
    from evenhand.understand.evaluation import EvalReport, Score

_SHOWN_REJECTIONS = 50


def init_report(console: Console, report: InitReport) -> None:
    state = "created" if report.revision_before is None else "up to date"
    console.print(f"database {report.database}: {state}")
    if report.settings_written:
        console.print(f"settings written to {report.settings_file}")
    else:
        console.print(f"settings file {report.settings_file} kept as it is")


def import_report(console: Console, report: ImportReport) -> None:
    console.print(
        f"[bold]{report.kind.value}[/] {escape(str(report.path))}: {report.records} read, "
        f"{report.created} new, {report.updated} updated, {report.unchanged} unchanged"
        + (f", {report.stale} stale (older than stored)" if report.stale else "")
        + (f", [red]{len(report.rejections)} rejected[/]" if report.rejections else ""),
        highlight=False,
    )
    if report.disputes_linked:
        console.print(f"{report.disputes_linked} dispute(s) linked to their orders")
    for rejection in report.rejections[:_SHOWN_REJECTIONS]:
        where = f"line {rejection.line}" + (f", {rejection.column}" if rejection.column else "")
        record = f" {rejection.record}" if rejection.record else ""
        console.print(
            f"  [red]rejected[/]{escape(record)} ({escape(where)}): {escape(rejection.reason)}",
            highlight=False,
        )
    if len(report.rejections) > _SHOWN_REJECTIONS:
        console.print(f"  ... and {len(report.rejections) - _SHOWN_REJECTIONS} more")
    for dispute in report.unlinked_disputes:
        console.print(
            f"  [yellow]dispute {dispute.provider} {escape(dispute.external_id)} "
            f"({escape(dispute.status)}) waits for its order[/] ({escape(dispute.link_hint)})",
            highlight=False,
        )


def _money(value: Money) -> str:
    return f"{value.amount:,.2f}".replace(",", " ")


def top_customers(
    console: Console,
    currency: str,
    *,
    rows: list[tuple[CustomerRow, CustomerValue]],
    metric: LtvMetric,
) -> None:
    """The list; figures are never cut short: only the e-mail column gives way."""
    headings = ("orders", "net revenue", "gross margin", "AOV", "last order", "disputes")
    cells = [_figures(value) for _, value in rows]
    table = Table(title=f"Customers by {metric.value.replace('_', ' ')} ({currency})")
    table.add_column("email", overflow="ellipsis", no_wrap=True, min_width=12)
    for position, heading in enumerate(headings):
        widest = max([len(heading), *(len(row[position]) for row in cells)])
        table.add_column(heading, justify="right", no_wrap=True, min_width=widest)
    for (row, _), figures in zip(rows, cells, strict=True):
        table.add_row(escape(row.email), *figures)
    console.print(table)


def _figures(value: CustomerValue) -> tuple[str, ...]:
    last = value.last_order_at.date().isoformat() if value.last_order_at else "-"
    return (
        str(value.orders),
        _money(value.net_revenue),
        _money(value.gross_margin),
        _money(value.average_order_value),
        last,
        str(value.open_disputes or ""),
    )


def top_customers_json(
    rows: list[tuple[CustomerRow, CustomerValue]], metric: LtvMetric
) -> list[dict[str, Any]]:
    return [
        {
            "email": row.email,
            "orders": value.orders,
            "currency": value.currency,
            "net_revenue": str(value.net_revenue.amount),
            "gross_margin": str(value.gross_margin.amount),
            "ltv": str(value.ltv(metric).amount),
            "open_disputes": value.open_disputes,
        }
        for row, value in rows
    ]


def customer_report(console: Console, report: CustomerReport) -> None:
    value = report.value
    name = " ".join(part for part in (report.first_name, report.last_name) if part)
    title = f"{name} <{report.email}>" if name else report.email
    table = Table(title=escape(title), show_header=False)
    table.add_column("figure")
    table.add_column("value", justify="right", no_wrap=True)
    currency = value.currency
    rows = (
        ("orders counted", str(value.orders)),
        ("gross sales", f"{_money(value.gross_sales)} {currency}"),
        ("refunds", f"{_money(value.refunds)} {currency}"),
        ("net revenue", f"{_money(value.net_revenue)} {currency}"),
        ("gross margin", f"{_money(value.gross_margin)} {currency}"),
        ("average order value", f"{_money(value.average_order_value)} {currency}"),
        ("first order", value.first_order_at.isoformat() if value.first_order_at else "-"),
        ("last order", value.last_order_at.isoformat() if value.last_order_at else "-"),
        ("open disputes", str(value.open_disputes)),
        (f"LTV ({report.ltv_metric.value})", f"{_money(value.ltv(report.ltv_metric))} {currency}"),
    )
    for label, text in rows:
        table.add_row(label, text)
    console.print(table)
    for dispute in report.disputes:
        amount = Money.of_minor(dispute.amount_minor, dispute.currency)
        console.print(
            escape(
                f"dispute {dispute.provider} {dispute.external_id}: {dispute.status}, "
                f"{dispute.reason or 'no reason given'}, {_money(amount)} {currency} "
                f"on order {dispute.order_name}"
            ),
            highlight=False,
        )
    console.print("[dim]How these figures are computed:[/]")
    for note in report.method:
        console.print(f"[dim]- {note}[/]", highlight=False)


def demo_report(console: Console, report: DemoReport) -> None:
    console.print(
        f"demo shop written to {report.files.orders_csv.parent} "
        f"({report.files.line_items} order export rows)"
    )
    for imported in report.imports:
        import_report(console, imported)
    if report.reviews:
        console.print(
            f"[bold]reviews[/] {escape(str(report.reviews.path))}: {report.reviews.records} read, "
            f"{report.reviews.matched} matched to a customer"
        )


def evaluation(console: Console, report: EvalReport) -> None:
    intents = Table(title=f"Intents: {report.name} ({report.examples} messages)")
    for heading in ("intent", "precision", "recall", "F1", "support"):
        intents.add_column(heading, justify="left" if heading == "intent" else "right")
    for score in report.intents:
        if not score.support:
            continue
        intents.add_row(
            score.label,
            f"{score.precision:.3f}",
            f"{score.recall:.3f}",
            f"{score.f1:.3f}",
            str(score.support),
        )
    console.print(intents)
    console.print(
        f"macro-F1 {report.macro_f1:.3f}   language accuracy {report.language_accuracy:.3f}"
    )
    console.print(_signal_table("Threat signals", report.signals))
    _confusion(console, report)
    figures(console, report)
    console.print(
        f"p50 {report.p50_ms:.2f} ms, p99 {report.p99_ms:.2f} ms per message, "
        f"{report.per_second:,.0f} messages/s"
    )


def figures(console: Console, report: EvalReport) -> None:
    """The issue's figures per language, and the reliability table."""
    from evenhand.understand.model_card import (  # noqa: PLC0415 (the corpus)
        FIGURE_HEADINGS,
        figure_cells,
    )

    table = Table(title=f"Figures per language: {report.name}")
    for heading in ("language", *FIGURE_HEADINGS):
        table.add_column(heading, justify="left" if heading == "language" else "right")
    for language, each in [*report.by_language.items(), ("all", report.overall)]:
        table.add_row(language, *figure_cells(each))
    console.print(table)
    console.print(_reliability_table(report))


def _reliability_table(report: EvalReport) -> Table:
    table = Table(title=f"Reliability: {report.name} (confidence against accuracy)")
    table.add_column("confidence")
    for language in [*report.by_language, "all"]:
        table.add_column(f"{language}: n", justify="right")
        table.add_column(f"{language}: mean conf.", justify="right")
        table.add_column(f"{language}: accuracy", justify="right")
    columns = [*report.by_language.values(), report.overall]
    for i, first in enumerate(report.overall.reliability):
        cells = []
        for each in columns:
            bin_ = each.reliability[i]
            shown = bool(bin_.messages)
            cells += [
                str(bin_.messages),
                f"{bin_.mean_confidence:.2f}" if shown else "-",
                f"{bin_.accuracy:.2f}" if shown else "-",
            ]
        table.add_row(f"{first.low:.2f}-{first.high:.2f}", *cells)
    return table


def signal_validation(console: Console, validation: SignalValidation) -> None:
    title = (
        f"Threat signals, {validation.folds}-fold cross-validation"
        f" over {validation.sentences:,} training sentences"
    )
    console.print(_signal_table(title, validation.signals))
    console.print(
        f"{validation.neutral_flagged} of {validation.neutral} sentences without a threat"
        " read as showing one"
    )


def intent_validation(console: Console, validation: IntentValidation) -> None:
    console.print(
        f"Intents, {validation.folds}-fold cross-validation (grouped by seed)"
        f" over {validation.messages:,} training messages"
    )
    table = Table(title="Knobs on the same out-of-fold readings")
    for heading in (
        "cascade below",
        "e5 weight",
        "threshold",
        "remedy doubt",
        "macro-F1",
        "in-scope macro-F1",
        "out-of-scope given a remedy",
        "asked e5",
    ):
        table.add_column(heading, justify="right")
    best = sorted(validation.scores, key=lambda s: -s.macro_f1)[:12]
    for each in [validation.chosen, *best]:
        knobs = each.knobs
        table.add_row(
            f"{knobs.cascade_below:.2f}",
            f"{knobs.e5_weight:.1f}",
            f"{knobs.threshold:.2f}",
            f"{knobs.remedy_doubt:.2f}",
            f"{each.macro_f1:.3f}",
            f"{each.in_scope_macro_f1:.3f}",
            f"{100 * each.out_of_scope_remedy:.1f} %",
            f"{100 * each.asked_e5:.0f} %",
        )
    console.print(table)
    console.print(
        "(first row: the shipped knobs)  fitted temperature "
        f"{validation.temperature:.2f}: log loss {validation.log_loss_raw:.3f} -> "
        f"{validation.log_loss_calibrated:.3f}"
    )


def _signal_table(title: str, scores: list[Score]) -> Table:
    table = Table(title=title)
    for heading in ("signal", "precision", "recall", "support"):
        table.add_column(heading, justify="left" if heading == "signal" else "right")
    for score in scores:
        table.add_row(
            score.label, f"{score.precision:.3f}", f"{score.recall:.3f}", str(score.support)
        )
    return table


def _confusion(console: Console, report: EvalReport) -> None:
    table = Table(title="Confusion (rows: true intent, columns: read)")
    table.add_column("")
    for label in report.labels:
        table.add_column(label[:6], justify="right")
    for label, row in zip(report.labels, report.confusion, strict=True):
        table.add_row(label, *(str(count) if count else "." for count in row))
    console.print(table)


def approaches(console: Console, reports: dict[Approach, EvalReport]) -> None:
    table = Table(title="Approaches on the same messages")
    for heading in ("approach", "macro-F1", "language", "lowest signal recall", "p50 ms", "p99 ms"):
        table.add_column(heading, justify="left" if heading == "approach" else "right")
    for approach, report in reports.items():
        lowest = min(score.recall for score in report.signals)
        table.add_row(
            approach.value,
            f"{report.macro_f1:.3f}",
            f"{report.language_accuracy:.3f}",
            f"{lowest:.3f}",
            f"{report.p50_ms:.2f}",
            f"{report.p99_ms:.2f}",
        )
    console.print(table)


def next_steps(console: Console, settings: Settings, *, program: str) -> None:
    """What a newcomer does after `evenhand demo` (`program`: how they ran it)."""
    database = settings.db.removeprefix("sqlite:///")
    console.print(
        f"\n[bold]Next[/], in this folder (the demo's database is {database}):\n"
        f"  1. a manager for the web UI:    {program} user create you@example.com --role manager\n"
        f"  2. the service:                 {program} serve\n"
        "  3. open http://127.0.0.1:8000/ and sign in: the queue holds the demo inbox\n"
        f"  4. a customer in the terminal:  {program} customer EMAIL (one from the table above)",
        highlight=False,
    )
