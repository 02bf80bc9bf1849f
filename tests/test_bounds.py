"""Bounds at every edge: each value a parser takes is one the rest of Evenhand can hold
(times, whole numbers, amounts, texts, files), and anything else is refused with a reason."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from evenhand.domain.money import MoneyError, parse_amount
from evenhand.errors import EvenhandError, InputError
from evenhand.ingest import cells
from evenhand.ingest.cells import CellError
from evenhand.ingest.disputes import read_disputes
from evenhand.ingest.json_source import JsonError, parse_json
from evenhand.ingest.shopify_orders_csv import read_shopify_orders_csv
from evenhand.ingest.shopify_orders_frame import read_orders_frames
from evenhand.ingest.text_file import read_text
from evenhand.ingest.tickets import TicketIn, TicketProblem, parse_tickets
from evenhand.ingest.webhook_payloads import PayloadError, Source, parse_payload
from tests.conftest import FIXTURES

ORDERS = (FIXTURES / "shopify" / "orders_export.csv").read_text(encoding="utf-8-sig")
WEBHOOKS = FIXTURES / "webhooks"


# --- times -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "written",
    [
        "0001-01-01 00:00:00 +0100",  # an hour before Python's calendar starts
        "9999-12-31T23:59:59-01:00",  # an hour after it ends
        "1969-12-31T23:59:59Z",
        "2100-01-01T00:00:00Z",
    ],
)
def test_a_time_outside_1970_to_2100_is_refused_with_its_field(written: str) -> None:
    # given: a time no order, dispute or ticket has; when: read; then: refused, not a crash
    with pytest.raises(CellError) as raised:
        cells.timestamp(written, "Created at")
    assert raised.value.column == "Created at" and "outside the times" in raised.value.reason


def test_the_ends_of_the_range_are_times_like_any_other() -> None:
    # given: the first and the last moment accepted, with offsets; then: read in UTC
    assert cells.timestamp("1970-01-01 01:00:00 +0100", "t") == datetime(1970, 1, 1, tzinfo=UTC)
    last = cells.timestamp("2099-12-31T23:59:59Z", "t")
    assert last == datetime(2099, 12, 31, 23, 59, 59, tzinfo=UTC)


@pytest.mark.parametrize("seconds", [2**70, 2**40, -1, True])
def test_a_unix_timestamp_outside_the_range_is_refused(seconds: int) -> None:
    # given: Stripe's seconds since the epoch beyond the range (2**70 overflowed before)
    with pytest.raises(CellError):
        cells.unix_timestamp(seconds, "created")


# --- whole numbers and amounts ------------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "reason"),
    [
        ("①", "not a whole number"),  # passes str.isdigit(), fails int()
        ("²", "not a whole number"),
        ("١٢٣", "not a whole number"),  # int() would take it as 123
        ("9223372036854775808", "too large"),  # 2**63: one past a BIGINT
        ("9" * 5000, "too large"),  # past int()'s 4,300-digit limit
    ],
)
def test_a_whole_number_is_ascii_digits_within_64_bits(written: str, reason: str) -> None:
    with pytest.raises(CellError) as raised:
        cells.whole_number(written, "Id")
    assert reason in raised.value.reason
    assert len(raised.value.reason) < 200  # a 5000-digit cell is quoted by a short prefix


def test_shopifys_apostrophe_prefixed_ids_still_read() -> None:
    assert cells.whole_number("'7210448301122", "Customer ID") == 7210448301122


@pytest.mark.parametrize("written", ["NaN", "Infinity", "-inf", "1e3", "1_000", "١٢٣", "2,5"])
def test_an_amount_is_a_plain_ascii_decimal(written: str) -> None:
    # given: what Decimal() alone would take (NaN, Infinity, exponents, other scripts' digits)
    with pytest.raises(MoneyError):
        parse_amount(written)


@pytest.mark.parametrize(
    ("written", "currency", "refused"),
    [
        ("548.001", "SEK", True),
        ("548.00", "SEK", False),
        ("1.5", "JPY", True),
        ("249.00", "JPY", False),  # written with zero decimals, but whole
        ("1.500", "KWD", False),  # three decimals are fils
    ],
)
def test_an_amount_has_no_more_decimals_than_its_currency(
    written: str, currency: str, refused: bool
) -> None:
    if refused:
        with pytest.raises(CellError, match=f"more decimals than {currency}"):
            cells.amount(written, "Total", currency=currency)
    else:
        assert cells.amount(written, "Total", currency=currency) == Decimal(written)


# --- texts and JSON ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "field", "reason"),
    [
        ({"a": [{"b": "x\ud800"}]}, "a[0].b", "lone surrogate"),
        ({"a": {"\udfff": 1}}, "a", "lone surrogate"),  # a key is text too
        ({"body": "hi\x00"}, "body", "NUL"),
        ({"body": "x" * (cells.CELL_LIMIT + 1)}, "body", "more than the limit"),
        ({"id": 2**63}, "id", "too large"),
        ({"deep": json.loads("[" * 40 + "]" * 40)}, "deep" + "[0]" * 31, "nested"),
    ],
)
def test_a_json_value_holds_only_what_can_be_stored(value: object, field: str, reason: str) -> None:
    with pytest.raises(CellError) as raised:
        cells.check_json(value)
    assert raised.value.column == field and reason in raised.value.reason


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ('{"a": NaN}', "NaN is not a JSON number"),
        ('{"a": Infinity}', "Infinity is not a JSON number"),
        ('{"a": 1e400}', "too large"),
        ('{"a": ' + "9" * 5000 + "}", "4,300 digits"),
        ("[" * 100_000 + "]" * 100_000, "nested too deeply"),
    ],
)
def test_json_that_json_loads_would_take_or_crash_on_is_refused(text: str, reason: str) -> None:
    with pytest.raises(JsonError) as raised:
        parse_json(text)
    assert reason in raised.value.reason


# --- files -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "named"),
    [
        ("Name,Note\n#1,Grå\n".encode("latin-1"), "line 2: not UTF-8: the file looks like Latin-1"),
        ("Name,Note\n#1,Grå \u2013 ok\n".encode("cp1252"), "Windows-1252 (cp1252)"),
        ("Name,Note\n".encode("utf-16"), "UTF-16 text (it starts with a UTF-16 byte-order mark)"),
        ("Name,Note\n#1,x\n".encode("utf-16-le"), "UTF-16 (little-endian) text without"),
        (b"\x00\x01\x02\x03binary", "not a text file"),
    ],
)
def test_a_file_in_another_encoding_is_refused_with_its_likely_encoding(
    tmp_path: Path, data: bytes, named: str
) -> None:
    # given: a file as Excel or Windows may save it; when: read; then: named, with the fix
    path = tmp_path / "orders.csv"
    path.write_bytes(data)
    with pytest.raises(EvenhandError) as raised:
        read_text(path)
    assert raised.value.code is InputError.BAD_ENCODING
    assert named in str(raised.value) and "save it as UTF-8" in str(raised.value)


def test_a_bad_byte_far_into_an_export_is_found_by_its_line(tmp_path: Path) -> None:
    # given: an orders export whose first 200 orders are UTF-8 and the next has Latin-1
    header, first = ORDERS.split("\n")[0], "\n".join(ORDERS.split("\n")[4:5])
    body = "".join(first.replace("#1003", f"#{n}") + "\n" for n in range(2000, 2200))
    path = tmp_path / "orders.csv"
    path.write_bytes((header + "\n" + body).encode() + "#3000,Grå\n".encode("latin-1"))
    # when: read (streamed: the row reader's path)
    with pytest.raises(EvenhandError) as raised:
        read_shopify_orders_csv(path)
    # then: the line of the first byte that is not UTF-8
    assert raised.value.code is InputError.BAD_ENCODING and "line 202" in str(raised.value)


def test_a_nul_byte_past_the_head_of_a_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "orders.csv"
    path.write_bytes(ORDERS.encode() + b"x" * 100_000 + b"\x00\n")
    with pytest.raises(EvenhandError) as raised:
        read_orders_frames(path)
    assert raised.value.code is InputError.BAD_ENCODING and "line 11" in str(raised.value)


# --- the orders export: cut files and an order's later rows --------------------------------


def _export(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "orders.csv"
    path.write_text(text, encoding="utf-8")
    return path


def test_an_export_cut_mid_row_is_refused_by_both_readers(tmp_path: Path) -> None:
    # given: a download cut in the middle of its last row (#1000)
    path = _export(tmp_path, ORDERS[: ORDERS.rindex("c99999999999999.1")])
    # then: the columnar reader hands it back, and the row reader refuses it by its line
    assert read_orders_frames(path) is None
    with pytest.raises(EvenhandError) as raised:
        read_shopify_orders_csv(path)
    assert raised.value.code is InputError.TRUNCATED_FILE and "line 10" in str(raised.value)


def test_a_last_row_without_a_line_break_is_whole(tmp_path: Path) -> None:
    # given: the export with its final line break removed (an editor's habit)
    path = _export(tmp_path, ORDERS.rstrip("\n"))
    # then: every order is read
    assert len(read_shopify_orders_csv(path).records) == 5


def _later_row(column: str, value: str) -> str:
    """The export with `column` of #1002's second row (line 7) set to `value`."""
    lines = ORDERS.split("\n")
    header = lines[0].split(",")
    cells_of_row = lines[6].split(",")
    cells_of_row[header.index(column)] = value
    lines[6] = ",".join(cells_of_row)
    return "\n".join(lines)


