"""Reading the Shopify orders export (CSV) and REST order objects (JSON)."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from evenhand.errors import EvenhandError, InputError
from evenhand.ingest.shopify_orders_csv import read_shopify_orders_csv
from evenhand.ingest.shopify_orders_json import read_shopify_orders_json
from tests.conftest import FIXTURES

SHOPIFY = FIXTURES / "shopify"


def test_continuation_rows_join_their_order_by_name() -> None:
    # Given the export with a BOM, a two-line quoted note and continuation rows
    parsed = read_shopify_orders_csv(SHOPIFY / "orders_export.csv")
    # Then each order has all of its line items
    by_name = {order.name: order for order in parsed.records}
    assert sorted(by_name) == ["#1000", "#1001", "#1002", "#1003", "#1004"]
    assert [item.sku for item in by_name["#1002"].line_items] == [
        "MUGG-NATT-35",
        "ULL-FILT-FJALL",
        None,
    ]
    assert by_name["#1002"].line_items[0].quantity == 2
    assert by_name["#1002"].line_items[1].discount == Decimal("119.50")


def test_order_columns_are_read_with_their_real_quirks() -> None:
    order = {o.name: o for o in read_shopify_orders_csv(SHOPIFY / "orders_export.csv").records}
    anna = order["#1004"]
    assert anna.email == "anna.svensson@example.se"  # lower-cased for matching
    assert anna.shopify_id == 5810000013052  # apostrophe prefix stripped
    assert anna.created_at == datetime(2026, 11, 3, 8, 15, tzinfo=UTC)  # +0100 -> UTC
    assert (anna.total, anna.refunded) == (Decimal("548.00"), Decimal("249.00"))
    assert anna.payment_references == ("pi_3QFixtureAnna0004",)
    assert order["#1003"].cancelled_at == datetime(2026, 10, 20, 17, 30, tzinfo=UTC)  # +0200
    assert order["#1001"].test  # Shopify's Bogus gateway


def test_line_numbers_count_physical_lines_of_multi_line_cells() -> None:
    parsed = read_shopify_orders_csv(SHOPIFY / "orders_export.csv")
    lines = {order.name: order.line for order in parsed.records}
    assert lines["#1004"] == 2 and lines["#1003"] == 5  # #1004's note spans lines 2-3


def test_an_older_header_generation_maps_by_name() -> None:
    parsed = read_shopify_orders_csv(SHOPIFY / "orders_export_older_header.csv")
    assert {o.name: o.refunded for o in parsed.records} == {
        "#1005": Decimal("0"),
        "#1004": Decimal("548.00"),
    }


def test_a_bad_amount_names_file_line_and_column() -> None:
    path = SHOPIFY / "orders_bad_total.csv"
    with pytest.raises(EvenhandError) as raised:
        read_shopify_orders_csv(path)
    assert raised.value.code is InputError.BAD_VALUE
    message = str(raised.value)
    assert str(path) in message and "line 5" in message and "'Total'" in message
    assert "22,8O" in message


def test_skip_invalid_keeps_the_good_orders_and_lists_the_bad() -> None:
    parsed = read_shopify_orders_csv(SHOPIFY / "orders_bad_total.csv", skip_invalid=True)
    assert [o.name for o in parsed.records] == ["#1004"]
    [rejection] = parsed.rejections
    assert (rejection.record, rejection.line, rejection.column) == ("#1003", 5, "Total")


def test_a_continuation_row_whose_order_never_started_is_refused() -> None:
    with pytest.raises(EvenhandError) as raised:
        read_shopify_orders_csv(SHOPIFY / "orders_orphan_continuation.csv")
    assert raised.value.code is InputError.ORPHAN_CONTINUATION
    assert "line 3" in str(raised.value) and "#0999" in str(raised.value)


def test_a_file_that_is_not_an_orders_export_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "customers.csv"
    path.write_text("First Name,Last Name,Email\nA,B,a@example.se\n", encoding="utf-8")
    with pytest.raises(EvenhandError) as raised:
        read_shopify_orders_csv(path)
    assert raised.value.code is InputError.MISSING_COLUMN and "line 1" in str(raised.value)


@pytest.mark.parametrize(
    ("header", "said"),
    [
        # without the customer's e-mail no order is anyone's: refused, not imported silently
        ("Name,Created at,Currency,Total,Lineitem quantity,Lineitem price", "missing Email"),
        # a spreadsheet's semicolons: the reason is named
        ("Name;Email;Created at;Currency;Total;Lineitem quantity;Lineitem price", "by ';'"),
    ],
)
def test_an_orders_file_missing_a_needed_column_says_which_and_why(
    tmp_path: Path, header: str, said: str
) -> None:
    path = tmp_path / "orders_export.csv"
    path.write_text(f"{header}\n", encoding="utf-8")
    with pytest.raises(EvenhandError) as raised:
        read_shopify_orders_csv(path)
    assert raised.value.code is InputError.MISSING_COLUMN and said in str(raised.value)


def test_rest_orders_sum_successful_refund_transactions() -> None:
    parsed = read_shopify_orders_json(SHOPIFY / "orders.json")
    by_name = {order.name: order for order in parsed.records}
    lena = by_name["#1006"]
    assert lena.refunded == Decimal("178.00")  # the failed transaction does not count
    assert (lena.shipping, lena.total) == (Decimal("49.00"), Decimal("676.00"))
    assert [item.sku for item in lena.line_items] == ["BRICKA-EK", "MUGG-SAND-35"]
    assert lena.fulfilled_at == datetime(2026, 11, 13, 9, tzinfo=UTC)
    assert by_name["#1007"].test


def test_rest_order_errors_name_the_field_and_line(tmp_path: Path) -> None:
    path = tmp_path / "orders.json"
    path.write_text(
        '{"orders": [\n {"id": 7, "name": "#7", "currency": "SEK",\n'
        '  "created_at": "2026-11-01T10:00:00+01:00", "total_price": "abc",\n'
        '  "line_items": []}\n]}\n',
        encoding="utf-8",
    )
    with pytest.raises(EvenhandError) as raised:
        read_shopify_orders_json(path)
    assert "line 2" in str(raised.value) and "total_price" in str(raised.value)


def _rest_order_with(fulfilments: list[str]) -> str:
    return (
        '{"orders": [{"id": 8, "name": "#8", "currency": "SEK", "total_price": "100.00",\n'
        '  "created_at": "2026-11-01T10:00:00+01:00", "line_items": [],\n'
        f'  "fulfillments": [{", ".join(fulfilments)}]}}]}}\n'
    )


@pytest.mark.parametrize(
    ("fulfilments", "delivered_at"),
    [
        (
            [
                '{"status": "success", "created_at": "2026-11-02T09:00:00+01:00", '
                '"updated_at": "2026-11-04T15:30:00+01:00", "shipment_status": "delivered"}'
            ],
            datetime(2026, 11, 4, 14, 30, tzinfo=UTC),
        ),
        (
            [
                '{"status": "success", "created_at": "2026-11-02T09:00:00+01:00", '
                '"updated_at": "2026-11-04T15:30:00+01:00", "shipment_status": "delivered"}',
                '{"status": "success", "created_at": "2026-11-03T09:00:00+01:00", '
                '"updated_at": "2026-11-03T09:00:00+01:00", "shipment_status": "in_transit"}',
            ],
            None,  # the last parcel is still on its way: not delivered yet
        ),
        (
            [
                '{"status": "cancelled", "created_at": "2026-11-02T09:00:00+01:00"}',
                '{"status": "success", "created_at": "2026-11-03T09:00:00+01:00", '
                '"delivered_at": "2026-11-05T10:00:00Z", "shipment_status": "delivered"}',
            ],
            datetime(2026, 11, 5, 10, tzinfo=UTC),
        ),
        ([], None),
    ],
)
def test_a_rest_order_is_delivered_when_the_carrier_delivered_every_parcel(
    tmp_path: Path, fulfilments: list[str], delivered_at: datetime | None
) -> None:
    path = tmp_path / "orders.json"
    path.write_text(_rest_order_with(fulfilments), encoding="utf-8")
    (order,) = read_shopify_orders_json(path).records
    assert order.delivered_at == delivered_at
