"""The queue agents work from: the latest decision of each ticket, filtered in the database
(threats, overrides, the decision's own columns), on SQLite and PostgreSQL."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import pytest
from alembic import command
from sqlalchemy import Engine, select

from evenhand.actions.reviews import review_decision
from evenhand.actions.users import create_user
from evenhand.domain.roles import Role
from evenhand.store.database import alembic_config
from evenhand.store.reviews import QueueRow, queue_rows
from evenhand.store.tables import decisions, tickets
from evenhand.store.users import find_user
from evenhand.understand.model import SignalKind
from tests.conftest import DEMO_AGAIN, DEMO_TICKETS, NOW


@dataclass(frozen=True, slots=True)
class Stored:
    """A stored decision as the queue should see it, read from its `signals` JSON."""

    id: int
    ticket_id: int
    threats: frozenset[str]
    received_at: datetime  # the ticket's own time


@pytest.fixture
def decided(engine: Engine, demo_inbox_decided: None) -> list[Stored]:
    """Every decision of the triaged demo tickets, oldest first."""
    return _stored(engine)


def _stored(engine: Engine) -> list[Stored]:
    with engine.connect() as connection:
        rows = connection.execute(
            select(decisions.c.id, decisions.c.ticket_id, decisions.c.signals, tickets.c.created_at)
            .join(tickets, tickets.c.id == decisions.c.ticket_id)
            .order_by(decisions.c.id)
        ).all()
    return [
        Stored(
            row.id,
            row.ticket_id,
            frozenset(signal["kind"] for signal in row.signals),
            row.created_at,
        )
        for row in rows
    ]


def _latest_newest_first(stored: list[Stored]) -> list[Stored]:
    """Each ticket's latest decision; the ticket received last first, then the higher id."""
    latest = {each.ticket_id: each for each in stored}  # stored is oldest first
    return sorted(latest.values(), key=lambda each: (each.received_at, each.id), reverse=True)


def _queue(engine: Engine, limit: int = 1_000, **filters: str) -> list[int]:
    with engine.connect() as connection:
        rows = queue_rows(connection, filters=filters, search="", limit=limit)
    return [row.decision_id for row in rows]


def test_the_queue_lists_each_tickets_latest_decision_newest_first(
    engine: Engine, decided: list[Stored]
) -> None:
    # given: 90 tickets decided, 12 of them again an hour later
    assert len(decided) == DEMO_TICKETS + DEMO_AGAIN
    expected = [each.id for each in _latest_newest_first(decided)]
    # when / then: the queue lists 90 decisions by when their tickets came, newest first
    # (a ticket decided again keeps its place); a limit cuts it; oldest first reverses it
    assert _queue(engine) == expected and len(expected) == DEMO_TICKETS
    assert _queue(engine, limit=5) == expected[:5]
    with engine.connect() as connection:
        oldest = queue_rows(connection, filters={}, search="", limit=1_000, sort="oldest")
    assert [row.decision_id for row in oldest] == expected[::-1]


def _has(kind: str) -> Callable[[frozenset[str]], bool]:
    return lambda kinds: kind in kinds


THREAT_FILTERS: dict[str, Callable[[frozenset[str]], bool]] = {
    "any": bool,
    "none": lambda kinds: not kinds,
    **{kind.value: _has(kind.value) for kind in SignalKind},
}


@pytest.mark.parametrize("threat", THREAT_FILTERS)
def test_the_threat_filter_reads_the_signals_of_the_latest_decision(
    engine: Engine, decided: list[Stored], threat: str
) -> None:
    # given: the latest decisions, and which of them show the threat asked for
    wanted = THREAT_FILTERS[threat]
    expected = [each.id for each in _latest_newest_first(decided) if wanted(each.threats)]
    # when / then: the queue filtered on it lists exactly those, in the same order
    assert expected, f"the demo tickets should include some for {threat}"
    assert _queue(engine, threat=threat) == expected


def test_a_threat_filter_takes_no_pattern(engine: Engine, decided: list[Stored]) -> None:
    # given: a filter value with LIKE wildcards in it
    # then: it matches no kind, rather than every kind that fits the pattern
    assert _queue(engine, threat="review%") == []
    assert _queue(engine, threat="review_threa_") == []


