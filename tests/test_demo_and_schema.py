"""The demo shop and the database schema."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, func, select, text

from evenhand.actions.demo import run_demo
from evenhand.actions.dispute_desk import dispute_desk
from evenhand.actions.public_reviews import review_board
from evenhand.demo.orders import ORDERS_HEADER
from evenhand.demo.shop import write_demo_shop
from evenhand.domain.models import OPEN_DISPUTE_STATUSES
from evenhand.ingest.shopify_orders_csv import read_shopify_orders_csv
from evenhand.settings import Settings
from evenhand.store.database import make_engine
from evenhand.store.tables import decisions, metadata, orders
from evenhand.store.ticket_search import SEARCH_OBJECTS
from evenhand.understand.reader import EmbeddedReader
from tests.conftest import NOW


def test_the_demo_is_the_same_for_the_same_seed(tmp_path: Path) -> None:
    first = write_demo_shop(tmp_path / "a", seed=7, customers=200, orders=600)
    second = write_demo_shop(tmp_path / "b", seed=7, customers=200, orders=600)
    assert first.orders_csv.read_bytes() == second.orders_csv.read_bytes()
    assert first.stripe_disputes.read_bytes() == second.stripe_disputes.read_bytes()


def test_the_demo_export_is_a_shopify_orders_export(tmp_path: Path) -> None:
    files = write_demo_shop(tmp_path, seed=7, customers=200, orders=600)
    with files.orders_csv.open(encoding="utf-8-sig", newline="") as handle:
        assert next(csv.reader(handle)) == ORDERS_HEADER
    parsed = read_shopify_orders_csv(files.orders_csv)
    assert len(parsed.records) == 602  # and the shop's two test orders
    assert {order.currency for order in parsed.records} == {"SEK"}
    events = json.loads(files.stripe_disputes.read_text(encoding="utf-8"))
    assert events["object"] == "list" and events["data"][0]["object"] == "event"


def test_demo_imports_a_realistic_shop(tmp_path: Path, reader: EmbeddedReader) -> None:
    url = f"sqlite:///{tmp_path / 'demo.sqlite3'}"
    engine = make_engine(url)
    report = run_demo(
        engine, settings=Settings(db=url), folder=tmp_path / "demo", now=NOW, reader=reader
    )
    with engine.connect() as connection:
        stored = connection.execute(select(func.count()).select_from(orders)).scalar()
        decisions_stored = connection.execute(select(func.count()).select_from(decisions)).scalar()
    assert stored == 10_002 and report.files.line_items > 15_000
    assert report.imports[2].created == 11  # costs entered for 11 of the 14 products
    disputes_reports = report.imports[3:]
    assert sum(r.created for r in disputes_reports) == 13
    assert [d.link_hint.split()[0] for d in disputes_reports[-1].unlinked_disputes] == [
        "pi_3UnknownToThisExport0001"
    ]
    # ... and its inbox is triaged: Swedish and English, VIPs and standard customers,
    # threats tagged, filed chargebacks sent to the dispute process.
    triage = report.triage
    assert len(triage.decided) == decisions_stored == 400 and not triage.failed
    assert set(triage.counts["language"]) == {"sv", "en"}
    assert set(triage.counts["tier"]) == {"vip", "standard"}
    assert triage.counts["remedy"]["route_to_dispute"] > 0
    assert {"review_threat", "chargeback_threat"} <= set(triage.counts["threat"])
    for outcome in triage.decided:
        decision = outcome.decision
        assert decision.reply_language == ("sv" if decision.reading.language == "sv" else "en")
    # ... its disputes show in the desk, and its reviews, four from customers who had
    # threatened a review in a ticket, are matched to their customers.
    desk = dispute_desk(engine, now=NOW, soon_days=3)
    assert desk and all(entry.row.status in OPEN_DISPUTE_STATUSES for entry in desk)
    assert report.reviews is not None
    assert (report.reviews.records, report.reviews.matched) == (8, 8)
    board = review_board(engine)
    assert len(board.threatened) == board.from_threateners == 4
    # ... read as tickets are: one tied to a demand ("five stars if you send it for free")
    assert board.demands == 1
    assert {row.read_language for row in board.rows} == {"sv", "en"}


def test_migrations_match_the_tables(engine: Engine) -> None:
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"include_name": _in_tables})
        differences = compare_metadata(context, metadata)
    assert differences == []


def _in_tables(name: str | None, _kind: str, _parents: dict[str, str | None]) -> bool:
    """Whether `tables.py` describes it: the full-text index is made by its migration."""
    return name not in SEARCH_OBJECTS


def test_sqlite_runs_in_wal_mode_with_foreign_keys(sqlite_url: str) -> None:
    with make_engine(sqlite_url).connect() as connection:
        assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1
