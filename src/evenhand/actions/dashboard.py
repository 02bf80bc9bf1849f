"""The manager's dashboard: what came in, what was decided, what it was worth, what threats
were seen (and that they changed nothing), open disputes, and how often each rule is
overridden. Figures over the latest decision of each ticket."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import Engine, Row, func, select

from evenhand.domain.guide import Remedy
from evenhand.domain.models import OPEN_DISPUTE_STATUSES
from evenhand.store.tables import decisions, disputes, reviews, tickets

# Remedies that give money or goods away: their order value is what they can cost at most.
COSTLY = frozenset({Remedy.REPLACE_OR_REFUND, Remedy.RESHIP_FREE, Remedy.REFUND_RENEWAL})


@dataclass(slots=True)
class Dashboard:
    tickets: int = 0
    by_day_language: dict[date, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))
    by_day_intent: dict[date, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))
    intents: Counter[str] = field(default_factory=Counter)
    remedies: Counter[str] = field(default_factory=Counter)
    at_stake: dict[str, Decimal] = field(default_factory=lambda: defaultdict(Decimal))
    vip: int = 0
    threats: Counter[str] = field(default_factory=Counter)
    threatened_tickets: int = 0
    open_disputes: int = 0
    decided_by_rule: Counter[str] = field(default_factory=Counter)
    overridden_by_rule: Counter[str] = field(default_factory=Counter)
    currency: str = ""

    @property
    def vip_share(self) -> float:
        return self.vip / self.tickets if self.tickets else 0.0

    def override_rate(self, rule: str) -> float:
        decided = self.decided_by_rule[rule]
        return self.overridden_by_rule[rule] / decided if decided else 0.0


def dashboard(engine: Engine) -> Dashboard:
    latest = select(func.max(decisions.c.id)).group_by(decisions.c.ticket_id).correlate(None)
    overridden = select(reviews.c.decision_id).where(reviews.c.action == "override")
    board = Dashboard()
    with engine.connect() as connection:
        rows = connection.execute(
            select(
                tickets.c.created_at,
                decisions.c.language,
                decisions.c.intent,
                decisions.c.remedy,
                decisions.c.tier,
                decisions.c.signals,
                decisions.c.rule_id,
                decisions.c.facts,
                decisions.c.currency,
                decisions.c.id.in_(overridden).label("overridden"),
            )
            .join(tickets, tickets.c.id == decisions.c.ticket_id)
            .where(decisions.c.id.in_(latest))
        )
        for row in rows:
            _count(board, row)
        board.open_disputes = connection.execute(
            select(func.count())
            .select_from(disputes)
            .where(disputes.c.status.in_(sorted(OPEN_DISPUTE_STATUSES)))
        ).scalar_one()
    return board


def _count(board: Dashboard, row: Row[Any]) -> None:
    board.tickets += 1
    board.by_day_language[row.created_at.date()][row.language] += 1
    board.by_day_intent[row.created_at.date()][row.intent] += 1
    board.intents[row.intent] += 1
    board.remedies[row.remedy] += 1
    order_value = (row.facts or {}).get("order_value")
    if row.remedy in COSTLY and order_value:
        board.at_stake[row.remedy] += Decimal(str(order_value))
    board.vip += row.tier == "vip"
    kinds = {signal["kind"] for signal in row.signals or []}
    board.threats.update(kinds)
    board.threatened_tickets += bool(kinds)
    board.decided_by_rule[row.rule_id] += 1
    board.overridden_by_rule[row.rule_id] += bool(row.overridden)
    board.currency = row.currency
