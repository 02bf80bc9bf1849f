"""Shared fixtures: databases (SQLite always, PostgreSQL when reachable), settings, files."""

from __future__ import annotations

import os
import sqlite3
import uuid
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.exc import OperationalError

from evenhand.actions.guide import load_guide
from evenhand.actions.import_file import import_file
from evenhand.actions.reader import reader_models
from evenhand.actions.triage import triage_tickets
from evenhand.demo.shop import DemoFiles, write_demo_shop
from evenhand.ingest.kinds import ImportKind
from evenhand.ingest.tickets import read_tickets
from evenhand.settings import Settings, reader_folder
from evenhand.store.database import make_engine, upgrade
from evenhand.understand import artefact
from evenhand.understand.artefact import ReaderModels
from evenhand.understand.reader import EmbeddedReader

FIXTURES = Path(__file__).parent / "fixtures"
PG_URL = os.environ.get("EVENHAND_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)


@dataclass
class Clock:
    """A clock the test moves (from NOW): `advance(60)` or `advance(minutes=29)`."""

    now: datetime = NOW

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float = 0.0, **delta: float) -> None:
        self.now += timedelta(seconds=seconds, **delta)


def _postgres_reachable() -> bool:
    try:
        with create_engine(PG_URL).connect() as connection:
            connection.execute(text("SELECT 1"))
        return True
    except OperationalError:
        return False


@pytest.fixture(autouse=True)
def _isolated_settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No test reads a developer's own evenhand.toml or EVENHAND_* variables."""
    for name in list(os.environ):
        if name.startswith("EVENHAND_") and not name.startswith("EVENHAND_TEST_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("EVENHAND_SETTINGS", str(tmp_path / "evenhand.toml"))


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'evenhand.sqlite3'}"


@contextmanager
def _postgres_schema() -> Iterator[str]:
    """The URL of a fresh PostgreSQL schema, dropped afterwards."""
    if not _postgres_reachable():
        if os.environ.get("EVENHAND_REQUIRE_POSTGRES"):
            pytest.fail(f"PostgreSQL is required but not reachable at {PG_URL}")
        pytest.skip(f"PostgreSQL not reachable at {PG_URL}")
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(PG_URL)
    with admin.begin() as connection:
        connection.execute(text(f"CREATE SCHEMA {schema}"))
    separator = "&" if "?" in PG_URL else "?"
    yield f"{PG_URL}{separator}options=-csearch_path%3D{schema}"
    with admin.begin() as connection:
        connection.execute(text(f"DROP SCHEMA {schema} CASCADE"))
    admin.dispose()


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A fresh PostgreSQL schema per test, dropped afterwards."""
    with _postgres_schema() as url:
        yield url


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest) -> str:
    fixture = "sqlite_url" if request.param == "sqlite" else "postgres_url"
    url: str = request.getfixturevalue(fixture)
    return url


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    """A migrated, empty database on each backend."""
    created = make_engine(db_url)
    upgrade(created)
    yield created
    created.dispose()


@pytest.fixture
def settings(db_url: str) -> Settings:
    return Settings(db=db_url)


@pytest.fixture(scope="session")
def models() -> ReaderModels:
    """The reader's built models (`make setup` builds them; built here if missing)."""
    return reader_models(Settings(), announce=print)


@pytest.fixture(scope="session")
def reader(models: ReaderModels) -> EmbeddedReader:
    """The embedded reader at the default threshold."""
    return EmbeddedReader(models)


def own_reader_folder(folder: Path) -> Settings:
    """Settings whose reader folder is `folder`, holding the built-in reader's artefact
    (linked), and whose migrated SQLite database is in it: shop readers learnt in a test
    stay in the test's folder."""
    built = artefact.artefact_path(reader_folder(Settings()))
    (folder / built.name).symlink_to(built)
    language = artefact.language_path(built.parent)
    (folder / language.name).symlink_to(language, target_is_directory=True)
    url = f"sqlite:///{folder / 'evenhand.sqlite3'}"
    upgrade(make_engine(url))
    return Settings(db=url, reader_folder=folder)


DEMO_TICKETS = 90  # of the demo inbox, oldest first: every threat kind, and tickets without
DEMO_AGAIN = 12  # of those, decided a second time an hour later


@pytest.fixture(scope="session")
def demo_files(tmp_path_factory: pytest.TempPathFactory) -> DemoFiles:
    """The demo shop's files, generated once per test run."""
    return write_demo_shop(tmp_path_factory.mktemp("demo") / "demo")


def _decide_demo_inbox(engine: Engine, files: DemoFiles, reader: EmbeddedReader) -> None:
    settings = Settings(db=str(engine.url))
    import_file(
        engine, kind=ImportKind.SHOPIFY_ORDERS, path=files.orders_csv, settings=settings, now=NOW
    )
    records = read_tickets(files.tickets)[:DEMO_TICKETS]
    guide = load_guide(settings)
    for now, batch in ((NOW, records), (NOW + timedelta(hours=1), records[:DEMO_AGAIN])):
        triage_tickets(
            engine, records=batch, guide=guide, reader=reader, settings=settings, now=now
        )


@pytest.fixture(scope="session")
def demo_sqlite(
    tmp_path_factory: pytest.TempPathFactory, demo_files: DemoFiles, reader: EmbeddedReader
) -> Path:
    """A SQLite database as `demo_inbox_decided` leaves one, built once per test run."""
    path = tmp_path_factory.mktemp("demo-db") / "demo.sqlite3"
    built = make_engine(f"sqlite:///{path}")
    upgrade(built)
    _decide_demo_inbox(built, demo_files, reader)
    built.dispose()
    return path


@pytest.fixture
def demo_inbox_decided(
    engine: Engine, demo_files: DemoFiles, demo_sqlite: Path, reader: EmbeddedReader
) -> None:
    """The demo shop's orders imported, its inbox's first DEMO_TICKETS tickets triaged on
    `engine` at NOW, and the first DEMO_AGAIN of them again an hour later (each a second
    decision of the same ticket). On SQLite the database built once is copied in."""
    if engine.dialect.name != "sqlite":
        _decide_demo_inbox(engine, demo_files, reader)
        return
    engine.dispose()
    with (
        closing(sqlite3.connect(demo_sqlite)) as source,
        closing(sqlite3.connect(str(engine.url.database))) as target,
    ):
        source.backup(target)


# Debian's Chromium, driven by Playwright (the browser tests, marked `browser`).
CHROMIUM = Path("/usr/bin/chromium")
DOCS_SCREENSHOTS = Path(__file__).parent.parent / "docs" / "screenshots"


@pytest.fixture(scope="session")
def shots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where the browser tests' screenshots go: a scratch folder, or docs/screenshots with
    `make screenshots` (EVENHAND_TEST_SCREENSHOTS=docs), so a test run leaves the tree clean."""
    if os.environ.get("EVENHAND_TEST_SCREENSHOTS") == "docs":
        return DOCS_SCREENSHOTS
    return tmp_path_factory.mktemp("screenshots")


@pytest.fixture
def page() -> Iterator[Any]:
    """A Chromium page (1280 x 900); the test is skipped without the browser, or fails when
    EVENHAND_REQUIRE_BROWSER is set (CI)."""
    from playwright.sync_api import sync_playwright  # noqa: PLC0415

    if not CHROMIUM.exists():
        if os.environ.get("EVENHAND_REQUIRE_BROWSER"):
            pytest.fail(f"the browser tests need {CHROMIUM} (apt-get install chromium)")
        pytest.skip(f"no {CHROMIUM}")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        yield browser.new_page(viewport={"width": 1280, "height": 900})
        browser.close()
