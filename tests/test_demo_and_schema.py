"""The demo shop and the database schema."""

from __future__ import annotations

import csv
import json
from datetime import timedelta
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, func, select, text

from evenhand.actions.demo import DemoReport, run_demo
from evenhand.actions.dispute_desk import dispute_desk
from evenhand.actions.guide import load_guide
from evenhand.actions.outcomes import shop_outcomes
from evenhand.actions.public_reviews import review_board
from evenhand.demo.orders import ORDERS_HEADER
from evenhand.demo.shop import write_demo_shop
from evenhand.domain.models import OPEN_DISPUTE_STATUSES
from evenhand.domain.outcomes import WINDOWS
from evenhand.ingest.shopify_orders_csv import read_shopify_orders_csv
from evenhand.settings import Settings
from evenhand.store.database import make_engine
from evenhand.store.tables import customer_values, decisions, metadata, orders, tickets
from evenhand.store.ticket_search import SEARCH_OBJECTS
from evenhand.store.value_sql import recompute_all, recompute_customers
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


@pytest.fixture(scope="module")
def demo_run(
    tmp_path_factory: pytest.TempPathFactory, reader: EmbeddedReader
) -> tuple[Engine, DemoReport]:
    """`evenhand demo` run once for this module's tests, at NOW. Made before each test's
    settings isolation (`_isolated_settings`), so it names its own settings file: the demo
    writes one where there is none, and never into the checkout."""
    folder = tmp_path_factory.mktemp("demo-run")
    url = f"sqlite:///{folder / 'demo.sqlite3'}"
    engine = make_engine(url)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("EVENHAND_SETTINGS", str(folder / "evenhand.toml"))
        report = run_demo(
            engine, settings=Settings(db=url), folder=folder / "demo", now=NOW, reader=reader
        )
    return engine, report


def test_demo_imports_a_realistic_shop(demo_run: tuple[Engine, DemoReport]) -> None:
    engine, report = demo_run
    # its settings file is written beside the test's files, not into the checkout
    assert not report.init.settings_file.resolve().is_relative_to(Path(__file__).parent.parent)
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


OLD_ENOUGH = 150  # decided tickets at least each window old, of the demo's 400


def test_the_demo_inbox_is_decided_as_it_came_in_over_a_year(
    demo_run: tuple[Engine, DemoReport],
) -> None:
    engine, _ = demo_run
    with engine.connect() as connection:
        moments = connection.execute(
            select(tickets.c.created_at, decisions.c.decided_at, decisions.c.ltv_minor,
                   customer_values.c.gross_minor - customer_values.c.refunds_minor)
            .join(decisions, decisions.c.ticket_id == tickets.c.id)
            .join(customer_values, customer_values.c.customer_id == tickets.c.customer_id)
        ).all()  # fmt: skip
        kept = connection.execute(select(customer_values).order_by(customer_values.c.customer_id))
        values_now = kept.all()
    assert all(received == decided for received, decided, _, _ in moments)
    assert min(received for received, *_ in moments) < NOW - timedelta(days=300)
    # Each decision saw the customer's value as it was then: never more than today's, and
    # less for the customers who bought again after their ticket.
    assert all(then <= today for _, _, then, today in moments)
    assert sum(then < today for _, _, then, today in moments) > 100
    # ... and the customers' figures are today's again once the inbox is decided.
    with engine.begin() as connection:
        recompute_all(connection, margin_rate=Settings().margin_rate)
        again = connection.execute(select(customer_values).order_by(customer_values.c.customer_id))
        assert again.all() == values_now
    found, currency = shop_outcomes(engine, load_guide(Settings()), now=NOW)
    assert currency == "SEK"
    for window in WINDOWS:
        groups = [group for group in found.groups if group.window == window]
        assert sum(group.orders.n for group in groups) >= OLD_ENOUGH
        assert {group.tier for group in groups} == {"vip", "standard"}
        assert any(group.orders.mean > 0 for group in groups)  # orders after the tickets
        line = next(d for d in found.discontinuities if d.window == window)
        assert line.below.orders.n > 0 and line.above.orders.n > 0
        assert line.difference is not None


def test_migrations_match_the_tables(engine: Engine) -> None:
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"include_name": _in_tables})
        differences = compare_metadata(context, metadata)
    assert differences == []


def _in_tables(name: str | None, _kind: str, _parents: dict[str, str | None]) -> bool:
    """Whether `store/tables` describes it: the full-text index is made by its migration."""
    return name not in SEARCH_OBJECTS


def test_sqlite_runs_in_wal_mode_with_foreign_keys(sqlite_url: str) -> None:
    with make_engine(sqlite_url).connect() as connection:
        assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1


@pytest.mark.usefixtures("demo_inbox_decided")
def test_a_customers_value_as_of_a_moment_counts_the_orders_before_it(engine: Engine) -> None:
    # Given a demo customer with many counted orders, and a moment amid them
    counted = orders.c.exclusion.is_(None)
    with engine.connect() as connection:
        customer = connection.execute(
            select(orders.c.customer_id).where(counted, orders.c.customer_id.is_not(None))
            .group_by(orders.c.customer_id).order_by(func.count().desc(), orders.c.customer_id)
            .limit(1)
        ).scalar_one()  # fmt: skip
        placed = connection.execute(
            select(orders.c.created_at, orders.c.value_gross_minor - orders.c.value_refund_minor)
            .where(counted, orders.c.customer_id == customer).order_by(orders.c.created_at)
        ).all()  # fmt: skip
    moment = placed[len(placed) // 2][0]
    before = [net for at, net in placed if at < moment]
    margin_rate = Settings().margin_rate
    # When their figures are recomputed as of that moment, then as of now
    figures = (
        customer_values.c.orders,
        customer_values.c.gross_minor - customer_values.c.refunds_minor,
    )
    found = []
    for as_of in (moment, None):
        with engine.begin() as connection:
            recompute_customers(connection, [customer], margin_rate=margin_rate, as_of=as_of)
            found.append(
                connection.execute(
                    select(*figures).where(customer_values.c.customer_id == customer)
                ).one()
            )
    # Then the first counts only the orders placed before the moment, the second them all
    assert tuple(found[0]) == (len(before), sum(before)) and len(before) < len(placed)
    assert tuple(found[1]) == (len(placed), sum(net for _, net in placed))
