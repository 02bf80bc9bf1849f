"""A burst of wrong passwords against the sign-in page, as an attacker sends it (target:
slowed down after the allowance; the right password works once the wait is over).

Starts the app under uvicorn on a loopback port over a scratch SQLite file with one user,
sends N wrong passwords for that user one after the other, then N at once from 8 threads
for another e-mail, and prints the answers by status and the time each burst took. Then it
waits out the throttle (`--wait` seconds, the setting's first wait) and signs in with the
right password.

    .venv/bin/python bench/sign_in.py [--tries 100] [--wait 30]
"""

from __future__ import annotations

import argparse
import re
import tempfile
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

import httpx
import uvicorn

from evenhand.actions.reader import load_reader
from evenhand.actions.users import create_user
from evenhand.domain.roles import Role
from evenhand.settings import Settings
from evenhand.store.database import make_engine, upgrade
from evenhand.web.app import create_app
from yardstick import print_yardstick

USER, OTHER, PASSWORD = "lead@nordhem.example", "agent@nordhem.example", "bench password 1"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--tries", type=int, default=100)
    parser.add_argument("--wait", type=int, default=30)
    args = parser.parse_args()
    print_yardstick()
    with tempfile.TemporaryDirectory(prefix="evenhand-sign-in-") as scratch:
        run(Path(scratch), args.tries, args.wait)


def try_sign_in(client: httpx.Client, email: str, password: str) -> int:
    form = client.get("/login").text
    token = re.search(r'name="csrf" value="([^"]+)"', form)
    assert token is not None
    data = {"email": email, "password": password, "csrf": token.group(1)}
    return client.post("/login", data=data).status_code


def burst(label: str, tries: list[tuple[str, str]], base: str, threads: int) -> None:
    """The tries from `threads` threads, each with a client of its own (as browsers)."""
    local = threading.local()

    def one(email: str, password: str) -> int:
        if not hasattr(local, "client"):
            local.client = httpx.Client(base_url=base, timeout=60)
        return try_sign_in(local.client, email, password)

    started = time.perf_counter()
    with ThreadPoolExecutor(threads) as pool:
        statuses = list(pool.map(lambda t: one(*t), tries))
    took = time.perf_counter() - started
    answers = ", ".join(f"{status}: {n}" for status, n in sorted(Counter(statuses).items()))
    print(f"{label}: {len(tries)} wrong passwords in {took:.2f} s; answers {answers}")


def run(folder: Path, tries: int, wait: int) -> None:
    url = f"sqlite:///{folder / 'bench.sqlite3'}"
    engine = make_engine(url)
    upgrade(engine)
    now = datetime.now(UTC)
    for email in (USER, OTHER):
        create_user(engine, email=email, role=Role.MANAGER, password=PASSWORD, now=now)
    settings = Settings(
        db=url,
        session_secret="bench",
        sign_in_first_wait_seconds=wait,
    )
    app = create_app(settings, reader=load_reader(Settings()), warm_reader=False)
    server = uvicorn.Server(uvicorn.Config(app, port=0, log_level="warning", access_log=False))
    threading.Thread(target=server.run, daemon=True).start()
    while not server.started:
        time.sleep(0.02)
    base = f"http://127.0.0.1:{server.servers[0].sockets[0].getsockname()[1]}"
    burst("one after the other", [(USER, f"wrong {n}") for n in range(tries)], base, 1)
    burst("8 at once", [(OTHER, f"wrong {n}") for n in range(tries)], base, 8)
    with httpx.Client(base_url=base, timeout=60) as client:
        print(f"the right password at once: {try_sign_in(client, USER, PASSWORD)}")
        time.sleep(wait + 1)
        print(f"the right password after {wait + 1} s: {try_sign_in(client, USER, PASSWORD)}")
    server.should_exit = True
    engine.dispose()


if __name__ == "__main__":
    main()
