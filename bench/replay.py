"""How fast a candidate guide is replayed over the stored decisions (target: 100,000
decisions in under 5 s).

Builds the demo shop (its 400-ticket inbox triaged) in a scratch SQLite file, copies the
inbox and its decisions `--copies` times over (new ticket keys, as `bench/ui.py --copies`),
and times `replay_guide` under the default guide with the VIP threshold lowered to 2,000:
reading each ticket's latest decision, rebuilding its facts, deciding and pricing it twice.

    .venv/bin/python bench/replay.py [--copies 250] [--workdir DIR]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import func, select

from evenhand.actions.demo import run_demo
from evenhand.actions.guide import default_guide_text
from evenhand.actions.reader import load_reader
from evenhand.actions.replay import replay_guide
from evenhand.ingest.guide_file import parse_guide
from evenhand.settings import Settings
from evenhand.store.database import make_engine
from evenhand.store.tables import decisions
from ui import _copy_inbox as copy_inbox
from yardstick import print_yardstick


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--copies", type=int, default=250)
    parser.add_argument("--workdir", type=Path, default=None)
    args = parser.parse_args()
    print_yardstick()
    with tempfile.TemporaryDirectory(prefix="evenhand-replay-") as scratch:
        folder = args.workdir or Path(scratch)
        folder.mkdir(parents=True, exist_ok=True)
        run(folder, copies=args.copies)


def run(folder: Path, *, copies: int) -> None:
    db = folder / "replay.sqlite3"
    db.unlink(missing_ok=True)
    settings = Settings(db=f"sqlite:///{db}")
    engine = make_engine(settings.db)
    reader = load_reader(Settings(), announce=print)
    now = datetime.now(UTC)
    run_demo(engine, settings=settings, folder=folder / "demo", now=now, reader=reader)
    copy_inbox(engine, copies)
    with engine.connect() as connection:
        stored = connection.execute(select(func.count()).select_from(decisions)).scalar_one()
    candidate = parse_guide(
        default_guide_text().replace("vip_threshold: 5000 ", "vip_threshold: 2000 "),
        source="candidate.yaml",
    )
    started = time.perf_counter()
    report = replay_guide(engine, candidate)
    took = time.perf_counter() - started
    print(
        f"{stored:,} decisions stored; {report.decisions:,} replayed in {took:.2f} s "
        f"({report.decisions / took:,.0f}/s): {report.changed:,} would change, expected cost "
        f"{report.old_cost:,.2f} -> {report.new_cost:,.2f} {report.currency}"
    )


if __name__ == "__main__":
    main()
