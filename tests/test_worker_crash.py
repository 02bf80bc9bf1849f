"""The durable inbox survives `kill -9`: the worker process is killed mid-way through the
inbox, restarted, and every delivery takes effect exactly once."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select

from evenhand.actions.service import receive_delivery
from evenhand.store.database import make_engine, upgrade
from evenhand.store.tables import audit_events, decisions, inbox, tickets
from evenhand.understand.corpus import seed_messages
from tests.conftest import NOW

pytestmark = pytest.mark.process

DELIVERIES = 600


def zendesk_trigger_bodies(count: int) -> list[str]:
    """Zendesk trigger-webhook bodies (the README's template) with corpus messages."""
    messages = seed_messages()
    return [
        json.dumps(
            {
                "ticket": {
                    "id": 50000 + number,
                    "created_at": "2026-11-21T08:30:00Z",
                    "subject": None,
                    "description": messages[number % len(messages)]["text"],
                    "via": {"channel": "email"},
                    "requester": {"email": f"customer{number}@example.se", "name": "Kim"},
                }
            },
            ensure_ascii=False,
        )
        for number in range(count)
    ]


def _worker(db_url: str, *extra: str) -> subprocess.Popen[bytes]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("EVENHAND_")}
    env |= {"EVENHAND_DB": db_url, "EVENHAND_WORKER_BATCH": "16"}
    return subprocess.Popen(
        [sys.executable, "-m", "evenhand", "worker", *extra],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def test_a_killed_worker_loses_nothing_and_repeats_nothing(tmp_path: Path) -> None:
    # given an inbox of Zendesk ticket deliveries
    db_url = f"sqlite:///{tmp_path / 'crash.sqlite3'}"
    engine = make_engine(db_url)
    upgrade(engine)
    for number, body in enumerate(zendesk_trigger_bodies(DELIVERIES)):
        receive_delivery(
            engine,
            source="zendesk",
            event_key=f"k{number}",
            topic="ticket.trigger",
            body=body,
            now=NOW,
        )

    def done() -> int:
        with engine.connect() as connection:
            query = select(func.count()).select_from(inbox).where(inbox.c.status == "done")
            return int(connection.execute(query).scalar_one())

    # when the worker is killed with SIGKILL once it is part-way through
    first = _worker(db_url)
    deadline = time.monotonic() + 120
    while done() < DELIVERIES // 4 and time.monotonic() < deadline and first.poll() is None:
        time.sleep(0.01)
    os.kill(first.pid, signal.SIGKILL)
    first.wait()
    at_kill = done()
    assert 0 < at_kill < DELIVERIES, "the kill must land part-way through the inbox"
    # and a new worker is started and runs until the inbox is empty
    second = _worker(db_url, "--once")
    _, errors = second.communicate(timeout=300)
    assert second.returncode == 0, errors.decode()
    # then every delivery is done once: one ticket and one decision each, nothing twice
    with engine.connect() as connection:
        statuses = dict(
            connection.execute(select(inbox.c.status, func.count()).group_by(inbox.c.status)).all()
        )
        ticket_count = connection.execute(select(func.count()).select_from(tickets)).scalar_one()
        per_ticket = connection.execute(
            select(decisions.c.ticket_id, func.count()).group_by(decisions.c.ticket_id)
        ).all()
        audited = connection.execute(
            select(audit_events.c.subject).where(audit_events.c.action == "inbox")
        ).all()
    assert statuses == {"done": DELIVERIES}
    assert ticket_count == DELIVERIES
    assert len(per_ticket) == DELIVERIES and {count for _, count in per_ticket} == {1}
    assert len(audited) == len(set(audited)) == DELIVERIES  # no delivery took effect twice
    engine.dispose()