@pytest.mark.parametrize(
    ("column", "value", "code"),
    [
        ("Total", "abc", InputError.BAD_VALUE),
        ("Total", "999.00", InputError.CONFLICTING_VALUE),
        ("Currency", "EUR", InputError.CURRENCY_MISMATCH),
        ("Id", "5810000013000", InputError.CONFLICTING_VALUE),
        ("Email", "someone.else@example.com", InputError.CONFLICTING_VALUE),
        ("Created at", "2026-05-11 12:00:00 +0200", InputError.CONFLICTING_VALUE),
    ],
)
def test_an_order_cell_on_a_later_row_that_disagrees_is_refused_by_both_readers(
    tmp_path: Path, column: str, value: str, code: InputError
) -> None:
    path = _export(tmp_path, _later_row(column, value))
    assert read_orders_frames(path) is None  # the columnar reader hands it back
    with pytest.raises(EvenhandError) as raised:
        read_shopify_orders_csv(path)
    assert raised.value.code is code
    assert f"line 7, column '{column}'" in str(raised.value)


@pytest.mark.parametrize(
    ("column", "value", "columnar"),
    [
        ("Total", "1847.70", True),
        ("Currency", "SEK", True),
        ("Created at", "2026-05-10 12:00:00 +0200", True),
        ("Id", "'5810000013026", False),  # the same id, written another way: read row by row
        ("Total", "1847.7", False),
    ],
)
def test_an_order_cell_repeated_on_a_later_row_is_read_as_before(
    tmp_path: Path, column: str, value: str, columnar: bool
) -> None:
    # given: #1002's later row repeating what its first row says
    path = _export(tmp_path, _later_row(column, value))
    # then: the row reader reads every order; the columnar one when written the same way
    assert len(read_shopify_orders_csv(path).records) == 5
    assert (read_orders_frames(path) is not None) is columnar


