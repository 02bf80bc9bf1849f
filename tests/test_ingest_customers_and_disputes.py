"""Reading the customers export (both header generations) and Shopify/Stripe disputes."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from evenhand.domain.models import DisputeProvider
from evenhand.errors import EvenhandError, InputError
from evenhand.ingest.disputes import read_disputes
from evenhand.ingest.shopify_customers_csv import read_shopify_customers_csv
from tests.conftest import FIXTURES


def test_current_customers_export() -> None:
    parsed = read_shopify_customers_csv(FIXTURES / "shopify" / "customers_export.csv")
    by_email = {customer.email: customer for customer in parsed.records}
    anna = by_email["anna.svensson@example.se"]
    assert anna.shopify_id == 7210448301122 and anna.phone == "+46701234567"
    assert anna.tags == ("Prenumerant", "VIP") and anna.accepts_email_marketing is True
    assert anna.shopify_total_spent == Decimal("2146.50") and anna.shopify_total_orders == 2
    assert "erik.larsson@example.com" in by_email  # e-mail lower-cased
    # A customer without an e-mail cannot be matched to orders: passed over, not an error.
    assert [r.line for r in parsed.passed_over] == [5]


def test_legacy_customers_export() -> None:
    parsed = read_shopify_customers_csv(FIXTURES / "shopify" / "customers_export_legacy.csv")
    anna, oskar = parsed.records
    assert (anna.last_name, anna.note, anna.shopify_id) == ("Svensson-Berg", "Nytt efternamn", None)
    assert oskar.email == "oskar.ek@example.net" and oskar.accepts_email_marketing is True


def test_shopify_payments_disputes() -> None:
    parsed = read_disputes(FIXTURES / "shopify" / "disputes.json")
    first = parsed.records[0]
    assert first.provider is DisputeProvider.SHOPIFY and first.external_id == "90011"
    assert (first.order_shopify_id, first.status, first.amount) == (
        5810000013026,
        "needs_response",
        Decimal("1847.70"),
    )
    assert first.initiated_at == datetime(2026, 5, 30, 6, tzinfo=UTC) and first.is_open


def test_stripe_list_of_disputes_converts_minor_units() -> None:
    [dispute] = read_disputes(FIXTURES / "stripe" / "disputes_list.json").records
    assert dispute.provider is DisputeProvider.STRIPE
    assert (dispute.amount, dispute.currency) == (Decimal("548.00"), "SEK")
    assert dispute.payment_references == ("pi_3QFixtureAnna0004", "ch_3QFixtureAnna0004")
    assert (dispute.kind, dispute.network_reason_code) == ("chargeback", "13.3")


def test_stripe_event_lines_keep_each_state_and_skip_other_events() -> None:
    parsed = read_disputes(FIXTURES / "stripe" / "dispute_events.jsonl")
    assert [d.status for d in parsed.records] == ["won", "needs_response"]
    assert parsed.records[0].order_name == "#1005"
    assert parsed.records[0].observed_at == datetime.fromtimestamp(1764500000, tz=UTC)
    assert [r.record for r in parsed.passed_over] == ["evt_1QFixture0002"]


def test_a_dispute_without_status_is_refused_with_its_line() -> None:
    path = FIXTURES / "stripe" / "dispute_without_status.json"
    with pytest.raises(EvenhandError) as raised:
        read_disputes(path)
    assert raised.value.code is InputError.MISSING_VALUE
    assert "line 7" in str(raised.value) and "'status'" in str(raised.value)


def test_a_json_file_of_something_else_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "tickets.json"
    path.write_text('{"tickets": []}', encoding="utf-8")
    with pytest.raises(EvenhandError) as raised:
        read_disputes(path)
    assert raised.value.code is InputError.UNKNOWN_FORMAT


def test_broken_json_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "disputes.json"
    path.write_text('{"disputes": [\n  {"id": 1,\n  "status": }\n]}', encoding="utf-8")
    with pytest.raises(EvenhandError) as raised:
        read_disputes(path)
    assert "line 3" in str(raised.value)
