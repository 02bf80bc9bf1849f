"""The dispute desk: open disputes, most urgent first, and the desk's figures.

While a dispute is open, support offers nothing through the ticket; the desk is where the
effort goes (the evidence pack is `actions.evidence_pack`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Engine

from evenhand.domain.disputes import Urgency, urgency
from evenhand.domain.models import OPEN_DISPUTE_STATUSES
from evenhand.domain.money import Money
from evenhand.store.database import ensure_current
from evenhand.store.dispute_desk import (
    DeskRow,
    disputes_by_status,
    disputes_of_order,
    open_dispute_rows,
)

_FAR = datetime.max.replace(tzinfo=None)


@dataclass(frozen=True, slots=True)
class DeskEntry:
    row: DeskRow
    urgency: Urgency

    @property
    def amount(self) -> Money:
        return Money.of_minor(self.row.amount_minor, self.row.currency)


def dispute_desk(
    engine: Engine, *, now: datetime, soon_days: int, due_within: int | None = None
) -> list[DeskEntry]:
    """Open disputes, the earliest evidence due date first (overdue ones lead, those
    without a date come last); with `due_within`, only those due within that many days
    (overdue included; not those under review, whose evidence is with the bank)."""
    ensure_current(engine)
    with engine.connect() as connection:
        rows = open_dispute_rows(connection)
    soon = timedelta(days=soon_days)
    entries = [
        DeskEntry(row, urgency(row.evidence_due_by, now=now, soon=soon, status=row.status))
        for row in rows
    ]
    if due_within is not None:
        limit = now + timedelta(days=due_within)
        entries = [
            e
            for e in entries
            if e.urgency is not Urgency.WITH_BANK
            and e.row.evidence_due_by
            and e.row.evidence_due_by <= limit
        ]
    return sorted(entries, key=_most_urgent_first)


def _most_urgent_first(entry: DeskEntry) -> tuple[bool, bool, datetime, int]:
    """Those awaiting the shop's evidence first, by due date; then those with the bank."""
    due = entry.row.evidence_due_by
    with_bank = entry.urgency is Urgency.WITH_BANK
    return (with_bank, due is None, due.replace(tzinfo=None) if due else _FAR, entry.row.id)


@dataclass(frozen=True, slots=True)
class DeskFigures:
    open: int
    won: int
    lost: int
    at_stake: dict[str, Money]  # the open disputes' amounts, per currency

    @property
    def decided(self) -> int:
        return self.won + self.lost


def desk_figures(engine: Engine) -> DeskFigures:
    """Open disputes, won and lost, and the money the open ones put at stake."""
    with engine.connect() as connection:
        by_status = disputes_by_status(connection)
        rows = open_dispute_rows(connection)
    at_stake: dict[str, Money] = {}
    for row in rows:
        amount = Money.of_minor(row.amount_minor, row.currency)
        at_stake[row.currency] = at_stake.get(row.currency, Money.zero(row.currency)) + amount
    return DeskFigures(
        open=sum(n for status, (n, _) in by_status.items() if status in OPEN_DISPUTE_STATUSES),
        won=by_status.get("won", (0, 0))[0],
        lost=by_status.get("lost", (0, 0))[0],
        at_stake=at_stake,
    )


def disputes_of_ticket(engine: Engine, *, order_name: str | None, email: str) -> list[DeskRow]:
    """The disputes on the order a ticket is about, when the order is the sender's own
    (matched by the order's or its customer's e-mail)."""
    if not order_name:
        return []
    with engine.connect() as connection:
        rows = disputes_of_order(connection, order_name)
    sender = email.strip().lower()
    return [row for row in rows if (row.customer_email or "").lower() == sender]
