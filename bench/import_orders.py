"""Import speed: a generated Shopify orders export of N line items into a fresh SQLite file.

Prints the import rate (line items per second) and the time of a full customer-value
recompute over 1,000,000 orders. Targets (2 cores): >= 100,000 line items/s; recompute < 2 s.

    .venv/bin/python bench/import_orders.py [--line-items 1000000] [--db URL]
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import func, select, text

from evenhand.actions.customer_value import recompute_values
from evenhand.actions.import_file import import_file
from evenhand.actions.initialise import initialise
from evenhand.demo.orders import demo_end, make_orders, write_orders_csv
from evenhand.demo.people import make_people
from evenhand.ingest.kinds import ImportKind
from evenhand.settings import Settings
from evenhand.store.database import make_engine
from evenhand.store.tables import orders
from yardstick import print_yardstick

RECOMPUTE_ORDERS = 1_000_000


def generate(path: Path, line_items: int) -> int:
    rng = random.Random(1)
    people = make_people(rng, max(1000, line_items // 20))
    placed = make_orders(rng, people, count=int(line_items / 1.6), end=demo_end(), days=1500)
    while sum(len(order.lines) for order in placed) < line_items:
        extra = make_orders(rng, people, count=1000, end=demo_end(), days=1500)
        for offset, order in enumerate(extra):
            order.number = placed[-1].number + 1 + offset
        placed.extend(extra)
    return write_orders_csv(path, placed)


def grow_orders(engine_url: str, target: int) -> int:
    """Copy stored orders under new names until there are `target` of them."""
    engine = make_engine(engine_url)
    with engine.begin() as connection:
        count = connection.execute(select(func.count()).select_from(orders)).scalar_one()
        columns = [c.name for c in orders.columns if c.name not in {"id", "name", "shopify_id"}]
        listed = ", ".join(columns)
        round_number = 0
        while count < target:
            round_number += 1
            connection.execute(
                text(
                    f"INSERT INTO orders (name, {listed}) SELECT name || '-copy{round_number}', "
                    f"{listed} FROM orders WHERE name NOT LIKE '%-copy%' LIMIT :n"
                ),
                {"n": target - count},
            )
            count = connection.execute(select(func.count()).select_from(orders)).scalar_one()
    return int(count)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--line-items", type=int, default=1_000_000)
    parser.add_argument("--db", help="database URL (default: a fresh SQLite file)")
    parser.add_argument("--workdir", type=Path, help="keep (and reuse) the export here")
    args = parser.parse_args()
    print_yardstick()
    with tempfile.TemporaryDirectory() as scratch:
        folder = args.workdir or Path(scratch)
        folder.mkdir(parents=True, exist_ok=True)
        export = folder / f"orders_export_{args.line_items}.csv"
        if not export.exists():
            started = time.perf_counter()
            generate(export, args.line_items)
            print(
                f"generated {export.stat().st_size / 1e6:.0f} MB "
                f"in {time.perf_counter() - started:.1f} s"
            )
        rows = sum(1 for _ in export.open(encoding="utf-8-sig")) - 1
        database = folder / "bench.sqlite3"
        for leftover in folder.glob("bench.sqlite3*"):
            leftover.unlink()
        url = args.db or f"sqlite:///{database}"
        settings = Settings(db=url)
        engine = make_engine(url)
        initialise(engine, settings=settings, now=datetime.now(UTC))
        started = time.perf_counter()
        report = import_file(
            engine,
            kind=ImportKind.SHOPIFY_ORDERS,
            path=export,
            settings=settings,
            now=datetime.now(UTC),
        )
        elapsed = time.perf_counter() - started
        print(
            f"imported {report.created:,} orders / {rows:,} line items in {elapsed:.2f} s: "
            f"{rows / elapsed:,.0f} line items/s (target >= 100,000)"
        )
        started = time.perf_counter()
        again = import_file(
            engine,
            kind=ImportKind.SHOPIFY_ORDERS,
            path=export,
            settings=settings,
            now=datetime.now(UTC),
        )
        print(
            f"imported the same file again: {again.unchanged:,} orders unchanged, "
            f"{again.created + again.updated} written, in {time.perf_counter() - started:.2f} s"
        )
        total = grow_orders(url, RECOMPUTE_ORDERS)
        started = time.perf_counter()
        recompute_values(engine, settings=settings, now=datetime.now(UTC))
        elapsed = time.perf_counter() - started
        print(
            f"full customer-value recompute over {total:,} orders: {elapsed:.2f} s (target < 2 s)"
        )


if __name__ == "__main__":
    main()