def test_the_columnar_reader_hands_back_a_time_outside_the_range(tmp_path: Path) -> None:
    path = _export(
        tmp_path, ORDERS.replace("2026-10-20 18:00:00 +0200", "0001-01-01 00:00:00 +0100")
    )
    assert read_orders_frames(path) is None
    with pytest.raises(EvenhandError, match="line 5, column 'Created at'"):
        read_shopify_orders_csv(path)


# --- tickets, disputes and webhook payloads ----------------------------------------------


def test_a_ticket_that_cannot_be_stored_is_a_problem_in_its_place() -> None:
    # given: three tickets, the second with a lone surrogate (a JSON escape) in its body
    good = {
        "id": "t-1",
        "created_at": "2026-11-14T09:30:00Z",
        "channel": "email",
        "customer_email": "a@example.se",
        "body": "Where is my parcel?",
    }
    lines = [good, good | {"id": "t-\ud800", "body": "x\ud800"}, good | {"id": "t-3"}]
    records = parse_tickets("".join(json.dumps(line) + "\n" for line in lines))
    # then: the others are read; the problem names its line, field and a printable id
    assert isinstance(records[0], TicketIn) and isinstance(records[2], TicketIn)
    problem = records[1]
    assert isinstance(problem, TicketProblem)
    assert (problem.line, problem.ticket_id) == (2, "t-\\ud800")
    assert problem.error.startswith("id: holds a lone surrogate")