def test_the_override_and_review_filters_follow_the_last_review(
    engine: Engine, decided: list[Stored]
) -> None:
    # given: a manager overrides one decision, approves another, and overrides and then
    # approves a third
    create_user(engine, email="lead@nordhem.example", role=Role.MANAGER, password="x" * 16, now=NOW)
    with engine.connect() as connection:
        manager = find_user(connection, "lead@nordhem.example")
    assert manager is not None
    first, second, third, *rest = [each.id for each in _latest_newest_first(decided)]
    review: dict[str, Any] = {"user": manager, "reply_text": None, "now": NOW}
    review_decision(engine, decision_id=first, remedy="reship_free", reason="ours", **review)
    review_decision(engine, decision_id=second, remedy=None, reason="", **review)
    review_decision(engine, decision_id=third, remedy="reship_free", reason="ours", **review)
    review_decision(engine, decision_id=third, remedy=None, reason="", **review)
    # then: only the decision whose last review is an override counts as overridden, and
    # the three reviewed ones are no longer among those left to look at
    assert _queue(engine, overridden="yes") == [first]
    assert _queue(engine, overridden="no") == [second, third, *rest]
    assert _queue(engine, reviewed="yes") == [first, second, third]
    assert _queue(engine, reviewed="no") == rest


def test_the_migration_fills_the_threats_of_decisions_already_stored(
    engine: Engine, decided: list[Stored]
) -> None:
    # given: the decisions stored before the queue filtered threats in the database
    config = alembic_config(engine)
    command.downgrade(config, "0007")
    # when: the database is migrated
    command.upgrade(config, "head")
    # then: each decision's threats are its signals' kinds, and the filters read them
    with engine.connect() as connection:
        threats = dict(connection.execute(select(decisions.c.id, decisions.c.threats)).all())
    assert threats == {each.id: ",".join(sorted(each.threats)) for each in decided}
    assert any(threats.values()) and not all(threats.values())
    latest = _latest_newest_first(decided)
    assert _queue(engine, threat="any") == [each.id for each in latest if each.threats]


def test_pages_of_the_queue_list_what_one_long_page_would(
    engine: Engine, decided: list[Stored]
) -> None:
    # given: the whole queue, and the queue of tickets without a threat, each as one list
    for filters in ({}, {"threat": "none"}):
        whole = _queue(engine, limit=1_000, **filters)
        # when: it is read ten at a time, each page starting after the last one's end
        pages: list[int] = []
        while page := _page_after(engine, pages[-1] if pages else None, **filters):
            pages += page
        # then: the pages hold the same decisions in the same order, each once
        assert pages == whole and len(whole) > 10


def _page_after(engine: Engine, before: int | None, **filters: str) -> list[int]:
    with engine.connect() as connection:
        rows = queue_rows(connection, filters=filters, search="", limit=10, before=before)
    return [row.decision_id for row in rows]


def test_the_search_takes_no_pattern(engine: Engine, decided: list[Stored]) -> None:
    # given: the customers' e-mail addresses in the queue
    with engine.connect() as connection:
        rows = queue_rows(connection, filters={}, search="", limit=1_000)
        emails = {row.customer_email for row in rows}
        # when: the queue is searched for a part of one, in capitals, and for wildcards
        some = sorted(emails)[0]
        found = queue_rows(connection, filters={}, search=some[:6].upper(), limit=1_000)
        wildcards = queue_rows(connection, filters={}, search="%", limit=1_000)
        one_char = queue_rows(connection, filters={}, search="_", limit=1_000)
        texts = dict(connection.execute(select(tickets.c.ticket_key, tickets.c.body)).all())
    # then: the part finds its customer's tickets; "%" and "_" find only what contains them
    assert some in {row.customer_email for row in found}
    assert len(wildcards) < len(rows) and len(one_char) < len(rows)
    assert all("%" in _searched(row, texts) for row in wildcards)
    assert all("_" in _searched(row, texts) for row in one_char)


def _searched(row: QueueRow, texts: dict[str, str]) -> str:
    fields = (row.customer_email, row.first_name, row.order_name, row.ticket_key, row.subject)
    return " ".join([*(field or "" for field in fields), texts[row.ticket_key]])


def test_the_search_finds_a_word_of_the_message_and_the_ticket_id(
    engine: Engine, decided: list[Stored]
) -> None:
    # given: a ticket, and the longest word of its message
    with engine.connect() as connection:
        stored = dict(connection.execute(select(tickets.c.ticket_key, tickets.c.body)).all())
        key = sorted(stored)[0]
        word = max(re.findall(r"[^\W\d_]+", stored[key]), key=len).lower()
        # when: the queue is searched for that word in capitals, and for the ticket's id
        by_word = queue_rows(connection, filters={}, search=word.upper(), limit=1_000)
        by_key = queue_rows(connection, filters={}, search=key, limit=1_000)
    # then: the word finds that ticket, and every ticket found holds it somewhere searched;
    # the id finds the ticket
    assert key in {row.ticket_key for row in by_word} and len(by_word) < len(stored)
    assert all(word in _searched(row, stored).lower() for row in by_word)
    assert key in {row.ticket_key for row in by_key}
