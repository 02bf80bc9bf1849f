"""Scratch files of imports live beside the SQLite database, never in the system's temporary
folder, and those a killed import left are removed by the next import and when the worker
starts; a folder an import is using is never touched."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import func, select

from evenhand.store.database import make_engine, upgrade
from evenhand.store.scratch import remove_leftovers, scratch_folder
from evenhand.store.tables import orders
from tests.conftest import FIXTURES

ORDERS = FIXTURES / "erasure" / "orders_export.csv"
A_CUSTOMER = b"asa.sjostrom@example.se"


def _scratch_beside(database: Path) -> list[Path]:
    return sorted(database.parent.glob(f".{database.name}.scratch-*"))


def _wait(condition: Callable[[], bool], *, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.02)
    return False


def _leftover(folder: Path, *, locked_file: bool = True, age_seconds: float = 0) -> Path:
    folder.mkdir()
    (folder / "evenhand_stage.sqlite3").write_bytes(b"SQLite format 3\x00" + A_CUSTOMER)
    if locked_file:
        (folder / "lock").write_text("")
    moment = time.time() - age_seconds
    os.utime(folder, (moment, moment))
    return folder


def test_a_folder_in_use_stays_and_those_a_crash_left_are_removed(tmp_path: Path) -> None:
    # given a database, an import's scratch folder in use, one whose import was killed, one
    # killed before it took its lock (an hour ago), and one being made this moment
    url = f"sqlite:///{tmp_path / 'evenhand.sqlite3'}"
    with scratch_folder(url) as live:
        dead = _leftover(tmp_path / ".evenhand.sqlite3.scratch-dead")
        old = _leftover(
            tmp_path / ".evenhand.sqlite3.scratch-old", locked_file=False, age_seconds=3600
        )
        young = _leftover(tmp_path / ".evenhand.sqlite3.scratch-young", locked_file=False)
        other = _leftover(tmp_path / ".other.sqlite3.scratch-dead")
        # when leftovers are removed while that import runs
        removed = remove_leftovers(url)
        # then the dead ones go, the live one, the one being made and another database's stay
        assert removed == 2
        assert not dead.exists() and not old.exists()
        assert live.exists() and young.exists() and other.exists()
        assert live.parent == tmp_path and oct(live.stat().st_mode & 0o777) == "0o700"
    assert not live.exists()


@pytest.mark.process
def test_an_import_killed_mid_stage_leaves_nothing_in_tmp_and_the_next_import_cleans_up(
    tmp_path: Path,
) -> None:
    # given a database and a system temporary folder of the import's own
    database = tmp_path / "db" / "evenhand.sqlite3"
    database.parent.mkdir()
    url = f"sqlite:///{database}"
    upgrade(make_engine(url))
    system_tmp = tmp_path / "tmp"
    system_tmp.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith("EVENHAND_")} | {
        "TMPDIR": str(system_tmp),
        "EVENHAND_SETTINGS": str(tmp_path / "evenhand.toml"),
    }
    command = [sys.executable, "-m", "evenhand", "import", "shopify-orders", str(ORDERS)]
    command += ["--db", url]
    # and another process holding the write lock, so the import waits with its orders staged
    holder = sqlite3.connect(database, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    importer = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL)
    try:

        def staged() -> bool:
            return any(
                A_CUSTOMER in file.read_bytes()
                for folder in _scratch_beside(database)
                for file in folder.glob("evenhand_stage.sqlite3")
            )

        assert _wait(staged, seconds=60), "the import never staged beside the database"
        # when it is killed there
        importer.send_signal(signal.SIGKILL)
        importer.wait(10)
    finally:
        if importer.poll() is None:
            importer.kill()
        holder.execute("ROLLBACK")
        holder.close()
    # then its scratch folder is left beside the database, and nothing in the system's
    leftovers = _scratch_beside(database)
    assert len(leftovers) == 1 and list(system_tmp.iterdir()) == []
    # when the next import runs
    subprocess.run(command, env=env, check=True, stdout=subprocess.DEVNULL, timeout=120)
    # then it imported, and no scratch folder is left anywhere
    assert _scratch_beside(database) == [] and list(system_tmp.iterdir()) == []
    with make_engine(url).connect() as connection:
        assert connection.execute(select(func.count()).select_from(orders)).scalar() == 2


@pytest.mark.process
def test_the_worker_removes_the_scratch_a_killed_import_left_when_it_starts(
    tmp_path: Path,
) -> None:
    # given a database and the scratch folder of an import that was killed
    database = tmp_path / "evenhand.sqlite3"
    url = f"sqlite:///{database}"
    upgrade(make_engine(url))
    dead = _leftover(tmp_path / ".evenhand.sqlite3.scratch-killed")
    env = {k: v for k, v in os.environ.items() if not k.startswith("EVENHAND_")} | {
        "EVENHAND_SETTINGS": str(tmp_path / "evenhand.toml"),
    }
    # when the worker starts (and stops, the inbox being empty)
    subprocess.run(
        [sys.executable, "-m", "evenhand", "worker", "--once", "--db", url],
        env=env,
        check=True,
        timeout=120,
    )
    # then the folder is gone
    assert not dead.exists()
