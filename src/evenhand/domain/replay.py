"""Replaying stored decisions under a candidate guide: what would change, and at what cost.

Each stored decision is decided again from its stored facts (no message is read again;
facts that depended on time are as they were when the ticket was decided). Only the tier
is worked out anew, from the stored net revenue or gross margin against the candidate's
metric and threshold. Both the old and the new remedy are priced under the candidate's
cost model, so a decision that does not change costs the same.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any

from evenhand.domain.costs import OrderCosts
from evenhand.domain.decision import cost_of
from evenhand.domain.facts import (
    FACTS,
    CustomerKnown,
    DisputeState,
    Facts,
    FactType,
    Tier,
)
from evenhand.domain.guide import Guide, Remedy, decide
from evenhand.domain.intents import Intent

EXAMPLES_PER_CHANGE = 3
_CHOICES: Mapping[str, Any] = {
    "intent": Intent,
    "tier": Tier,
    "dispute": DisputeState,
    "customer": CustomerKnown,
}


@dataclass(frozen=True, slots=True)
class StoredCase:
    """One stored decision, as a replay needs it."""

    ticket_key: str
    facts: Facts
    remedy: Remedy
    rule_id: str
    order_costs: OrderCosts | None


def facts_from_json(raw: Mapping[str, Any]) -> Facts:
    """The `Facts` a decision stored (`Facts.as_json`); facts added since keep their
    defaults, facts since removed are left out."""
    values: dict[str, Any] = {}
    for name, spec in FACTS.items():
        if name in raw and raw[name] is not None:
            values[name] = _fact_value(name, spec.type, raw[name])
        elif name in raw and spec.nullable:
            values[name] = None
    return Facts(**values)


def _fact_value(name: str, kind: FactType, value: Any) -> Any:
    if name in _CHOICES:
        return _CHOICES[name](value)
    if kind is FactType.NUMBER and isinstance(value, str | float):
        return Decimal(str(value))
    return value


@dataclass(frozen=True, slots=True)
class Change:
    """Tickets whose decision goes from one rule and remedy to another."""

    old_rule: str
    old_remedy: str
    new_rule: str
    new_remedy: str


@dataclass(slots=True)
class ReplayReport:
    candidate: str  # the candidate guide's version
    currency: str = ""
    decisions: int = 0
    changed: int = 0
    old_cost: Decimal = Decimal(0)
    new_cost: Decimal = Decimal(0)
    changes: Counter[Change] = field(default_factory=Counter)
    examples: dict[Change, list[str]] = field(default_factory=lambda: defaultdict(list))
    cost_by_tier: dict[str, tuple[Decimal, Decimal]] = field(default_factory=dict)
    changed_tickets: list[str] = field(default_factory=list)

    @property
    def cost_difference(self) -> Decimal:
        return self.new_cost - self.old_cost

    def figures(self) -> dict[str, Any]:
        """What an adoption records of the replay."""
        return {
            "candidate": self.candidate,
            "currency": self.currency,
            "decisions": self.decisions,
            "changed": self.changed,
            "old_cost": str(self.old_cost),
            "new_cost": str(self.new_cost),
            "cost_difference": str(self.cost_difference),
        }


def replayed_facts(guide: Guide, facts: Facts) -> Facts:
    """The stored facts with the tier (and the LTV) the candidate's settings give."""
    settings = guide.settings
    known = facts.customer is CustomerKnown.KNOWN
    ltv = facts.value(settings.ltv_metric.value) if known else Decimal(0)
    assert isinstance(ltv, Decimal)
    return replace(facts, ltv=ltv, tier=settings.tier_for(ltv))


def replay(guide: Guide, cases: Iterable[StoredCase]) -> ReplayReport:
    """Every case decided again under `guide`; nothing is stored."""
    report = ReplayReport(candidate=guide.version)
    tiers: dict[str, list[Decimal]] = defaultdict(lambda: [Decimal(0), Decimal(0)])
    for case in cases:
        facts = replayed_facts(guide, case.facts)
        rule = decide(guide.rules, facts)
        old = cost_of(guide, case.remedy, facts=facts, order_costs=case.order_costs).amount
        new = cost_of(guide, rule.remedy, facts=facts, order_costs=case.order_costs).amount
        report.decisions += 1
        report.old_cost += old
        report.new_cost += new
        tiers[facts.tier.value][0] += old
        tiers[facts.tier.value][1] += new
        if rule.id != case.rule_id or rule.remedy is not case.remedy:
            _count_change(report, case, rule.id, rule.remedy)
    report.cost_by_tier = {tier: (pair[0], pair[1]) for tier, pair in sorted(tiers.items())}
    return report


def _count_change(report: ReplayReport, case: StoredCase, rule_id: str, remedy: Remedy) -> None:
    change = Change(case.rule_id, case.remedy.value, rule_id, remedy.value)
    report.changed += 1
    report.changes[change] += 1
    report.changed_tickets.append(case.ticket_key)
    if len(report.examples[change]) < EXAMPLES_PER_CHANGE:
        report.examples[change].append(case.ticket_key)
