"""`evenhand reader learn` on a shop's labelled history of N tickets (default 2,000), and how
fast an adopted shop reader loads beside the built-in one.

The history is a Zendesk tickets export written the way Spoke & Sprocket's is
(`tests/fixtures/shop_history_b/write_history.py`: the same labels in the same proportions,
each ticket composed afresh), read with its mapping; `learn` reads it, cross-validates the
built-in and the shop reader (5 folds, 3 from 1,000 rows on) and trains the shop reader on
every row, in one process on one thread. Prints wall and CPU seconds of `learn`, the
macro-F1 of both readers, then the first load of each reader in a fresh process; the
yardstick is timed in the same run. Target: `learn` on 2,000 tickets under a minute; a
shop reader loads about as fast as the built-in one.

    OMP_NUM_THREADS=1 .venv/bin/python bench/shop_reader.py [--tickets 2000]
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from types import ModuleType

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

from evenhand.actions.reader import load_reader
from evenhand.actions.shop_reader import adopt_version, learn_shop_reader
from evenhand.settings import Settings, reader_folder
from evenhand.store.database import make_engine, upgrade
from evenhand.understand import artefact
from yardstick import print_yardstick

SHOP_B = Path(__file__).parents[1] / "tests" / "fixtures" / "shop_history_b"


def _writer() -> ModuleType:
    spec = importlib.util.spec_from_file_location("write_history", SHOP_B / "write_history.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def write_export(path: Path, tickets: int) -> None:
    """N tickets of Spoke & Sprocket's labels, in its proportions, as a Zendesk export."""
    writer = _writer()
    rng = random.Random(2_000)
    labels = rng.choices(list(writer.COUNTS), weights=list(writer.COUNTS.values()), k=tickets)
    records = [writer.ticket(index + 1_000, label, rng) for index, label in enumerate(labels)]
    path.write_text(json.dumps({"tickets": records, "count": tickets}), encoding="utf-8")


def own_folder(folder: Path) -> Settings:
    built = artefact.artefact_path(reader_folder(Settings()))
    (folder / built.name).symlink_to(built)
    language = artefact.language_path(built.parent)
    (folder / language.name).symlink_to(language, target_is_directory=True)
    url = f"sqlite:///{folder / 'evenhand.sqlite3'}"
    upgrade(make_engine(url))
    return Settings(db=url, reader_folder=folder)


LOAD = """
import sys, time
from evenhand.actions.reader import load_reader
from evenhand.settings import Settings
started = time.perf_counter()
reader = load_reader(Settings(db=sys.argv[1], reader_folder=sys.argv[2]))
print((time.perf_counter() - started) * 1000, reader.name)
"""


def timed_load(settings: Settings, rounds: int = 5) -> tuple[float, str]:
    """The best of a few first loads of the reader in force, each in a fresh process (as
    a command loads it), in milliseconds, and the reader's name."""
    best, name = float("inf"), ""
    for _ in range(rounds):
        answer = subprocess.run(
            [sys.executable, "-c", LOAD, settings.db, str(settings.reader_folder)],
            capture_output=True,
            text=True,
            check=False,
        )
        if answer.returncode:
            raise SystemExit(f"loading the reader failed: {answer.stderr.strip()[-500:]}")
        took, name = answer.stdout.split()
        best = min(best, float(took))
    return best, name


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--tickets", type=int, default=2_000)
    args = parser.parse_args()
    print_yardstick()
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        settings = own_folder(folder)
        export = folder / "tickets.json"
        write_export(export, args.tickets)
        load_reader(settings)  # the built-in reader's models read once, as `learn` does
        wall, cpu = time.perf_counter(), time.process_time()
        learnt = learn_shop_reader(
            settings, path=export, mapping=SHOP_B / "spoke_and_sprocket.yaml", corrections=False
        )
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        comparison = learnt.details["comparison"]
        print(
            f"learn: {comparison['rows']:,} tickets in {wall:.1f} s wall, {cpu:.1f} s CPU "
            f"(target < 60 s); macro-F1 built-in {comparison['built_in']['macro_f1']:.3f}, "
            f"shop {comparison['shop']['macro_f1']:.3f} ({comparison['folds']}-fold CV)"
        )
        built_in, _ = timed_load(settings)
        adopt_version(
            make_engine(settings.db),
            settings,
            version=learnt.version,
            by="bench",
            now=datetime.now(UTC),
        )
        shop, name = timed_load(settings)
        print(
            f"load in a fresh process: built-in reader {built_in:.0f} ms, {name} "
            f"{shop:.0f} ms (best of 5)"
        )


if __name__ == "__main__":
    main()
