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
from evenhand.domain.guide import Guide, Remedy, Rule, decide
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
    """One stored decision, as a replay needs it: its facts as stored (`Facts.as_json`)."""

    ticket_key: str
    facts: Mapping[str, Any]
    remedy: Remedy
    rule_id: str
    order_costs: OrderCosts | None


def facts_from_json(raw: Mapping[str, Any], names: Iterable[str] = FACTS) -> Facts:
    """The `Facts` a decision stored (`Facts.as_json`), or only those `names` of them (the
    rest at their defaults); facts added since keep their defaults, facts since removed
    are left out."""
    return Facts(**_fact_values(raw, names))


def _fact_values(raw: Mapping[str, Any], names: Iterable[str]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for name in names:
        value = raw.get(name)
        if value is not None:
            convert = _CONVERTERS.get(name)
            values[name] = value if convert is None else convert(value)
    return values


def _metric(values: Mapping[str, Any], metric: str) -> Decimal:
    """The stored figure of the guide's metric; a decision stored without a predicted CLV
    (its guide did not read one) stands on its net revenue."""
    found = values.get(metric)
    if found is None:
        found = values.get("net_revenue", Decimal(0))
    return Decimal(found)


def _number(value: Any) -> Any:
    return Decimal(value) if isinstance(value, str) else value


_CONVERTERS: Mapping[str, Any] = {
    **{name: _number for name, spec in FACTS.items() if spec.type is FactType.NUMBER},
    **_CHOICES,
}


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
    tickets_by_tier: Counter[str] = field(default_factory=Counter)
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


def facts_read(guide: Guide) -> list[str]:
    """The stored facts a replay under `guide` reads: those its rules name, and those the
    tier and the cost are worked out from (the tier itself is worked out again)."""
    ruled = {c.fact for rule in guide.rules for c in rule.conditions}
    metric = guide.settings.ltv_metric.value
    read = {*ruled, "intent", "customer", "order_value", "net_revenue", metric}
    return sorted(read - {"tier", "ltv"})


class _Replayer:
    """Decides and prices stored cases under one guide. A decision depends only on the
    facts the rules name, and a cost only on the remedy, the order and its value, so each
    is worked out once per distinct input (a shop's tickets repeat them a great deal)."""

    def __init__(self, guide: Guide, prices: dict[tuple[object, ...], Decimal]) -> None:
        self.guide = guide
        self.ruled = sorted({c.fact for rule in guide.rules for c in rule.conditions})
        self.read = facts_read(guide)
        self.rules: dict[tuple[object, ...], Rule] = {}
        self.costs = prices

    def facts(self, raw: Mapping[str, Any]) -> Facts:
        """The stored facts the guide reads, with the tier its settings give."""
        values = _fact_values(raw, self.read)
        settings = self.guide.settings
        known = values.get("customer") is CustomerKnown.KNOWN
        ltv = _metric(values, settings.ltv_metric.value) if known else Decimal(0)
        values["ltv"], values["tier"] = ltv, settings.tier_for(ltv)
        return Facts(**values)

    def rule(self, facts: Facts) -> Rule:
        key = tuple(facts.value(name) for name in self.ruled)
        found = self.rules.get(key)
        if found is None:
            found = self.rules[key] = decide(self.guide.rules, facts)
        return found

    def rule_at(self, facts: Facts, tier: Tier, key: list[object]) -> Rule:
        """The rule for `facts` as if at `tier`; `key` is `rule`'s key of the facts."""
        if "tier" in self.ruled:
            key[self.ruled.index("tier")] = tier
        found = self.rules.get(tuple(key))
        if found is None:
            found = self.rules[tuple(key)] = decide(self.guide.rules, replace(facts, tier=tier))
        return found

    def cost(self, remedy: Remedy, facts: Facts, order: OrderCosts | None) -> Decimal:
        key = (remedy, order, facts.order_value)
        found = self.costs.get(key)
        if found is None:
            priced = cost_of(self.guide, remedy, facts=facts, order_costs=order)
            found = self.costs[key] = priced.amount
        return found


Prices = dict[tuple[object, ...], Decimal]


def replay(
    guide: Guide, cases: Iterable[StoredCase], *, prices: Prices | None = None
) -> ReplayReport:
    """Every case decided again under `guide`; nothing is stored. `prices` may carry the
    remedies' prices between replays under guides with the same cost model."""
    report = ReplayReport(candidate=guide.version)
    replayer = _Replayer(guide, {} if prices is None else prices)
    tiers: dict[str, list[Decimal]] = defaultdict(lambda: [Decimal(0), Decimal(0)])
    for case in cases:
        facts = replayer.facts(case.facts)
        rule = replayer.rule(facts)
        old = replayer.cost(case.remedy, facts, case.order_costs)
        new = (
            old
            if rule.remedy is case.remedy
            else replayer.cost(rule.remedy, facts, case.order_costs)
        )
        report.decisions += 1
        report.old_cost += old
        report.new_cost += new
        tiers[facts.tier.value][0] += old
        tiers[facts.tier.value][1] += new
        report.tickets_by_tier[facts.tier.value] += 1
        if rule.id != case.rule_id or rule.remedy is not case.remedy:
            _count_change(report, case, rule.id, rule.remedy)
    report.cost_by_tier = {tier: (pair[0], pair[1]) for tier, pair in sorted(tiers.items())}
    return report


@dataclass(frozen=True, slots=True)
class TieredCost:
    """A stored case's metric under the guide and its expected cost decided for each tier."""

    ltv: Decimal
    standard: Decimal
    vip: Decimal


def tiered_costs(
    guide: Guide, cases: Iterable[StoredCase], *, prices: Prices | None = None
) -> list[TieredCost]:
    """Each case decided as standard and as VIP under `guide` (its facts read once): what
    the VIP advisor needs to price every candidate line without replaying for each."""
    replayer = _Replayer(guide, {} if prices is None else prices)
    found = []
    for case in cases:
        facts = replayer.facts(case.facts)
        key = [facts.value(name) for name in replayer.ruled]
        costs = [
            replayer.cost(replayer.rule_at(facts, tier, key).remedy, facts, case.order_costs)
            for tier in (Tier.STANDARD, Tier.VIP)
        ]
        found.append(TieredCost(facts.ltv, costs[0], costs[1]))
    return found


def _count_change(report: ReplayReport, case: StoredCase, rule_id: str, remedy: Remedy) -> None:
    change = Change(case.rule_id, case.remedy.value, rule_id, remedy.value)
    report.changed += 1
    report.changes[change] += 1
    report.changed_tickets.append(case.ticket_key)
    if len(report.examples[change]) < EXAMPLES_PER_CHANGE:
        report.examples[change].append(case.ticket_key)