def test_a_zendesk_requester_id_that_is_a_list_is_no_ones_id() -> None:
    # given: a Zendesk export whose requester_id is a list (a TypeError before)
    ticket = {
        "id": 1,
        "created_at": "2026-11-14T09:30:00Z",
        "description": "Hi",
        "requester_id": [7],
    }
    users = [{"id": [7], "email": "a@example.se"}, {"id": 7, "email": "b@example.se"}]
    [record] = parse_tickets(json.dumps({"tickets": [ticket], "users": users}))
    assert isinstance(record, TicketProblem) and "requester.email" in record.error


def _payload(source: Source, topic: str, document: object) -> None:
    parse_payload(source, topic, json.dumps(document), where=Path("delivery"))


@pytest.mark.parametrize(
    ("source", "topic", "document", "reason"),
    [
        (
            Source.STRIPE,
            "charge.dispute.created",
            {
                "object": "dispute",
                "id": "du_1",
                "status": "needs_response",
                "amount": 100,
                "currency": "sek",
                "metadata": {"order_id": "①"},
            },
            "column 'metadata.order_id': not a whole number",
        ),
        (
            Source.STRIPE,
            "charge.dispute.created",
            {
                "object": "dispute",
                "id": "du_1",
                "status": "needs_response",
                "amount": 100,
                "currency": "sek",
                "created": 253402300800,
            },
            "created",
        ),
        (Source.SHOPIFY, "refunds/create", {"id": 2**70, "order_id": 1}, "id: too large"),
        (Source.SHOPIFY, "customers/redact", {"customer": ["a@example.se"]}, "customer"),
        (Source.ZENDESK, "ticket", {"ticket": {"id": 1, "requester_id": "①"}}, "requester_id"),
        (
            Source.ZENDESK,
            "ticket",
            {
                "ticket": {
                    "id": 1,
                    "created_at": "0001-01-01T00:00:00+01:00",
                    "requester": {"email": "a@example.se"},
                    "description": "x",
                }
            },
            "created_at",
        ),
        (Source.GORGIAS, "ticket-created", {"ticket_id": "../../admin"}, "ticket id"),
    ],
)
def test_a_webhook_body_out_of_bounds_is_a_payload_error_with_a_reason(
    source: Source, topic: str, document: object, reason: str
) -> None:
    # given: a signed body a worker crashed on (OverflowError, ValueError, AttributeError)
    with pytest.raises(PayloadError) as raised:
        _payload(source, topic, document)
    # then: a PayloadError, whose reason the failed delivery keeps
    assert reason in str(raised.value)


@pytest.mark.parametrize(
    "body", ["[" * 100_000 + "]" * 100_000, '{"id": ' + "1" * 5000 + "}", '{"id": NaN}']
)
def test_a_webhook_body_json_loads_would_crash_on_is_a_payload_error(body: str) -> None:
    with pytest.raises(PayloadError, match="invalid JSON"):
        parse_payload(Source.SHOPIFY, "orders/create", body, where=Path("delivery"))


def test_a_stripe_amount_finer_than_evenhands_unit_of_its_currency_is_refused(
    tmp_path: Path,
) -> None:
    # given: ISK, two decimals at Stripe, none in ISO 4217 (to_minor raised at storing)
    path = tmp_path / "disputes.json"
    dispute = {"object": "dispute", "id": "du_1", "status": "needs_response"}
    path.write_text(json.dumps(dispute | {"amount": 12345, "currency": "isk"}))
    with pytest.raises(EvenhandError, match="column 'amount': 12345 minor units of ISK"):
        read_disputes(path)
