"""Importing files into the store: figures, idempotency, updates, atomicity, disputes.

Runs on SQLite and on PostgreSQL. Expected figures are worked out by hand in the
comments from the fixture files.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, func, select, text

from evenhand.actions.customer_value import customer_report, recompute_values
from evenhand.actions.import_file import ImportReport, import_file
from evenhand.actions.schemas import customer_out
from evenhand.errors import EvenhandError, InputError, StoreError
from evenhand.ingest.kinds import ImportKind
from evenhand.settings import Settings
from evenhand.store.database import make_engine
from evenhand.store.tables import customer_values, disputes, line_items, orders
from tests.conftest import FIXTURES, NOW

SHOPIFY, STRIPE = FIXTURES / "shopify", FIXTURES / "stripe"
ANNA, ERIK = "anna.svensson@example.se", "erik.larsson@example.com"


def run_import(
    engine: Engine, settings: Settings, kind: ImportKind, path: Path, **options: Any
) -> ImportReport:
    return import_file(engine, kind=kind, path=path, settings=settings, now=NOW, **options)


def figures(engine: Engine, settings: Settings, email: str) -> dict[str, Any]:
    report = customer_out(customer_report(engine, email=email, settings=settings)).model_dump(
        mode="json"
    )
    keys = ("orders", "gross_sales", "refunds", "net_revenue", "gross_margin", "open_disputes")
    return {key: report[key] for key in keys}


def snapshot(engine: Engine) -> dict[str, list[Any]]:
    with engine.connect() as connection:
        return {
            table.name: sorted(map(tuple, connection.execute(select(table)).all()), key=repr)
            for table in (orders, line_items, disputes, customer_values)
        }


def test_orders_export_gives_each_customer_their_value(engine: Engine, settings: Settings) -> None:
    # When the export is imported
    report = run_import(engine, settings, ImportKind.SHOPIFY_ORDERS, SHOPIFY / "orders_export.csv")
    # Then all five orders are stored with their line items
    assert (report.records, report.created) == (5, 5)
    with engine.connect() as connection:
        assert connection.execute(select(func.count()).select_from(line_items)).scalar() == 8
    # Anna: #1004 548.00 (249.00 refunded) + #1002 1847.70. Margin at the default 40 %:
    # #1004 (548.00 * 0.4) * 299/548 = 119.60; #1002 1847.70 * 0.4 = 739.08.
    assert figures(engine, settings, ANNA) == {
        "orders": 2,
        "gross_sales": "2395.70",
        "refunds": "249.00",
        "net_revenue": "2146.70",
        "gross_margin": "858.68",
        "open_disputes": 0,
    }
    # Erik: #1003 is cancelled; #1000 is refunded with the amount left blank.
    assert figures(engine, settings, ERIK) == {
        "orders": 1,
        "gross_sales": "278.00",
        "refunds": "278.00",
        "net_revenue": "0.00",
        "gross_margin": "0.00",
        "open_disputes": 0,
    }
    # The shop owner's test order counts for nothing.
    assert figures(engine, settings, "butik@nordhem.example")["orders"] == 0


def test_importing_the_same_file_twice_changes_nothing(engine: Engine, settings: Settings) -> None:
    path = SHOPIFY / "orders_export.csv"
    run_import(engine, settings, ImportKind.SHOPIFY_ORDERS, path)
    before = snapshot(engine)
    again = run_import(engine, settings, ImportKind.SHOPIFY_ORDERS, path)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 5)
    assert snapshot(engine) == before


def test_a_newer_export_updates_orders_by_id(engine: Engine, settings: Settings) -> None:
    run_import(engine, settings, ImportKind.SHOPIFY_ORDERS, SHOPIFY / "orders_export.csv")
    # When an older-generation export says #1004 is now fully refunded and adds #1005
    report = run_import(
        engine, settings, ImportKind.SHOPIFY_ORDERS, SHOPIFY / "orders_export_older_header.csv"
    )
    assert (report.created, report.updated) == (1, 1)
    assert figures(engine, settings, ANNA) == {
        "orders": 2,
        "gross_sales": "2395.70",
        "refunds": "548.00",
        "net_revenue": "1847.70",
        "gross_margin": "739.08",
        "open_disputes": 0,
    }
    assert figures(engine, settings, ERIK)["net_revenue"] == "1495.00"
    with engine.connect() as connection:
        items = connection.execute(select(func.count()).select_from(line_items)).scalar()
    assert items == 9  # #1004's two items replaced, not doubled; #1005 adds one


def test_a_bad_file_stores_nothing_and_says_where(engine: Engine, settings: Settings) -> None:
    run_import(engine, settings, ImportKind.SHOPIFY_ORDERS, SHOPIFY / "orders_export.csv")
    before = snapshot(engine)
    with pytest.raises(EvenhandError) as raised:
        run_import(engine, settings, ImportKind.SHOPIFY_ORDERS, SHOPIFY / "orders_bad_total.csv")
    assert "orders_bad_total.csv, line 5, column 'Total'" in str(raised.value)
    assert snapshot(engine) == before


@pytest.mark.parametrize("columnar", [True, False], ids=["columnar", "row by row"])
def test_a_new_order_with_a_stored_orders_shopify_id_is_refused_by_its_line(
    engine: Engine, settings: Settings, columnar: bool
) -> None:
    # given: the shop's orders, #1000 among them
    run_import(engine, settings, ImportKind.SHOPIFY_ORDERS, SHOPIFY / "orders_export.csv")
    before = snapshot(engine)
    # when: a file brings a new order #1099 with #1000's Shopify id
    with pytest.raises(EvenhandError) as raised:
        run_import(
            engine,
            settings,
            ImportKind.SHOPIFY_ORDERS,
            SHOPIFY / "orders_id_taken.csv",
            columnar=columnar,
        )
    # then: the error says which order has the id, and where; nothing was stored
    assert raised.value.code is InputError.DUPLICATE_RECORD
    message = str(raised.value.where) + ": " + raised.value.message
    assert "orders_id_taken.csv, line 2, column 'Id'" in message
    assert "order #1099 has Shopify id 5810000013000, which order #1000 already has" in message
    assert snapshot(engine) == before


@pytest.mark.parametrize("columnar", [True, False], ids=["columnar", "row by row"])
def test_two_orders_of_one_file_with_one_shopify_id_are_refused(
    engine: Engine, settings: Settings, columnar: bool
) -> None:
    # given: a file where #1099 repeats #1000's Shopify id, on line 3
    path = SHOPIFY / "orders_id_twice.csv"
    with pytest.raises(EvenhandError) as raised:
        # when: it is imported into an empty shop
        run_import(engine, settings, ImportKind.SHOPIFY_ORDERS, path, columnar=columnar)
    # then: the second order is named at its line, and nothing was stored
    assert raised.value.code is InputError.DUPLICATE_RECORD
    assert raised.value.where is not None and raised.value.where.line == 3
    assert "order #1099" in raised.value.message and "order #1000" in raised.value.message
    with engine.connect() as connection:
        assert connection.execute(select(func.count()).select_from(orders)).scalar() == 0


def test_skip_invalid_imports_the_valid_orders(engine: Engine, settings: Settings) -> None:
    report = run_import(
        engine,
        settings,
        ImportKind.SHOPIFY_ORDERS,
        SHOPIFY / "orders_bad_total.csv",
        skip_invalid=True,
    )
    assert report.created == 1 and [r.record for r in report.rejections] == ["#1003"]


def test_a_file_in_another_currency_is_refused(engine: Engine, settings: Settings) -> None:
    run_import(engine, settings, ImportKind.SHOPIFY_ORDERS, SHOPIFY / "orders_export.csv")
    before = snapshot(engine)
    with pytest.raises(EvenhandError) as raised:
        run_import(engine, settings, ImportKind.SHOPIFY_ORDERS, SHOPIFY / "orders_in_euro.csv")
    assert raised.value.code is InputError.CURRENCY_MISMATCH
    assert "EUR" in str(raised.value) and "SEK" in str(raised.value)
    assert snapshot(engine) == before


def test_disputes_link_to_orders_and_count_while_open(engine: Engine, settings: Settings) -> None:
    run_import(engine, settings, ImportKind.SHOPIFY_ORDERS, SHOPIFY / "orders_export.csv")
    shopify = run_import(engine, settings, ImportKind.DISPUTES, SHOPIFY / "disputes.json")
    # 90013's order is not in the shop's data: kept and reported, not refused.
    assert [d.external_id for d in shopify.unlinked_disputes] == ["90013"]
    run_import(engine, settings, ImportKind.DISPUTES, STRIPE / "disputes_list.json")
    # Anna: 90011 on #1002 (needs_response) and the Stripe one on #1004 (needs_response).
    assert figures(engine, settings, ANNA)["open_disputes"] == 2
    assert figures(engine, settings, ERIK)["open_disputes"] == 0  # 90012 was won


def test_a_dispute_waits_for_its_order(engine: Engine, settings: Settings) -> None:
    run_import(engine, settings, ImportKind.SHOPIFY_ORDERS, SHOPIFY / "orders_export.csv")
    early = run_import(engine, settings, ImportKind.DISPUTES, STRIPE / "dispute_events.jsonl")
    assert [d.external_id for d in early.unlinked_disputes] == ["du_1QFixtureErik1005"]
    # When the order (#1005, named in the dispute's metadata) arrives
    later = run_import(
        engine, settings, ImportKind.SHOPIFY_ORDERS, SHOPIFY / "orders_export_older_header.csv"
    )
    assert later.disputes_linked == 1 and later.unlinked_disputes == []
    [dispute] = customer_report(engine, email=ERIK, settings=settings).disputes
    assert (dispute.status, dispute.order_name) == ("won", "#1005")  # newest event won


def test_an_older_dispute_event_does_not_overwrite_a_newer_one(
    engine: Engine, settings: Settings, tmp_path: Path
) -> None:
    path = STRIPE / "dispute_events.jsonl"
    run_import(engine, settings, ImportKind.DISPUTES, path)
    created_only = tmp_path / "created.jsonl"
    created_only.write_text(
        path.read_text(encoding="utf-8").splitlines()[2] + "\n", encoding="utf-8"
    )
    report = run_import(engine, settings, ImportKind.DISPUTES, created_only)
    assert report.stale == 1
    with engine.connect() as connection:
        assert connection.execute(select(disputes.c.status)).scalar() == "won"


def test_rest_orders_and_customer_exports(engine: Engine, settings: Settings) -> None:
    run_import(engine, settings, ImportKind.SHOPIFY_ORDERS_JSON, SHOPIFY / "orders.json")
    # Lena: #1006 676.00 with 178.00 refunded; #1007 is a test order.
    # Margin: 627.00 * 0.4 = 250.80, times 498/676 = 184.76 (truncated to the öre).
    assert figures(engine, settings, "lena.holm@example.org") == {
        "orders": 1,
        "gross_sales": "676.00",
        "refunds": "178.00",
        "net_revenue": "498.00",
        "gross_margin": "184.76",
        "open_disputes": 0,
    }
    run_import(engine, settings, ImportKind.SHOPIFY_CUSTOMERS, SHOPIFY / "customers_export.csv")
    report = run_import(
        engine, settings, ImportKind.SHOPIFY_CUSTOMERS, SHOPIFY / "customers_export_legacy.csv"
    )
    assert (report.created, report.updated) == (1, 1)  # Oskar is new, Anna is updated
    lena = customer_report(engine, email="lena.holm@example.org", settings=settings)
    assert (lena.first_name, lena.last_name) == ("Lena", "Holm")
    anna = customer_report(engine, email=ANNA, settings=settings)
    assert anna.last_name == "Svensson-Berg"


def test_incremental_figures_equal_a_full_recompute(engine: Engine, settings: Settings) -> None:
    for kind, path in (
        (ImportKind.SHOPIFY_ORDERS, SHOPIFY / "orders_export.csv"),
        (ImportKind.DISPUTES, SHOPIFY / "disputes.json"),
        (ImportKind.SHOPIFY_ORDERS, SHOPIFY / "orders_export_older_header.csv"),
        (ImportKind.SHOPIFY_ORDERS_JSON, SHOPIFY / "orders.json"),
        (ImportKind.DISPUTES, STRIPE / "dispute_events.jsonl"),
    ):
        run_import(engine, settings, kind, path)
    incremental = snapshot(engine)["customer_values"]
    recompute_values(engine, settings=settings, now=NOW)
    assert snapshot(engine)["customer_values"] == incremental


def test_the_margin_rate_is_a_setting(engine: Engine, db_url: str) -> None:
    settings = Settings(db=db_url, margin_rate=Decimal("0.5"))
    run_import(engine, settings, ImportKind.SHOPIFY_ORDERS, SHOPIFY / "orders_export.csv")
    # #1004: 274.00 * 299/548 = 149.50; #1002: 923.85
    assert figures(engine, settings, ANNA)["gross_margin"] == "1073.35"


def test_an_uninitialised_database_is_refused(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'empty.sqlite3'}"
    with pytest.raises(EvenhandError) as raised:
        import_file(
            make_engine(url),
            kind=ImportKind.SHOPIFY_ORDERS,
            path=SHOPIFY / "orders_export.csv",
            settings=Settings(db=url),
            now=NOW,
        )
    assert raised.value.code is StoreError.DB_NOT_INITIALISED
    assert "evenhand init" in str(raised.value)


def test_every_import_is_audited(engine: Engine, settings: Settings) -> None:
    run_import(engine, settings, ImportKind.SHOPIFY_ORDERS, SHOPIFY / "orders_export.csv")
    with engine.connect() as connection:
        action, details = connection.execute(text("SELECT action, details FROM audit_events")).one()
    assert action == "import"
    assert "orders_export.csv" in str(details) and '"created": 5' in str(details).replace("'", '"')


def test_product_costs_give_the_margin_where_known(engine: Engine, settings: Settings) -> None:
    run_import(engine, settings, ImportKind.SHOPIFY_ORDERS, SHOPIFY / "orders_export.csv")
    report = run_import(
        engine, settings, ImportKind.SHOPIFY_PRODUCTS, SHOPIFY / "products_export.csv"
    )
    assert report.created == 5  # the image-only row and the variant without a cost say nothing
    # #1002: 1847.70 - 2 * 62.00 - 480.00 - 40 % margin assumed on the uncosted gift card
    # (450.00 * 0.6 = 270.00) = 973.70. #1004: 548.00 - 95.00 - 70.00 = 383.00, times
    # 299/548 kept = 208.97 (truncated to the öre). Anna: 1182.67.
    assert figures(engine, settings, ANNA)["gross_margin"] == "1182.67"


def test_costs_known_before_the_orders_apply_when_they_arrive(
    engine: Engine, settings: Settings, db_url: str
) -> None:
    priced = Settings(db=db_url, currency="SEK")
    run_import(engine, priced, ImportKind.SHOPIFY_PRODUCTS, SHOPIFY / "products_export.csv")
    run_import(engine, priced, ImportKind.SHOPIFY_ORDERS, SHOPIFY / "orders_export.csv")
    assert figures(engine, priced, ANNA)["gross_margin"] == "1182.67"
    incremental = snapshot(engine)["customer_values"]
    recompute_values(engine, settings=priced, now=NOW)
    assert snapshot(engine)["customer_values"] == incremental


def test_costs_need_the_shop_currency(engine: Engine, settings: Settings) -> None:
    with pytest.raises(EvenhandError) as raised:
        run_import(engine, settings, ImportKind.SHOPIFY_PRODUCTS, SHOPIFY / "products_export.csv")
    assert "currency" in str(raised.value)


def test_a_bad_cost_names_its_line(engine: Engine, settings: Settings) -> None:
    run_import(engine, settings, ImportKind.SHOPIFY_ORDERS, SHOPIFY / "orders_export.csv")
    with pytest.raises(EvenhandError) as raised:
        run_import(engine, settings, ImportKind.SHOPIFY_PRODUCTS, SHOPIFY / "products_bad_cost.csv")
    assert "products_bad_cost.csv, line 3, column 'Cost per item'" in str(raised.value)
