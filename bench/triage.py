"""End-to-end triage throughput on one CPU core: JSON Lines -> database -> decisions.

Builds the demo shop in a scratch SQLite file, writes N demo tickets, and times
`triage_tickets` (reading every message, looking up customers and orders, deciding,
storing tickets and decisions in one transaction). Target: >= 500 tickets/s.

    .venv/bin/python bench/triage.py [--tickets 4000] [--workdir DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_WAIT_POLICY", "passive")
if hasattr(os, "sched_setaffinity"):
    os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})

from evenhand.actions.demo import run_demo
from evenhand.actions.guide import load_guide
from evenhand.actions.triage import read_all, triage_tickets
from evenhand.ingest.tickets import TicketRecord, read_tickets
from evenhand.settings import Settings
from evenhand.store.database import make_engine
from evenhand.understand.model import Message
from evenhand.understand.reader import EmbeddedReader


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--tickets", type=int, default=4000)
    parser.add_argument("--workdir", type=Path, default=None)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(dir=args.workdir) as scratch:
        run(Path(scratch), count=args.tickets)


def run(folder: Path, *, count: int) -> None:
    settings = Settings(db=f"sqlite:///{folder / 'bench.sqlite3'}", guide=None)
    engine = make_engine(settings.db)
    started = time.perf_counter()
    reader = EmbeddedReader(threshold=settings.intent_threshold)
    reader.read(Message(body="warm up"))
    now = datetime.now(UTC)
    run_demo(engine, settings=settings, folder=folder / "demo", now=now, reader=reader)
    print(f"demo shop and reader ready: {time.perf_counter() - started:.1f} s")
    tickets_file = _many_tickets(folder / "demo" / "tickets.jsonl", count=count)
    guide = load_guide(settings)

    begun = time.perf_counter()
    records = read_tickets(tickets_file)
    report = triage_tickets(
        engine, records=records, guide=guide, reader=reader, settings=settings, now=now
    )
    elapsed = time.perf_counter() - begun
    reading = _reading_time(records, reader=reader, market=settings.market)
    decided = len(report.decided)
    print(
        f"{decided:,} tickets triaged in {elapsed:.2f} s: {decided / elapsed:,.0f} tickets/s "
        f"on one core (target >= 500); reading the messages alone: {reading:.2f} s "
        f"({decided / reading:,.0f}/s)"
    )


def _many_tickets(demo_tickets: Path, *, count: int) -> Path:
    """`count` tickets: the demo inbox over and over, each copy a ticket of its own."""
    lines = [json.loads(line) for line in demo_tickets.read_text("utf-8").splitlines()]
    path = demo_tickets.with_name("bench_tickets.jsonl")
    with path.open("w", encoding="utf-8") as file:
        for number in range(count):
            ticket = lines[number % len(lines)] | {"id": f"bench-{number:06d}"}
            file.write(json.dumps(ticket, ensure_ascii=False) + "\n")
    return path


def _reading_time(records: list[TicketRecord], *, reader: EmbeddedReader, market: str) -> float:
    begun = time.perf_counter()
    read_all(records, reader=reader, market=market)
    return time.perf_counter() - begun


if __name__ == "__main__":
    main()
