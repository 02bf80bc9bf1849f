"""How fast each page of the web UI renders with the demo shop loaded (target: < 200 ms).

Builds the demo shop (about 10k orders and its 400-ticket inbox, triaged) in a scratch
SQLite file, starts the app under uvicorn on a loopback port, signs in, and times N
requests of each page; prints p50 and the slowest. With `--copies K` the inbox and its
decisions are copied K times over (new ticket keys), as a shop a year into Evenhand.

    .venv/bin/python bench/ui.py [--requests 20] [--copies 0] [--workdir DIR]
"""

from __future__ import annotations

import argparse
import re
import statistics
import tempfile
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

import httpx
import uvicorn
from sqlalchemy import Engine, func, insert, literal, select

from evenhand.actions.demo import run_demo
from evenhand.actions.reader import load_reader
from evenhand.actions.users import create_user
from evenhand.domain.roles import Role
from evenhand.settings import Settings
from evenhand.store.database import make_engine
from evenhand.store.tables import decisions, tickets
from evenhand.web.app import create_app
from yardstick import print_yardstick

USER, PASSWORD = "bench@nordhem.example", "bench password 1"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=20)
    parser.add_argument("--copies", type=int, default=0)
    parser.add_argument("--workdir", type=Path, default=None)
    args = parser.parse_args()
    print_yardstick()
    with tempfile.TemporaryDirectory(prefix="evenhand-ui-") as scratch:
        folder = args.workdir or Path(scratch)
        folder.mkdir(parents=True, exist_ok=True)
        run(folder, args.requests, copies=args.copies)


def run(folder: Path, requests: int, *, copies: int) -> None:
    db = folder / "ui.sqlite3"
    db.unlink(missing_ok=True)
    settings = Settings(db=f"sqlite:///{db}", session_secret="bench")
    engine = make_engine(settings.db)
    reader = load_reader(Settings(), announce=print)
    now = datetime.now(UTC)
    run_demo(engine, settings=settings, folder=folder / "demo", now=now, reader=reader)
    create_user(engine, email=USER, role=Role.MANAGER, password=PASSWORD, now=now)
    _copy_inbox(engine, copies)
    with engine.connect() as connection:
        some_decision = connection.execute(select(func.max(decisions.c.id))).scalar_one()
        some_key = connection.execute(
            select(tickets.c.ticket_key)
            .join(decisions, decisions.c.ticket_id == tickets.c.id)
            .where(decisions.c.id == some_decision)
        ).scalar_one()
        stored = connection.execute(select(func.count()).select_from(decisions)).scalar_one()
    print(f"{stored:,} decisions stored")
    server = uvicorn.Server(
        uvicorn.Config(
            create_app(settings, reader=reader, warm_reader=False),
            host="127.0.0.1",
            port=0,
            log_level="warning",
        )
    )
    threading.Thread(target=server.run, daemon=True).start()
    while not server.started:
        time.sleep(0.05)
    port = server.servers[0].sockets[0].getsockname()[1]
    pages = [
        "/login",
        "/queue",
        "/queue?intent=damaged_item&threat=any",
        "/queue?sort=oldest",
        "/queue?q=paket",  # a word of many messages (full text)
        "/queue?q=leve",  # the start of a word (leverans, levererat, ...)
        "/queue?q=paket+kommit",  # two words, both in each ticket found
        "/queue?q=example.se",  # a part of the customers' e-mail addresses
        f"/queue?q={some_key}",  # a ticket's id
        "/queue?q=no+such+words+anywhere",  # nothing found
        f"/tickets/{some_decision}",
        "/guide",
        "/dashboard",
        "/dashboard?days=all",
        "/admin",
    ]
    with httpx.Client(base_url=f"http://127.0.0.1:{port}") as client:
        _sign_in(client)
        print(f"{'page':44} {'p50 ms':>8} {'slowest ms':>11} {'rows':>5}")
        for page in pages:
            times = []
            for _ in range(requests):
                started = time.perf_counter()
                answer = client.get(page)
                times.append(time.perf_counter() - started)
                assert answer.status_code == 200, (page, answer.status_code)
            rows = answer.text.count('name="decision"') if page.startswith("/queue") else ""
            median, slowest = 1000 * statistics.median(times), 1000 * max(times)
            print(f"{page:44} {median:8.1f} {slowest:11.1f} {rows:>5}")
    server.should_exit = True


def _copy_inbox(engine: Engine, copies: int) -> None:
    """The triaged inbox copied `copies` times: each copy's tickets get new ids and keys, and
    each decision a copy for the copied ticket."""
    ticket_columns = [column for column in tickets.c if column.name != "id"]
    decision_columns = [column for column in decisions.c if column.name != "id"]
    with engine.begin() as connection:
        first = connection.execute(select(func.max(tickets.c.id))).scalar_one()
        for copy in range(1, copies + 1):
            shift = first * copy
            keyed = [
                column + literal(f"~{copy}") if column.name == "ticket_key" else column
                for column in ticket_columns
            ]
            connection.execute(
                insert(tickets).from_select(
                    ["id", *(column.name for column in ticket_columns)],
                    select(tickets.c.id + shift, *keyed).where(tickets.c.id <= first),
                )
            )
            moved = [
                column + shift if column.name == "ticket_id" else column
                for column in decision_columns
            ]
            connection.execute(
                insert(decisions).from_select(
                    [column.name for column in decision_columns],
                    select(*moved).where(decisions.c.ticket_id <= first),
                )
            )


def _sign_in(client: httpx.Client) -> None:
    token = re.search(r'name="csrf" value="([^"]+)"', client.get("/login").text)
    assert token is not None
    data = {"email": USER, "password": PASSWORD, "csrf": token.group(1)}
    assert client.post("/login", data=data).status_code == 303


if __name__ == "__main__":
    main()
