"""`/healthz` tells of the worker and the inbox: its liveness, the age of the oldest pending
delivery, and 503 `stale` once that is older than `inbox_stale_seconds`; `evenhand inbox
status` shows the same."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from typer.testing import CliRunner

from evenhand.actions.service import receive_delivery
from evenhand.actions.worker_pulse import Pulse
from evenhand.cli.app import app
from evenhand.understand.reader import EmbeddedReader
from tests.test_service import Live, live_service


@pytest.fixture
def live(sqlite_url: str, reader: EmbeddedReader) -> Iterator[Live]:
    yield from live_service(sqlite_url, reader, inbox_stale_seconds=600)


def _waiting_since(live: Live, minutes: int) -> None:
    receive_delivery(
        live.engine,
        source="zendesk",
        event_key=f"waiting-{minutes}",
        topic="ticket.trigger",
        body="{}",
        now=datetime.now(UTC) - timedelta(minutes=minutes),
    )


def test_healthz_is_ok_with_nothing_waiting_and_says_no_worker_was_seen(live: Live) -> None:
    answer = httpx.get(f"{live.base}/healthz")
    assert answer.status_code == 200
    body = answer.json()
    assert body["status"] == "ok"
    assert (body["worker_alive"], body["worker_seen_seconds"]) == (False, None)
    assert body["oldest_pending_seconds"] is None


def test_healthz_reports_a_live_worker_and_a_recent_delivery_and_stays_ok(live: Live) -> None:
    # given a worker that just beat, and a delivery waiting five minutes
    Pulse(live.engine, started_at=datetime.now(UTC)).beat(lambda: datetime.now(UTC))
    _waiting_since(live, minutes=5)
    body = httpx.get(f"{live.base}/healthz").json()
    # then: alive, the wait in seconds, still ok (the limit is ten minutes)
    assert body["status"] == "ok" and body["worker_alive"] is True
    assert 299 < body["oldest_pending_seconds"] < 360


def test_healthz_answers_503_stale_once_a_delivery_waits_past_the_setting(live: Live) -> None:
    # given a delivery waiting for twenty minutes, past inbox_stale_seconds (600)
    _waiting_since(live, minutes=20)
    answer = httpx.get(f"{live.base}/healthz")
    # then 503, with the same typed body saying why
    assert answer.status_code == 503
    body = answer.json()
    assert body["status"] == "stale" and body["oldest_pending_seconds"] > 1190
    assert body["worker_alive"] is False


def test_inbox_status_shows_the_worker_the_oldest_wait_and_the_failed(live: Live) -> None:
    Pulse(live.engine, started_at=datetime.now(UTC)).beat(lambda: datetime.now(UTC))
    _waiting_since(live, minutes=20)
    runner = CliRunner()
    shown = runner.invoke(app, ["inbox", "status", "--db", live.settings.db])
    assert shown.exit_code == 0, shown.output
    assert "worker: alive (pid" in shown.output
    assert "oldest pending: 1" in shown.output  # 1200 s and some
    assert "failed deliveries: 0; set aside (took the worker down): 0" in shown.output
    as_json = runner.invoke(app, ["inbox", "status", "--json", "--db", live.settings.db])
    status = json.loads(as_json.output)
    assert status["worker_alive"] is True and status["oldest_pending_seconds"] > 1190
    assert (status["failed"], status["set_aside"]) == (0, 0)
