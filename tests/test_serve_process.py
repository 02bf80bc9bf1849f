"""`evenhand serve` as an operator runs it: one command, the app and its worker; a signed
delivery answered 202 and processed; SIGTERM stops both processes."""

from __future__ import annotations

import itertools
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select

from evenhand.cli import supervision
from evenhand.store.database import make_engine, upgrade
from evenhand.store.tables import inbox
from tests.senders import fixture, shopify_headers

pytestmark = pytest.mark.process

SECRET = "shpss_serve_test"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _children(pid: int) -> list[int]:
    """The live child processes of `pid`, whichever of its threads started them."""
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            found += [int(each) for each in (task / "children").read_text().split()]
        except FileNotFoundError:  # a thread that ended meanwhile
            continue
    return [each for each in found if _running(each)]


def _wait(condition: object, *, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():  # type: ignore[operator]
            return True
        time.sleep(0.1)
    return False


def test_serve_answers_a_delivery_its_lower_priority_worker_processes_it_and_sigterm_stops_both(
    tmp_path: Path,
) -> None:
    db_url = f"sqlite:///{tmp_path / 'serve.sqlite3'}"
    upgrade(make_engine(db_url))
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("EVENHAND_")} | {
        "EVENHAND_DB": db_url,
        "EVENHAND_SETTINGS": str(tmp_path / "evenhand.toml"),
        "EVENHAND_SHOPIFY_WEBHOOK_SECRET": SECRET,
    }
    command = [sys.executable, "-m", "evenhand", "serve", "--port", str(port)]
    server = subprocess.Popen(command, env=env, stderr=subprocess.PIPE)
    try:
        base = f"http://127.0.0.1:{port}"

        def healthy() -> bool:
            try:
                return httpx.get(f"{base}/healthz").status_code == 200
            except httpx.HTTPError:
                return False

        assert _wait(healthy, seconds=90)
        workers = _children(server.pid)
        assert len(workers) == 1
        # when a signed order arrives
        body = fixture("shopify_orders_create.json")
        headers = shopify_headers(body, SECRET, topic="orders/create", event_id="serve-1")
        answer = httpx.post(f"{base}/webhooks/shopify", content=body, headers=headers)
        assert answer.status_code == 202
        # then the worker processes it
        engine = make_engine(db_url)

        def processed() -> bool:
            with engine.connect() as connection:
                return connection.execute(select(inbox.c.status)).scalar() == "done"

        assert _wait(processed, seconds=90)
        engine.dispose()
        # and the worker yields the CPU to the app that answers the webhooks
        worker_priority = os.getpriority(os.PRIO_PROCESS, workers[0])
        assert worker_priority > os.getpriority(os.PRIO_PROCESS, server.pid)
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=60)
    # and SIGTERM stopped the worker as well as the app
    assert _wait(lambda: not Path(f"/proc/{workers[0]}").exists(), seconds=30)


def _running(pid: int) -> bool:
    """The process exists and is not a zombie waiting to be reaped."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return False
    return state != "Z"


def test_serve_starts_its_worker_again_when_it_dies_and_a_killed_serve_leaves_no_orphan(
    tmp_path: Path,
) -> None:
    db_url = f"sqlite:///{tmp_path / 'supervised.sqlite3'}"
    upgrade(make_engine(db_url))
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("EVENHAND_")} | {
        "EVENHAND_DB": db_url,
        "EVENHAND_SETTINGS": str(tmp_path / "evenhand.toml"),
        "EVENHAND_SHOPIFY_WEBHOOK_SECRET": SECRET,
    }
    command = [sys.executable, "-m", "evenhand", "serve", "--port", str(port)]
    server = subprocess.Popen(command, env=env, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    try:
        assert _wait(lambda: len(_children(server.pid)) == 1, seconds=90)
        [first] = _children(server.pid)
        # given its worker is killed with SIGKILL
        os.kill(first, signal.SIGKILL)
        # then serve starts another one
        assert _wait(lambda: [p for p in _children(server.pid) if p != first], seconds=60)
        [second] = [p for p in _children(server.pid) if p != first]
        # and it processes deliveries, and /healthz says it is alive
        body = fixture("shopify_orders_create.json")
        headers = shopify_headers(body, SECRET, topic="orders/create", event_id="again-1")
        assert _wait(lambda: _answers(base), seconds=90)
        assert httpx.post(f"{base}/webhooks/shopify", content=body, headers=headers).is_success
        engine = make_engine(db_url)

        def processed() -> bool:
            with engine.connect() as connection:
                return connection.execute(select(inbox.c.status)).scalar() == "done"

        assert _wait(processed, seconds=90)
        engine.dispose()
        assert _wait(lambda: httpx.get(f"{base}/healthz").json()["worker_alive"], seconds=30)
    finally:
        # when serve itself is killed with SIGKILL
        server.kill()
        server.wait(timeout=60)
    # then its worker does not go on as an orphan
    assert _wait(lambda: not _running(second), seconds=20)


def _answers(base: str) -> bool:
    try:
        return httpx.get(f"{base}/healthz").status_code == 200
    except httpx.HTTPError:
        return False


def test_the_supervisor_pauses_longer_after_each_quick_death_and_stops_restarting_on_stop(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # given a worker that dies at once, each time it is started
    monkeypatch.setattr(supervision, "FIRST_PAUSE_SECONDS", 0.05)
    started: list[float] = []

    def start() -> subprocess.Popen[bytes]:
        started.append(time.monotonic())
        return subprocess.Popen([sys.executable, "-c", "raise SystemExit(3)"])

    supervisor = supervision.Supervisor(start)
    supervisor.begin()
    # when it has been started four times
    assert _wait(lambda: len(started) >= 4, seconds=60)
    supervisor.stop()
    count = len(started)
    # then each pause was at least twice the one before (0.05, 0.1, 0.2 s)
    gaps = [later - earlier for earlier, later in itertools.pairwise(started)]
    assert all(gap >= 0.05 * 2**n for n, gap in enumerate(gaps[:3]))
    # and after stop() it is not started again
    time.sleep(0.5)
    assert len(started) == count
