"""The columnar (bulk) reading of the orders export stores exactly what the row-by-row
reading stores, and hands back any file it cannot read exactly."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.exc import IntegrityError

from evenhand.actions.import_file import import_file
from evenhand.demo.shop import write_demo_shop
from evenhand.errors import EvenhandError, InputError
from evenhand.ingest.kinds import ImportKind
from evenhand.ingest.shopify_orders_frame import read_orders_frames
from evenhand.settings import Settings
from evenhand.store.database import make_engine, upgrade
from evenhand.store.tables import customer_values, customers, line_items, orders, payment_references
from tests.conftest import FIXTURES, NOW

SHOPIFY = FIXTURES / "shopify"


def stored(engine: Engine) -> dict[str, list[Any]]:
    """Every row as the database holds it (raw driver values: SQLite's text dates too)."""
    tables = (customers, orders, line_items, payment_references, customer_values)
    with engine.connect() as connection:
        return {
            t.name: sorted(
                map(tuple, connection.exec_driver_sql(f"SELECT * FROM {t.name}")), key=repr
            )
            for t in tables
        }


def import_all(url: str, paths: list[Path], *, columnar: bool) -> dict[str, list[Any]]:
    engine = make_engine(url)
    upgrade(engine)
    for path in paths:
        import_file(
            engine,
            kind=ImportKind.SHOPIFY_ORDERS,
            path=path,
            settings=Settings(db=url),
            now=NOW,
            columnar=columnar,
        )
    return stored(engine)


def test_both_readings_store_the_same_rows(
    tmp_path: Path, sqlite_url: str, request: pytest.FixtureRequest
) -> None:
    demo = write_demo_shop(tmp_path / "demo", seed=3, customers=300, orders=1500)
    paths = [
        SHOPIFY / "orders_export.csv",
        SHOPIFY / "orders_export_older_header.csv",
        demo.orders_csv,
        SHOPIFY / "orders_export.csv",
    ]
    assert all(read_orders_frames(path) is not None for path in paths)
    row_by_row = import_all(sqlite_url, paths, columnar=False)
    columnar = import_all(f"sqlite:///{tmp_path / 'columnar.sqlite3'}", paths, columnar=True)
    assert columnar == row_by_row
    assert len(columnar["orders"]) > 1500


def test_postgresql_stages_by_copy_and_stores_the_same(
    postgres_url: str, sqlite_url: str, tmp_path: Path
) -> None:
    demo = write_demo_shop(tmp_path / "demo", seed=5, customers=200, orders=800)
    paths = [SHOPIFY / "orders_export.csv", demo.orders_csv]
    on_postgres = import_all(postgres_url, paths, columnar=True)
    on_sqlite = import_all(sqlite_url, paths, columnar=False)
    for table in ("orders", "line_items", "customer_values"):
        assert len(on_postgres[table]) == len(on_sqlite[table])
    assert [row[1:3] for row in on_postgres["customers"]] == [
        row[1:3] for row in on_sqlite["customers"]
    ]


@pytest.mark.parametrize("name", ["orders_bad_total.csv", "orders_orphan_continuation.csv"])
def test_files_outside_the_plain_form_are_read_row_by_row(name: str) -> None:
    assert read_orders_frames(SHOPIFY / name) is None


def test_an_odd_but_valid_cell_goes_row_by_row_and_still_imports(
    tmp_path: Path, engine: Engine, settings: Settings
) -> None:
    # Given an export whose Total has an ISO date and an amount with a leading space
    text = (SHOPIFY / "orders_export.csv").read_text(encoding="utf-8-sig")
    odd = tmp_path / "odd.csv"
    odd.write_text(
        text.replace("2025-12-01 08:00:00 +0100", "2025-12-01T08:00:00+01:00"), encoding="utf-8"
    )
    assert read_orders_frames(odd) is None
    report = import_file(
        engine, kind=ImportKind.SHOPIFY_ORDERS, path=odd, settings=settings, now=NOW
    )
    assert report.created == 5


@pytest.mark.parametrize(
    ("cell", "line", "column"),
    [
        ("2025-12-01 08:00:00 +0100", 10, "Created at"),
        ("2026-10-20 19:30:00 +0200", 5, "Cancelled at"),
    ],
)
def test_a_time_off_the_calendar_is_named_not_stored(
    tmp_path: Path, engine: Engine, settings: Settings, *, cell: str, line: int, column: str
) -> None:
    # given: an export in the plain form with a day that does not exist
    text = (SHOPIFY / "orders_export.csv").read_text(encoding="utf-8-sig")
    bad = tmp_path / "orders_export_bad_day.csv"
    bad.write_text(text.replace(cell, cell.replace(cell[5:10], "02-30")), encoding="utf-8")
    # when: it is imported; then: refused with its line and column, nothing stored
    assert read_orders_frames(bad) is None
    with pytest.raises(EvenhandError) as refused:
        import_file(engine, kind=ImportKind.SHOPIFY_ORDERS, path=bad, settings=settings, now=NOW)
    assert f"orders_export_bad_day.csv, line {line}, column '{column}'" in str(refused.value)
    assert stored(engine)["orders"] == []


def test_rows_of_an_order_found_apart_store_the_same(tmp_path: Path, sqlite_url: str) -> None:
    # given: an export where one order's continuation rows come after other orders' rows
    demo = write_demo_shop(tmp_path / "demo", seed=7, customers=50, orders=200)
    header, *rows = demo.orders_csv.read_text(encoding="utf-8-sig").splitlines(keepends=True)
    names = [row.split(",", 1)[0] for row in rows]
    continued = next(i for i in range(1, len(rows)) if names[i] == names[i - 1])
    apart = tmp_path / "orders_export_apart.csv"
    moved = [rows[continued]]
    apart.write_text(header + "".join(rows[:continued] + rows[continued + 1 :] + moved))
    # when: both readings import it
    row_by_row = import_all(sqlite_url, [apart], columnar=False)
    columnar = import_all(f"sqlite:///{tmp_path / 'columnar.sqlite3'}", [apart], columnar=True)
    # then: the same rows, the moved line item still in its order (line items numbered in
    # the order they were read: file order here, order by order there)
    assert read_orders_frames(apart) is not None
    items = {
        reading: sorted(row[1:] for row in tables.pop("line_items"))
        for reading, tables in (("columnar", columnar), ("row_by_row", row_by_row))
    }
    assert columnar == row_by_row
    assert items["columnar"] == items["row_by_row"]
    assert len(items["columnar"]) == len(rows)


def test_foreign_keys_are_enforced_again_after_a_bulk_import(tmp_path: Path) -> None:
    # given: a SQLite engine, whose pool hands its connection back after each import
    url = f"sqlite:///{tmp_path / 'keys.sqlite3'}"
    engine = make_engine(url)
    upgrade(engine)
    settings = Settings(db=url)
    # when: one bulk import lands and one in another currency is refused
    for name in ("orders_export.csv", "orders_in_euro.csv"):
        assert read_orders_frames(SHOPIFY / name) is not None
        try:
            import_file(
                engine,
                kind=ImportKind.SHOPIFY_ORDERS,
                path=SHOPIFY / name,
                settings=settings,
                now=NOW,
            )
        except EvenhandError as refused:
            assert refused.code is InputError.CURRENCY_MISMATCH
        # then: the connection checks keys again: a line item of no order is refused
        with engine.connect() as connection:
            assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar_one() == 1
            with pytest.raises(IntegrityError):
                connection.exec_driver_sql(
                    "INSERT INTO line_items (order_id, position, name, quantity,"
                    " unit_price_minor, discount_minor) VALUES (999999, 0, 'x', 1, 0, 0)"
                )


def test_new_orders_into_a_stocked_shop_keep_every_line_with_its_order(
    tmp_path: Path, engine: Engine, settings: Settings
) -> None:
    # given: a shop that holds orders, and an export of orders it has never seen
    import_file(
        engine,
        kind=ImportKind.SHOPIFY_ORDERS,
        path=SHOPIFY / "orders_export.csv",
        settings=settings,
        now=NOW,
    )
    demo = write_demo_shop(tmp_path / "demo", seed=11, customers=60, orders=300)
    renamed = tmp_path / "orders_export_new.csv"
    header, *lines = csv.reader(demo.orders_csv.open(encoding="utf-8-sig", newline=""))
    name, shopify_id = header.index("Name"), header.index("Id")
    for line in lines:
        line[name], line[shopify_id] = "#N" + line[name].lstrip("#"), ""
    with renamed.open("w", encoding="utf-8", newline="") as out:
        csv.writer(out).writerows([header, *lines])
    assert read_orders_frames(renamed) is not None
    with engine.connect() as connection:
        largest = connection.exec_driver_sql("SELECT MAX(id) FROM orders").scalar_one()
    # when: it is imported
    report = import_file(
        engine, kind=ImportKind.SHOPIFY_ORDERS, path=renamed, settings=settings, now=NOW
    )
    # then: every order is new, numbered on from the largest id, and every line item and
    # payment reference belongs to the order the file gives it
    rows = list(csv.DictReader(renamed.open(encoding="utf-8")))
    count = len({row["Name"] for row in rows})
    assert (report.created, report.updated, report.unchanged) == (count, 0, 0)
    new = "o.name LIKE '#N%'"
    with engine.connect() as connection:
        ids = connection.execute(text(f"SELECT MIN(id), MAX(id) FROM orders o WHERE {new}")).one()
        items = connection.execute(
            text(
                "SELECT o.name, i.name, i.quantity FROM line_items i"
                f" JOIN orders o ON o.id = i.order_id WHERE {new}"
            )
        ).all()
        references = connection.execute(
            text(
                "SELECT o.name, r.reference FROM payment_references r"
                f" JOIN orders o ON o.id = r.order_id WHERE {new}"
            )
        ).all()
    assert tuple(ids) == (largest + 1, largest + count)
    assert sorted(map(tuple, items)) == sorted(
        (row["Name"], row["Lineitem name"], int(row["Lineitem quantity"])) for row in rows
    )
    in_file = {(row["Name"], row["Payment Reference"]) for row in rows if row["Payment Reference"]}
    assert set(map(tuple, references)) == in_file
    assert len(references) == len(in_file) > 100


@pytest.mark.parametrize(
    ("column", "value", "line"),
    [
        ("Total", "10000000000000.00", 2),
        ("Lineitem quantity", "3000000000", 4),
        ("Id", "'99999999999999999999", 2),
    ],
)
def test_a_number_too_large_to_store_is_named_not_stored(
    tmp_path: Path, engine: Engine, settings: Settings, *, column: str, value: str, line: int
) -> None:
    # given: an export whose first order has a number no column of the shop can hold
    header, *rows = csv.reader((SHOPIFY / "orders_export.csv").open(encoding="utf-8-sig"))
    first = rows[0] if column != "Lineitem quantity" else rows[1]
    first[header.index(column)] = value
    big = tmp_path / "orders_export_big.csv"
    with big.open("w", encoding="utf-8", newline="") as out:
        csv.writer(out).writerows([header, *rows])
    # when: it is imported; then: refused with its line and column, nothing stored
    assert read_orders_frames(big) is None
    with pytest.raises(EvenhandError) as refused:
        import_file(engine, kind=ImportKind.SHOPIFY_ORDERS, path=big, settings=settings, now=NOW)
    assert f"orders_export_big.csv, line {line}, column '{column}'" in str(refused.value)
    assert "too large" in str(refused.value)
    assert stored(engine)["orders"] == []
