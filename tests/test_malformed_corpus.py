"""Every command that reads a file, given the malformed corpus (tests/fixtures/malformed,
written by its make_corpus.py), in real processes: no traceback, a non-zero exit, the file,
line and field named, and nothing stored."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import FIXTURES

pytestmark = pytest.mark.process

MALFORMED = FIXTURES / "malformed"
COMMANDS: dict[str, tuple[str, ...]] = {
    "orders": ("import", "shopify-orders"),
    "customers": ("import", "shopify-customers"),
    "products": ("import", "shopify-products"),
    "orders-json": ("import", "shopify-orders-json"),
    "disputes": ("import", "disputes"),
    "triage": ("triage",),
    "eval": ("eval",),
    "guide-check": ("guide", "check"),
    "guide-show": ("guide", "show"),
}
# The tables a file's records go to (the audit trail and the guide in force are the run's).
DATA_TABLES = (
    "shop",
    "customers",
    "customer_values",
    "orders",
    "line_items",
    "payment_references",
    "product_costs",
    "disputes",
    "tickets",
    "decisions",
    "reviews",
    "inbox",
    "refunds_seen",
)


@dataclass(frozen=True, slots=True)
class Refusal:
    """What a command must say: its exit code, the error code, and where (or what) it names."""

    exit_code: int
    code: str
    names: tuple[str, ...]


def _bad(line: int, column: str | None = None, *, code: str = "bad_value") -> Refusal:
    where = f"line {line}" + (f", column '{column}'" if column else "")
    return Refusal(5 if code == "currency_mismatch" else 4, code, (where,))


def _cut(line: int) -> Refusal:
    return Refusal(4, "truncated_file", (f"line {line}", "cut off"))


def _ticket(line: int, field: str) -> Refusal:
    """`triage` decides the readable tickets and lists each unreadable one, then exits 2."""
    return Refusal(2, "", (f"line {line}", field))


CASES: dict[str, tuple[str, Refusal]] = {
    "orders/created_at_year_0001.csv": ("orders", _bad(5, "Created at")),
    "orders/created_at_year_9999.csv": ("orders", _bad(5, "Created at")),
    "orders/created_at_1969.csv": ("orders", _bad(5, "Created at")),
    "orders/cancelled_at_2100.csv": ("orders", _bad(5, "Cancelled at")),
    "orders/created_at_arabic_digits.csv": ("orders", _bad(5, "Created at")),
    "orders/total_three_decimals_sek.csv": ("orders", _bad(5, "Total")),
    "orders/later_row_price_three_decimals.csv": ("orders", _bad(7, "Lineitem price")),
    "orders/total_nan.csv": ("orders", _bad(5, "Total")),
    "orders/total_infinity.csv": ("orders", _bad(5, "Total")),
    "orders/total_exponent.csv": ("orders", _bad(5, "Total")),
    "orders/total_arabic_digits.csv": ("orders", _bad(5, "Total")),
    "orders/total_beyond_ceiling.csv": ("orders", _bad(5, "Total")),
    "orders/total_terminal_markup.csv": ("orders", _bad(5, "Total")),
    "orders/quantity_circled_one.csv": ("orders", _bad(5, "Lineitem quantity")),
    "orders/quantity_superscript_two.csv": ("orders", _bad(5, "Lineitem quantity")),
    "orders/quantity_beyond_32_bits.csv": ("orders", _bad(5, "Lineitem quantity")),
    "orders/id_beyond_64_bits.csv": ("orders", _bad(5, "Id")),
    "orders/id_5000_digits.csv": ("orders", _bad(5, "Id")),
    "orders/currency_fullwidth.csv": ("orders", _bad(5, "Currency")),
    "orders/lineitem_name_over_128k.csv": ("orders", _bad(5, "Lineitem name")),
    "orders/cut_mid_row.csv": ("orders", _cut(10)),
    "orders/cut_inside_quotes.csv": ("orders", _cut(2)),
    "orders/stray_quote.csv": ("orders", _bad(6)),
    "orders/empty.csv": ("orders", _bad(1, code="unknown_format")),
    "orders/later_row_total_abc.csv": ("orders", _bad(7, "Total")),
    "orders/later_row_other_currency.csv": (
        "orders",
        _bad(7, "Currency", code="currency_mismatch"),
    ),
    "orders/later_row_other_id.csv": ("orders", _bad(7, "Id", code="conflicting_value")),
    "orders/later_row_other_email.csv": ("orders", _bad(7, "Email", code="conflicting_value")),
    "customers/total_spent_three_decimals.csv": ("customers", _bad(2, "Total Spent")),
    "customers/customer_id_beyond_64_bits.csv": ("customers", _bad(2, "Customer ID")),
    "customers/total_orders_arabic_digits.csv": ("customers", _bad(2, "Total Orders")),
    "customers/note_over_128k.csv": ("customers", _bad(2, "Note")),
    "customers/cut_mid_row.csv": ("customers", _cut(3)),
    "customers/extra_cells.csv": ("customers", _bad(2)),
    "products/cost_three_decimals.csv": ("products", _bad(2, "Cost per item")),
    "products/cost_nan.csv": ("products", _bad(2, "Cost per item")),
    "products/cost_arabic_digits.csv": ("products", _bad(2, "Cost per item")),
    "products/sku_over_128k.csv": ("products", _bad(2, "Variant SKU")),
    "products/cut_mid_row.csv": ("products", _cut(3)),
    "orders_json/created_at_year_0001.json": ("orders-json", _bad(4, "orders[0].created_at")),
    "orders_json/total_three_decimals_sek.json": ("orders-json", _bad(4, "orders[0].total_price")),
    "orders_json/total_nan_literal.json": ("orders-json", Refusal(4, "bad_value", ("NaN",))),
    "orders_json/total_float_overflow.json": ("orders-json", Refusal(4, "bad_value", ("1e400",))),
    "orders_json/id_2_pow_70.json": ("orders-json", _bad(4, "orders[0].id")),
    "orders_json/id_5000_digits.json": ("orders-json", Refusal(4, "bad_value", ("4,300 digits",))),
    "orders_json/name_lone_surrogate.json": ("orders-json", _bad(4, "orders[0].name")),
    "orders_json/tags_nul.json": ("orders-json", _bad(4, "orders[0].tags")),
    "orders_json/nested_deep.json": ("orders-json", Refusal(4, "bad_value", ("nested",))),
    "orders_json/line_items_not_a_list.json": ("orders-json", _bad(4, "orders[0].line_items")),
    "orders_json/refunds_not_objects.json": ("orders-json", _bad(4, "orders[0].refunds[0]")),
    "orders_json/billing_address_a_list.json": (
        "orders-json",
        _bad(4, "orders[0].billing_address"),
    ),
    "orders_json/discount_allocation_abc.json": (
        "orders-json",
        _bad(4, "orders[0].line_items[0].discount_allocations[0].amount"),
    ),
    "disputes/stripe_created_2_pow_40.json": ("disputes", _bad(5, "created")),
    "disputes/stripe_due_by_year_9999.json": ("disputes", _bad(5, "evidence_details.due_by")),
    "disputes/stripe_amount_2_pow_70.json": ("disputes", _bad(5, "amount")),
    "disputes/stripe_metadata_order_id_circled.json": ("disputes", _bad(5, "metadata.order_id")),
    "disputes/stripe_metadata_a_list.json": ("disputes", _bad(5, "metadata")),
    "disputes/stripe_card_a_string.json": ("disputes", _bad(5, "payment_method_details")),
    "disputes/stripe_isk_amount_with_decimals.json": ("disputes", _bad(5, "amount")),
    "disputes/stripe_reason_lone_surrogate.json": ("disputes", _bad(5, "reason")),
    "disputes/stripe_event_data_a_list.json": (
        "disputes",
        Refusal(4, "bad_value", ("column 'data.object'",)),
    ),
    "disputes/shopify_amount_three_decimals.json": ("disputes", _bad(4, "amount")),
    "disputes/shopify_initiated_year_0001.json": ("disputes", _bad(4, "initiated_at")),
    "disputes/shopify_order_id_superscript.json": ("disputes", _bad(4, "order_id")),
    "disputes/nested_deep.json": ("disputes", Refusal(4, "bad_value", ("nested",))),
    "disputes/int_5000_digits.json": ("disputes", Refusal(4, "bad_value", ("4,300 digits",))),
    "tickets/created_at_year_0001.jsonl": ("triage", _ticket(1, "created_at")),
    "tickets/created_at_year_9999.jsonl": ("triage", _ticket(1, "created_at")),
    "tickets/body_lone_surrogate.jsonl": ("triage", _ticket(1, "body")),
    "tickets/body_nul.jsonl": ("triage", _ticket(1, "body")),
    "tickets/body_over_128k.jsonl": ("triage", _ticket(1, "body")),
    "tickets/id_2_pow_70.jsonl": ("triage", _ticket(1, "id")),
    "tickets/id_5000_digits.jsonl": ("triage", _ticket(1, "4,300 digits")),
    "tickets/nested_deep.jsonl": ("triage", _ticket(1, "nested")),
    "tickets/nan.jsonl": ("triage", _ticket(1, "NaN")),
    "tickets/id_terminal_markup.jsonl": ("triage", _ticket(1, "[/x] (line 1)")),
    "tickets/zendesk_requester_id_a_list.json": ("triage", _ticket(3, "requester.email")),
    "tickets/zendesk_user_id_a_list.json": ("triage", _ticket(3, "requester.email")),
    "tickets/gorgias_messages_not_objects.json": ("triage", _ticket(1, "messages")),
    "eval/not_an_object.jsonl": ("eval", _bad(1)),
    "eval/body_lone_surrogate.jsonl": ("eval", Refusal(4, "bad_value", ("line 1", "body"))),
    "eval/body_a_number.jsonl": ("eval", Refusal(4, "bad_value", ("line 1", "body"))),
    "eval/intent_missing.jsonl": ("eval", Refusal(4, "bad_value", ("line 1", "intent"))),
    "eval/nested_deep.jsonl": ("eval", Refusal(4, "bad_value", ("line 1", "nested"))),
    "eval/nan.jsonl": ("eval", Refusal(4, "bad_value", ("line 1", "NaN"))),
}
for _name, _line, _why in (
    ("shop_name_lone_surrogate.yaml", 21, "escape"),
    ("nested_deep.yaml", 1, "nested"),
    ("a_list.yaml", 1, "a guide is a mapping"),
    ("vip_threshold_nan.yaml", 17, "the VIP threshold is an amount of money"),
    ("not_yaml.yaml", 2, "not valid YAML"),
):
    for _command in ("guide-check", "guide-show"):
        CASES[f"guide/{_name} {_command}"] = (
            _command,
            Refusal(4, "bad_guide", (f"line {_line}", _why)),
        )

# Files in another encoding, or not text, with what the refusal calls them. The first five
# go to every command that reads a file; the others to the commands of their kind.
ENCODINGS: dict[str, tuple[str, tuple[str, ...]]] = {
    "encoding/orders_latin1.csv": ("Latin-1", tuple(COMMANDS)),
    "encoding/orders_cp1252.csv": ("Windows-1252", tuple(COMMANDS)),
    "encoding/orders_utf16_bom.csv": ("UTF-16", tuple(COMMANDS)),
    "encoding/orders_utf16le_no_bom.csv": ("UTF-16 (little-endian)", tuple(COMMANDS)),
    "encoding/binary.bin": ("not a text file", tuple(COMMANDS)),
    "encoding/orders_utf16be_bom.csv": ("UTF-16", ("orders",)),
    "encoding/orders_utf32.csv": ("UTF-32", ("orders",)),
    "encoding/orders_nul_on_line_5.csv": ("line 5: not a text file", ("orders",)),
    "encoding/orders.xlsx": ("Excel workbook", ("orders", "customers", "products")),
    "encoding/orders.csv.gz": ("gzip", ("orders",)),
    "encoding/tickets_latin1.jsonl": ("Latin-1", ("triage", "eval")),
    "encoding/guide_cp1252.yaml": ("Windows-1252", ("guide-check", "guide-show")),
}
for _file, (_called, _commands) in ENCODINGS.items():
    for _command in _commands:
        CASES[f"{_file} {_command}"] = (_command, Refusal(4, "bad_encoding", (_called, "UTF-8")))


@dataclass(frozen=True, slots=True)
class Run:
    exit_code: int
    stdout: str
    stderr: str
    stored: dict[str, int]


def _file_of(case: str) -> Path:
    return MALFORMED / case.split(" ", maxsplit=1)[0]


def _counts(database: Path) -> dict[str, int]:
    with closing(sqlite3.connect(database)) as connection:
        return {
            table: connection.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
            for table in DATA_TABLES
        }


def _environment(folder: Path) -> dict[str, str]:
    kept = {k: v for k, v in os.environ.items() if not k.startswith("EVENHAND_")}
    return kept | {"EVENHAND_SETTINGS": str(folder / "evenhand.toml")}


def _evenhand(folder: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "evenhand", *args],
        cwd=folder,
        env=_environment(folder),
        capture_output=True,
        text=True,
        encoding="utf-8",
        errors="backslashreplace",
        timeout=300,
        check=False,
    )


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Run]]:
    """Each case run once, two processes at a time, each on a copy of a shop whose currency
    is known (SEK) and which holds nothing yet."""
    template = tmp_path_factory.mktemp("shop")
    made = _evenhand(template, "init", "--currency", "SEK")
    assert made.returncode == 0, made.stderr
    before = _counts(template / "evenhand.sqlite3")
    assert sum(before.values()) == 1  # the shop's row

    def run(numbered: tuple[int, str]) -> tuple[str, Run]:
        number, case = numbered
        folder = template.parent / f"run-{number}"
        folder.mkdir()
        for name in ("evenhand.sqlite3", "evenhand.toml"):
            shutil.copy(template / name, folder / name)
        command, _ = CASES[case]
        result = _evenhand(folder, *COMMANDS[command], str(_file_of(case)))
        stored = _counts(folder / "evenhand.sqlite3")
        return case, Run(result.returncode, result.stdout, result.stderr, stored)

    with ThreadPoolExecutor(max_workers=2) as pool:
        done = dict(pool.map(run, enumerate(CASES)))
    yield done | {"(before)": Run(0, "", "", before)}


def test_the_corpus_holds_every_file_and_every_file_is_a_case() -> None:
    # given: the files of the corpus; then: each is a case, and each case has its file
    files = {
        str(path.relative_to(MALFORMED))
        for path in MALFORMED.rglob("*")
        if path.is_file() and path.suffix != ".py"
    }
    assert files == {case.split(" ")[0] for case in CASES}


@pytest.mark.parametrize("case", list(CASES))
def test_a_malformed_file_is_refused_by_file_line_and_field_with_nothing_stored(
    case: str, runs: dict[str, Run]
) -> None:
    # given: a malformed file; when: the command reads it (a real process)
    command, refusal = CASES[case]
    run = runs[case]
    said = (run.stderr + run.stdout).replace("\n", " ")
    # then: no traceback, the exit code and error code of the refusal
    assert "Traceback" not in said, said
    assert run.exit_code == refusal.exit_code, said
    if refusal.code:
        assert f"({refusal.code})" in run.stderr, said
    # and the file, and where in it (or what is wrong), are named
    assert _file_of(case).name in said, said
    for name in refusal.names:
        assert name in said, said
    # and nothing of the file is stored
    assert run.stored == runs["(before)"].stored, command
