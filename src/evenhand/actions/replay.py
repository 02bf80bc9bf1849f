"""`evenhand guide replay`: the stored tickets decided again under a candidate guide.

Nothing is read again and nothing is stored: the stored facts are decided by the
candidate (`evenhand.domain.replay`) in one read-only transaction.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import datetime

from sqlalchemy import Engine

from evenhand.actions.guide import adopt_uploaded_guide, checked_upload
from evenhand.domain.costs import OrderCosts
from evenhand.domain.guide import Guide, Remedy
from evenhand.domain.replay import ReplayReport, StoredCase, replay
from evenhand.store.database import ensure_current
from evenhand.store.replay_cases import ReplayRow, latest_decisions
from evenhand.store.shop import shop_currency


def replay_guide(
    engine: Engine, candidate: Guide, *, since: datetime | None = None
) -> ReplayReport:
    """Every ticket's latest decision (since `since`) decided again under `candidate`."""
    ensure_current(engine)
    with engine.connect() as connection:
        report = replay(candidate, stored_cases(latest_decisions(connection, since=since)))
        report.currency = shop_currency(connection) or ""
        connection.rollback()
    return report


def replay_upload(engine: Engine, *, text: str, by: str) -> tuple[Guide, ReplayReport]:
    """An uploaded candidate, checked (as an adoption would) and replayed; nothing stored."""
    guide = checked_upload(text, by=by).guide
    return guide, replay_guide(engine, guide)


def adopt_replayed_guide(engine: Engine, *, text: str, by: str, now: datetime) -> ReplayReport:
    """Replay the candidate once more (the figures as they are now) and adopt it, the
    adoption recording the replay's figures."""
    _, report = replay_upload(engine, text=text, by=by)
    adopt_uploaded_guide(engine, text=text, by=by, now=now, replay=report.figures())
    return report


def stored_cases(rows: Iterable[ReplayRow]) -> Iterator[StoredCase]:
    for row in rows:
        yield StoredCase(
            ticket_key=row.ticket_key,
            facts=row.facts,
            remedy=Remedy(row.remedy),
            rule_id=row.rule_id,
            order_costs=None if row.order_costs is None else OrderCosts.from_json(row.order_costs),
        )
