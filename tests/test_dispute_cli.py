"""`evenhand disputes` as a user runs it: a real process over the fixture shop."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import FIXTURES
from tests.test_cli import evenhand

pytestmark = pytest.mark.process


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp_path = tmp_path_factory.mktemp("desk")
    for args in (
        ["init"],
        ["import", "shopify-orders", str(FIXTURES / "shopify" / "orders_export.csv")],
        ["import", "disputes", str(FIXTURES / "shopify" / "disputes.json")],
        ["import", "disputes", str(FIXTURES / "stripe" / "disputes_list.json")],
    ):
        done = evenhand(*args, cwd=tmp_path)
        assert done.returncode == 0, done.stderr
    return tmp_path


def test_disputes_most_urgent_first_as_json(shop: Path) -> None:
    result = evenhand("disputes", "--json", cwd=shop)
    assert result.returncode == 0, result.stderr
    shown = json.loads(result.stdout)
    assert [d["external_id"] for d in shown] == ["du_1QFixtureAnna0004", "90011", "90013"]
    first = shown[0]
    assert (first["order_name"], first["customer_email"], first["amount"]) == (
        "#1004",
        "anna.svensson@example.se",
        "548.00",
    )
    assert (first["reason"], first["network_reason_code"], first["status"]) == (
        "product_unacceptable",
        "13.3",
        "needs_response",
    )
    assert first["evidence_due_by"] == "2025-12-06T05:46:40Z"
    assert first["urgency"] == "overdue"  # long past, whenever the test runs


def test_disputes_as_a_table_mark_the_overdue(shop: Path) -> None:
    result = evenhand("disputes", "--due-within", "7", cwd=shop)
    assert result.returncode == 0, result.stderr
    assert "OVERDUE" in result.stdout and "548.00 SEK" in result.stdout
    assert "due within 7 days" in result.stdout


def test_a_negative_window_is_refused(shop: Path) -> None:
    result = evenhand("disputes", "--due-within", "-1", cwd=shop)
    assert result.returncode == 2 and "--due-within" in result.stderr
