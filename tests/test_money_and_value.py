"""Money arithmetic and what each order contributes to customer value."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from evenhand.domain.money import Money, MoneyError, from_minor, parse_amount, to_minor
from evenhand.domain.value import CustomerValue, Exclusion, LtvMetric, order_figures
from evenhand.errors import (
    EXIT_CODES,
    HTTP_STATUSES,
    AccessError,
    InputError,
    LookupFailure,
    SettingsError,
    SetupError,
    StoreError,
)
from tests.factories import a_line_item, an_order


def test_amounts_convert_to_minor_units_exactly_per_currency() -> None:
    assert to_minor(Decimal("1847.70"), "SEK") == 184770
    assert to_minor(Decimal("1200"), "JPY") == 1200
    assert to_minor(Decimal("1.234"), "KWD") == 1234
    assert from_minor(184770, "SEK") == Decimal("1847.70")


def test_sub_minor_precision_is_refused_not_rounded() -> None:
    with pytest.raises(MoneyError, match="more decimals than SEK"):
        to_minor(Decimal("0.005"), "SEK")


@pytest.mark.parametrize("text", ["1,00", "abc", "NaN", "Infinity", ""])
def test_non_amounts_are_refused(text: str) -> None:
    with pytest.raises(MoneyError):
        parse_amount(text)


def test_apostrophe_prefixed_numbers_parse() -> None:
    assert parse_amount("'12.50") == Decimal("12.50")


def test_money_refuses_to_mix_currencies() -> None:
    with pytest.raises(MoneyError, match="cannot mix SEK and EUR"):
        _ = Money(Decimal(1), "SEK") + Money(Decimal(1), "EUR")


@pytest.mark.parametrize(
    ("overrides", "exclusion"),
    [
        ({"cancelled_at": datetime(2026, 11, 2, tzinfo=UTC)}, Exclusion.CANCELLED),
        ({"test": True}, Exclusion.TEST),
        ({"financial_status": "voided"}, Exclusion.UNPAID),
        ({"financial_status": "pending"}, Exclusion.UNPAID),
        ({"financial_status": "partially_refunded"}, None),
    ],
)
def test_which_orders_count(overrides: dict[str, object], exclusion: Exclusion | None) -> None:
    assert order_figures(an_order(**overrides)).exclusion == exclusion


def test_a_refunded_order_without_an_amount_counts_as_fully_refunded() -> None:
    figures = order_figures(an_order(financial_status="refunded", total=Decimal("278.00")))
    assert (figures.gross, figures.refunded) == (27800, 27800)


def test_outstanding_balance_is_not_yet_gross_sales() -> None:
    order = an_order(
        financial_status="partially_paid", total=Decimal("500.00"), outstanding=Decimal("200.00")
    )
    assert order_figures(order).gross == 30000


def test_known_costs_and_uncosted_revenue_are_kept_apart() -> None:
    items = (
        a_line_item(unit_cost=Decimal("100.00"), quantity=2),
        a_line_item(unit_price=Decimal("249.00"), discount=Decimal("24.90")),
    )
    figures = order_figures(an_order(line_items=items))
    assert (figures.cost_known, figures.uncosted) == (20000, 22410)


def test_ltv_follows_the_chosen_metric() -> None:
    value = CustomerValue(
        currency="SEK",
        orders=2,
        gross_sales=Money(Decimal("1000"), "SEK"),
        refunds=Money(Decimal("100"), "SEK"),
        gross_margin=Money(Decimal("300"), "SEK"),
        first_order_at=None,
        last_order_at=None,
        open_disputes=0,
    )
    assert value.ltv(LtvMetric.NET_REVENUE).amount == Decimal("900")
    assert value.ltv(LtvMetric.GROSS_MARGIN).amount == Decimal("300")
    assert value.average_order_value.amount == Decimal("500")


def test_every_error_code_has_an_exit_code_and_an_http_status() -> None:
    codes = [*InputError, *StoreError, *LookupFailure, *SettingsError, *AccessError, *SetupError]
    assert sorted(map(str, EXIT_CODES)) == sorted(map(str, codes))
    assert sorted(map(str, HTTP_STATUSES)) == sorted(map(str, codes))
    assert all(EXIT_CODES[code] > 2 for code in codes)  # 1 and 2 stay Python's and Typer's
    assert all(400 <= HTTP_STATUSES[code] < 600 for code in codes)
