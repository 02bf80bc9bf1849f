"""How fast the VIP threshold advisor answers (target: a shop of 1,000,000 orders in under
10 s), reading from the store included.

Not timed: builds the demo shop (3,000 customers, 10,002 orders, its 400-ticket inbox
triaged) in a scratch SQLite file with the project's own import and triage, then copies
its customers and their orders `--shop-copies` times over in bulk (new e-mail addresses,
order names and ids: 300,000 customers and 1,000,200 orders at the default 100; the
copies carry no line items, which the advisor never reads), and the inbox and its
decisions `--copies` times (as `bench/ui.py --copies`: 100,400 decisions at the default
250); then every customer's value figures are recomputed in one SQL pass, as an import
leaves them.

Timed: the `evenhand advise threshold` action as the CLI runs it (the guide in force, the
advisor over the store, the answer shaped for printing), split into reading from the store
and deciding; then the CLI itself in a fresh process, start-up included.

    .venv/bin/python bench/advisor.py [--shop-copies 99] [--copies 250] [--workdir DIR]
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any
from unittest import mock

from sqlalchemy import Engine, func, insert, literal, select

import evenhand.actions.replay as replay_action
from evenhand.actions.demo import run_demo
from evenhand.actions.guide import active_guide
from evenhand.actions.reader import load_reader
from evenhand.actions.schemas import threshold_advice_out
from evenhand.domain.guide import Guide
from evenhand.domain.threshold import ShopHistory, ThresholdAdvice, advise_threshold
from evenhand.settings import Settings
from evenhand.store import value_sql
from evenhand.store.database import make_engine
from evenhand.store.tables import customers, decisions, orders
from ui import _copy_inbox as copy_inbox
from yardstick import print_yardstick

SHOPIFY_ID_STEP = 10**9  # each copy's ids beyond the demo's


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--shop-copies", type=int, default=99, help="copies besides the demo")
    parser.add_argument("--copies", type=int, default=250, help="copies of the inbox")
    parser.add_argument("--workdir", type=Path, default=None)
    args = parser.parse_args()
    print_yardstick()
    with tempfile.TemporaryDirectory(prefix="evenhand-advisor-") as scratch:
        folder = args.workdir or Path(scratch)
        folder.mkdir(parents=True, exist_ok=True)
        run(folder, shop_copies=args.shop_copies, copies=args.copies)


def run(folder: Path, *, shop_copies: int, copies: int) -> None:
    db = folder / "advisor.sqlite3"
    db.unlink(missing_ok=True)
    settings = Settings(db=f"sqlite:///{db}")
    engine = make_engine(settings.db)
    started = time.perf_counter()
    reader = load_reader(Settings(), announce=print)
    run_demo(
        engine, settings=settings, folder=folder / "demo", now=datetime.now(UTC), reader=reader
    )
    copy_shop(engine, shop_copies)
    copy_inbox(engine, copies)
    with engine.begin() as connection:
        value_sql.recompute_all(connection, margin_rate=settings.margin_rate)
    counts = _counts(engine)
    print(
        f"stored {counts[0]:,} customers, {counts[1]:,} orders, {counts[2]:,} decisions "
        f"in {time.perf_counter() - started:.1f} s (not timed below)"
    )
    engine.dispose()
    _time_action(settings)
    _time_cli(settings, folder)


def copy_shop(engine: Engine, copies: int) -> None:
    """The demo's customers and their orders copied `copies` times, in bulk."""
    customer_columns = [c for c in customers.c if c.name != "id"]
    order_columns = [c for c in orders.c if c.name != "id"]
    with engine.begin() as connection:
        first = connection.execute(select(func.max(customers.c.id))).scalar_one()
        for copy in range(1, copies + 1):
            shift, tag = first * copy, f"+c{copy}"
            kept = customer_columns
            moved: dict[str, Any] = {
                "email": literal(tag) + customers.c.email,
                "shopify_id": customers.c.shopify_id + SHOPIFY_ID_STEP * copy,
            }
            connection.execute(
                insert(customers).from_select(
                    ["id", *(c.name for c in customer_columns)],
                    select(customers.c.id + shift, *(moved.get(c.name, c) for c in kept))
                    .where(customers.c.id <= first),
                )
            )  # fmt: skip
            moved = {
                "name": orders.c.name + literal(tag),
                "shopify_id": orders.c.shopify_id + SHOPIFY_ID_STEP * copy,
                "customer_id": orders.c.customer_id + shift,
                "email": literal(tag) + orders.c.email,
            }
            connection.execute(
                insert(orders).from_select(
                    [c.name for c in order_columns],
                    select(*(moved.get(c.name, c) for c in order_columns))
                    .where(orders.c.customer_id <= first),
                )
            )  # fmt: skip


def _counts(engine: Engine) -> tuple[int, int, int]:
    with engine.connect() as connection:
        found = [
            connection.execute(select(func.count()).select_from(table)).scalar_one()
            for table in (customers, orders, decisions)
        ]
    return found[0], found[1], found[2]


def _time_action(settings: Settings) -> None:
    """What `evenhand advise threshold` does, timed in this process: the whole action, and
    within it the deciding (`advise_threshold` over what was read); reading is the rest.
    Wall-clock and this process's CPU time: on a shared machine the CPU time is the steadier
    figure."""
    deciding: list[tuple[float, float]] = []

    def timed(guide: Guide, history: ShopHistory, *, safety: Decimal) -> ThresholdAdvice:
        started = _clocks()
        try:
            return advise_threshold(guide, history, safety=safety)
        finally:
            deciding.append(_since(started))

    # The action calls `advise_threshold` through the name it imported into its module:
    # swap that binding for the timed one while the action runs.
    with mock.patch.object(replay_action, "advise_threshold", timed):
        started = _clocks()
        engine = make_engine(settings.db)
        guide = active_guide(engine, settings)
        advice, currency = replay_action.advise_vip_threshold(engine, guide, safety=Decimal(2))
        shown = threshold_advice_out(advice, currency=currency, metric=guide.settings.ltv_metric)
        (wall, cpu), (decide_wall, decide_cpu) = _since(started), deciding[0]
    print(
        f"advise threshold (in process): {wall:.2f} s = reading {wall - decide_wall:.2f} s + "
        f"deciding {decide_wall:.2f} s (CPU {cpu:.2f} s = {cpu - decide_cpu:.2f} + "
        f"{decide_cpu:.2f}); {len(shown.options)} candidate lines, recommended "
        f"{shown.recommended} {currency}"
    )


def _clocks() -> tuple[float, float]:
    return time.perf_counter(), time.process_time()


def _since(started: tuple[float, float]) -> tuple[float, float]:
    wall, cpu = _clocks()
    return wall - started[0], cpu - started[1]


def _time_cli(settings: Settings, folder: Path) -> None:
    program = Path(sys.executable).parent / "evenhand"
    command = [str(program), "advise", "threshold", "--db", str(settings.db), "--json"]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run(command, cwd=folder, capture_output=True, text=True, check=False)
    took = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    state = "ok" if done.returncode == 0 else f"exit {done.returncode}: {done.stderr[-300:]}"
    print(
        f"`evenhand advise threshold --json` in a fresh process: {took:.2f} s "
        f"(CPU {cpu:.2f} s; {state})"
    )


if __name__ == "__main__":
    main()
