"""The durable inbox survives `kill -9`: the worker process is killed mid-way through the
inbox, restarted, and every delivery takes effect exactly once."""

from __future__ import annotations

import json
import os
import signal
import socket
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


def _worker(
    db_url: str, *extra: str, extra_env: dict[str, str] | None = None
) -> subprocess.Popen[bytes]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("EVENHAND_")}
    env |= {"EVENHAND_DB": db_url, "EVENHAND_WORKER_BATCH": "16"} | (extra_env or {})
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
        statuses: dict[str, int] = dict(
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


def test_a_delivery_the_worker_is_killed_holding_three_times_is_set_aside(
    tmp_path: Path,
) -> None:
    # given a Gorgias API that takes connections and never answers (the worker hangs on the
    # fetch of a ticket it names), and a good ticket behind that delivery
    hung = socket.socket()
    hung.bind(("127.0.0.1", 0))
    hung.listen(16)
    db_url = f"sqlite:///{tmp_path / 'poison.sqlite3'}"
    engine = make_engine(db_url)
    upgrade(engine)
    deliveries = [
        ("gorgias", "ticket-message-created", '{"ticket_id": 88202}'),
        ("zendesk", "ticket.trigger", zendesk_trigger_bodies(1)[0]),
    ]
    for number, (source, topic, body) in enumerate(deliveries):
        receive_delivery(
            engine, source=source, event_key=f"p{number}", topic=topic, body=body, now=NOW
        )
    gorgias = {
        "EVENHAND_GORGIAS_URL": f"http://127.0.0.1:{hung.getsockname()[1]}",
        "EVENHAND_GORGIAS_EMAIL": "agent@example.se",
        "EVENHAND_GORGIAS_API_KEY": "gorgias-key",
    }

    def attempts() -> int:
        with engine.connect() as connection:
            query = select(inbox.c.attempts).where(inbox.c.id == 1)
            return int(connection.execute(query).scalar_one())

    # when a worker is killed with SIGKILL while it holds that delivery, three times
    for death in range(1, 4):
        held = _worker(db_url, extra_env=gorgias)
        deadline = time.monotonic() + 120
        while attempts() < death and time.monotonic() < deadline and held.poll() is None:
            time.sleep(0.05)
        assert attempts() == death, held.stderr.read().decode() if held.stderr else ""
        os.kill(held.pid, signal.SIGKILL)
        held.wait()
    # then the next worker sets it aside and processes the one behind it
    last = _worker(db_url, "--once", extra_env=gorgias)
    _, errors = last.communicate(timeout=300)
    hung.close()
    assert last.returncode == 0, errors.decode()
    with engine.connect() as connection:
        rows = connection.execute(
            select(inbox.c.status, inbox.c.error, inbox.c.attempts).order_by(inbox.c.id)
        ).all()
    assert [tuple(row) for row in rows] == [
        ("set_aside", "took the worker down 3 times; set aside", 3),
        ("done", None, 2),  # held at the first death, then taken (alone) and done
    ]
    assert "delivery 1 took the worker down 3 times; set aside" in errors.decode()
    engine.dispose()
