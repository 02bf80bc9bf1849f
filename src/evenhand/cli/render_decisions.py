"""Terminal and JSON renderings of decisions, triage runs and guides."""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from evenhand.domain.intents import THREAT_SIGNALS, SignalKind
from evenhand.ingest.tickets import TicketProblem

if TYPE_CHECKING:
    from evenhand.actions.guide import GuideCheck
    from evenhand.actions.triage import Triaged, TriageReport
    from evenhand.domain.guide import Guide

_SHOWN_ROWS = 40


def triage_table(console: Console, report: TriageReport) -> None:
    table = Table(title=f"Decisions (guide {report.guide.version})")
    for column in ("ticket", "lang", "intent", "tier", "dispute", "remedy", "rule", "threats"):
        table.add_column(column)
    for outcome in report.outcomes[:_SHOWN_ROWS]:
        table.add_row(*_row(outcome))
    console.print(table)
    if len(report.outcomes) > _SHOWN_ROWS:
        console.print(f"... and {len(report.outcomes) - _SHOWN_ROWS} more")
    triage_summary(console, report)


def _problem_place(problem: TicketProblem) -> str:
    line = "" if problem.line is None else f"line {problem.line}"
    if problem.ticket_id is None:
        return line or "?"
    return f"{problem.ticket_id} ({line})" if line else problem.ticket_id


def _row(outcome: Triaged | TicketProblem) -> tuple[str, ...]:
    if isinstance(outcome, TicketProblem):
        return (
            escape(_problem_place(outcome)),
            "",
            f"[red]{escape(outcome.error)}[/]",
            "",
            "",
            "",
            "",
            "",
        )
    decision = outcome.decision
    threats = ", ".join(sorted({s.kind.value for s in decision.reading.signals}))
    return (
        escape(decision.ticket_id),
        decision.reading.language,
        decision.facts.intent.value,
        decision.facts.tier.value,
        decision.facts.dispute.value,
        decision.remedy.value,
        decision.rule_id,
        threats,
    )


def triage_summary(console: Console, report: TriageReport) -> None:
    decided, failed = len(report.decided), len(report.failed)
    console.print(
        f"[bold]{decided} ticket(s) decided[/] by guide {report.guide.version}"
        + (f", [red]{failed} line(s) failed[/]" if failed else ""),
        highlight=False,
    )
    for name in ("remedy", "intent", "tier", "language", "threat", "llm"):
        counts = report.counts.get(name)
        if counts:
            listed = ", ".join(f"{key} {count}" for key, count in counts.most_common())
            console.print(f"  {name}: {listed}", highlight=False)
    threatened = sum(
        1
        for outcome in report.decided
        if any(signal.kind in THREAT_SIGNALS for signal in outcome.decision.reading.signals)
    )
    if threatened:
        console.print(
            f"  {threatened} ticket(s) carried a threat; the guide cannot see threats, so "
            "none changed a remedy",
            highlight=False,
        )
    filed = report.counts.get("threat", Counter())[SignalKind.CHARGEBACK_FILED.value]
    if filed:
        console.print(
            f"  {filed} ticket(s) said a chargeback was filed: sent to the dispute process",
            highlight=False,
        )


def guide_table(console: Console, guide: Guide) -> None:
    settings = guide.settings
    console.print(
        f"[bold]{escape(guide.name or 'guide')} {guide.version}[/], from {escape(guide.source)}: "
        f"VIP from {settings.vip_threshold} "
        f"by {settings.ltv_metric.value}; returns within {settings.return_window_days} days "
        f"of receipt (shipping + {settings.transit_days} days when the delivery date is not "
        f"known), return shipping paid by the {settings.return_shipping.value}; "
        f"money or goods from confidence {settings.remedy_confidence}",
        highlight=False,
    )
    table = Table()
    for column in ("#", "rule", "when", "remedy", "reply"):
        table.add_column(column)
    for number, rule in enumerate(guide.rules, start=1):
        when = ", ".join(f"{c.fact}: {c.cell}" for c in rule.conditions) or "(anything)"
        table.add_row(str(number), rule.id, escape(when), rule.remedy.value, escape(rule.reply))
    console.print(table)


def guide_check(console: Console, check: GuideCheck) -> None:
    guide_table(console, check.guide)
    for outcome in check.outcomes:
        mark = "[green]ok[/]" if outcome.passed else "[red]FAILED[/]"
        line = f"{mark} {escape(outcome.example.name)}: {outcome.remedy.value} by {outcome.rule}"
        if outcome.remedy is not outcome.example.remedy:
            line += f" (expected {outcome.example.remedy.value})"
        changed = {
            k.value: v.value for k, v in outcome.with_threats.items() if v is not outcome.remedy
        }
        if changed:
            line += f"; a threat changed the remedy: {changed}"
        console.print(line, highlight=False)
    passed = sum(outcome.passed for outcome in check.outcomes)
    console.print(
        f"{passed}/{len(check.outcomes)} example(s) hold, each also with every threat added",
        highlight=False,
    )
