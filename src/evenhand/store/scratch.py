"""Scratch folders for the files an import writes on its way (the staged orders, an uploaded
file): beside the SQLite database they feed, where the shop's data already lives, never in
the system's temporary folder; with PostgreSQL (or a database in memory) in the system's
temporary folder.

Each folder holds a lock (`flock`) for as long as its import runs. A folder whose lock
anyone can take was left by a process that died (killed mid-import, the machine lost
power): `remove_leftovers` removes it, and runs before every import and when the worker
starts.
"""

from __future__ import annotations

import fcntl
import logging
import os
import shutil
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

log = logging.getLogger(__name__)

LOCK = "lock"
UNLOCKED_GRACE_SECONDS = 60  # a folder without its lock yet may be one just being made
SYSTEM_PREFIX = "evenhand-scratch-"


def scratch_home(url: str | URL) -> tuple[Path, str]:
    """The folder scratch folders go in, and the prefix of their names."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        parsed = None
    database = parsed.database if parsed and parsed.get_backend_name() == "sqlite" else None
    if not database or database == ":memory:" or database.startswith("file:"):
        return Path(tempfile.gettempdir()), SYSTEM_PREFIX
    path = Path(database).absolute()
    return path.parent, f".{path.name}.scratch-"


@contextmanager
def scratch_folder(url: str | URL) -> Iterator[Path]:
    """A new, locked scratch folder (mode 0700) for the database at `url`, removed after;
    leftovers of crashed imports are removed first."""
    home, prefix = scratch_home(url)
    remove_leftovers(url)
    folder = Path(tempfile.mkdtemp(prefix=prefix, dir=home))
    try:
        with (folder / LOCK).open("w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def remove_leftovers(url: str | URL) -> int:
    """Remove the scratch folders no live process holds; returns how many."""
    home, prefix = scratch_home(url)
    removed = 0
    for folder in home.glob(f"{prefix}*"):
        if folder.is_dir() and _abandoned(folder):
            shutil.rmtree(folder, ignore_errors=True)
            removed += 1
    if removed:
        log.info("removed %d scratch folder(s) a stopped import left in %s", removed, home)
    return removed


def _abandoned(folder: Path) -> bool:
    try:
        descriptor = os.open(folder / LOCK, os.O_RDONLY)
    except FileNotFoundError:
        return _older_than(folder, UNLOCKED_GRACE_SECONDS)
    except OSError:
        return False
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False  # an import is using it
    finally:
        os.close(descriptor)  # closing lets go of the lock, if it was taken
    return True


def _older_than(folder: Path, seconds: float) -> bool:
    try:
        return time.time() - folder.stat().st_mtime > seconds
    except OSError:
        return False
