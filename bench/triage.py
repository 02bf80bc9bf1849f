"""End-to-end triage throughput on one CPU core: JSON Lines -> database -> decisions.

Builds the demo shop in a scratch SQLite file, writes N demo tickets, and times
`triage_tickets` (reading every message, looking up customers and orders, deciding,
storing tickets and decisions in one transaction). Target: >= 500 tickets/s.

    .venv/bin/python bench/triage.py [--tickets 4000] [--workdir DIR]
"""

from __future__ import annotations

import argparse
import os
import random
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
from evenhand.actions.reader import load_reader
from evenhand.actions.triage import read_all, triage_tickets
from evenhand.demo.orders import demo_end
from evenhand.demo.shop import DEFAULT_SEED, demo_customers_and_orders
from evenhand.demo.tickets import write_demo_tickets
from evenhand.ingest.tickets import TicketIn, TicketRecord, read_tickets
from evenhand.settings import Settings
from evenhand.store.database import make_engine
from evenhand.understand.clean import clean_message
from evenhand.understand.model import Message, Reader
from evenhand.understand.sentences import sentences
from yardstick import print_yardstick

BENCH_SEED = 11


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--tickets", type=int, default=4000)
    parser.add_argument("--workdir", type=Path, default=None)
    args = parser.parse_args()
    print_yardstick()
    with tempfile.TemporaryDirectory(dir=args.workdir) as scratch:
        run(Path(scratch), count=args.tickets)


def run(folder: Path, *, count: int) -> None:
    settings = Settings(db=f"sqlite:///{folder / 'bench.sqlite3'}", guide=None)
    engine = make_engine(settings.db)
    started = time.perf_counter()
    reader = load_reader(settings, announce=print)
    reader.read(Message(body="warm up"))
    now = datetime.now(UTC)
    run_demo(engine, settings=settings, folder=folder / "demo", now=now, reader=reader)
    print(f"demo shop and reader ready: {time.perf_counter() - started:.1f} s")
    tickets_file = _many_tickets(folder, count=count)
    guide = load_guide(settings)

    begun = time.perf_counter()
    records = read_tickets(tickets_file)
    report = triage_tickets(
        engine, records=records, guide=guide, reader=reader, settings=settings, now=now
    )
    elapsed = time.perf_counter() - begun
    reading = _reading_time(records, reader=reader, market=settings.market, batch=len(records))
    # The inbox worker reads 16 at a time: a sentence is read once per batch, not per file.
    in_batches = _reading_time(
        records, reader=reader, market=settings.market, batch=settings.worker_batch
    )
    decided = len(report.decided)
    distinct, every = _distinct_sentences(records)
    print(f"{count:,} tickets, {every:,} sentences of which {distinct:,} distinct")
    print(
        f"{decided:,} tickets triaged in {elapsed:.2f} s: {decided / elapsed:,.0f} tickets/s "
        f"on one core (target >= 500); reading the messages alone: {reading:.2f} s "
        f"({decided / reading:,.0f}/s); reading {settings.worker_batch} at a time like the "
        f"inbox worker: {in_batches:.2f} s ({decided / in_batches:,.0f}/s)"
    )


def _many_tickets(folder: Path, *, count: int) -> Path:
    """`count` tickets written like the demo inbox (for the demo shop's own customers and
    orders), each composed anew from the corpus: a greeting, a message, an order number, a
    threat now and then, a sign-off."""
    _, orders = demo_customers_and_orders(random.Random(DEFAULT_SEED))
    path = folder / "bench_tickets.jsonl"
    write_demo_tickets(path, random.Random(BENCH_SEED), orders=orders, end=demo_end(), count=count)
    return path


def _distinct_sentences(records: list[TicketRecord]) -> tuple[int, int]:
    tickets = [record for record in records if isinstance(record, TicketIn)]
    every = [s for t in tickets for s in sentences(clean_message(t.body, t.subject))]
    return len(set(every)), len(every)


def _reading_time(records: list[TicketRecord], *, reader: Reader, market: str, batch: int) -> float:
    begun = time.perf_counter()
    for start in range(0, len(records), batch):
        read_all(records[start : start + batch], reader=reader, market=market)
    return time.perf_counter() - begun


if __name__ == "__main__":
    main()
