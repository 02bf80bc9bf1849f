"""The manager's dashboard: what came in, what was decided, what it was worth, what threats
were seen (and that they changed nothing), open disputes, and how often each rule is
overridden. Figures over the latest decision of each ticket created in a window."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import Engine

from evenhand.domain.guide import Remedy
from evenhand.domain.money import from_minor
from evenhand.errors import EvenhandError, InputError
from evenhand.store.dashboard import Tally, newest_ticket_at, tallies
from evenhand.store.disputes import count_open_disputes

# Remedies that give money or goods away: their order value is what they can cost at most.
COSTLY = frozenset({Remedy.REPLACE_OR_REFUND, Remedy.RESHIP_FREE, Remedy.REFUND_RENEWAL})
# The windows the dashboard offers, in days up to the newest ticket (None: every ticket).
WINDOWS: tuple[int | None, ...] = (7, 30, 90, 365, None)
DEFAULT_DAYS = 30


@dataclass(slots=True)
class Costs:
    """The expected cost of the remedies given (`evenhand.domain.costs`), summed four ways;
    `priced` counts the decisions that have one (those decided since costs are kept)."""

    priced: int = 0
    by_remedy: dict[str, Decimal] = field(default_factory=lambda: defaultdict(Decimal))
    by_rule: dict[str, Decimal] = field(default_factory=lambda: defaultdict(Decimal))
    by_tier: dict[str, Decimal] = field(default_factory=lambda: defaultdict(Decimal))
    by_week: dict[date, Decimal] = field(default_factory=lambda: defaultdict(Decimal))

    @property
    def total(self) -> Decimal:
        return sum(self.by_remedy.values(), Decimal(0))

    def add(self, tally: Tally) -> None:
        if not tally.priced:
            return
        cost = from_minor(tally.expected_cost_minor, tally.currency)
        self.priced += tally.priced
        self.by_remedy[tally.remedy] += cost
        self.by_rule[tally.rule_id] += cost
        self.by_tier[tally.tier] += cost
        self.by_week[week_of(tally.day)] += cost


def week_of(day: date) -> date:
    """The Monday of the ISO week a day is in."""
    return day - timedelta(days=day.weekday())


@dataclass(slots=True)
class Dashboard:
    tickets: int = 0
    by_day_language: dict[date, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))
    by_day_intent: dict[date, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))
    intents: Counter[str] = field(default_factory=Counter)
    remedies: Counter[str] = field(default_factory=Counter)
    at_stake: dict[str, Decimal] = field(default_factory=lambda: defaultdict(Decimal))
    costs: Costs = field(default_factory=Costs)
    vip: int = 0
    threats: Counter[str] = field(default_factory=Counter)
    threatened_tickets: int = 0
    open_disputes: int = 0
    decided_by_rule: Counter[str] = field(default_factory=Counter)
    overridden_by_rule: Counter[str] = field(default_factory=Counter)
    currency: str = ""
    days: int | None = None  # the window asked for (None: every ticket)
    since: date | None = None  # the window's first and last day, when there are tickets
    until: date | None = None

    @property
    def vip_share(self) -> float:
        return self.vip / self.tickets if self.tickets else 0.0

    def override_rate(self, rule: str) -> float:
        decided = self.decided_by_rule[rule]
        return self.overridden_by_rule[rule] / decided if decided else 0.0


def window_days(text: str) -> int | None:
    """A window as the dashboard's links name it: "7", "30", "90", "365" or "all"."""
    for days in WINDOWS:
        if text == window_name(days):
            return days
    names = ", ".join(window_name(days) for days in WINDOWS)
    raise EvenhandError(InputError.BAD_VALUE, f"days: {text!r} is not one of {names}")


def window_name(days: int | None) -> str:
    return "all" if days is None else str(days)


def dashboard(engine: Engine, *, days: int | None = DEFAULT_DAYS) -> Dashboard:
    """The figures of the tickets created in the `days` up to the newest one (all tickets,
    if None): a window that ends where the inbox does, on a live shop today."""
    board = Dashboard(days=days)
    with engine.connect() as connection:
        newest = newest_ticket_at(connection)
        since = newest - timedelta(days=days) if newest and days else None
        for tally in tallies(connection, since=since):
            _count(board, tally)
        board.open_disputes = count_open_disputes(connection)
    board.since = since.date() if since else None
    board.until = newest.date() if newest else None
    return board


def _count(board: Dashboard, tally: Tally) -> None:
    n = tally.count
    board.tickets += n
    board.by_day_language[tally.day][tally.language] += n
    board.by_day_intent[tally.day][tally.intent] += n
    board.intents[tally.intent] += n
    board.remedies[tally.remedy] += n
    board.vip += n if tally.tier == "vip" else 0
    board.threats.update({kind: n for kind in tally.threats})
    board.threatened_tickets += n if tally.threats else 0
    board.decided_by_rule[tally.rule_id] += n
    board.overridden_by_rule[tally.rule_id] += n if tally.overridden else 0
    board.currency = tally.currency
    board.costs.add(tally)
    if tally.remedy in COSTLY and tally.order_value_minor:
        board.at_stake[tally.remedy] += from_minor(tally.order_value_minor, tally.currency)
