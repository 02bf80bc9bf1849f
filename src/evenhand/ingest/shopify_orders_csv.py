"""The Shopify orders CSV export (Admin -> Orders -> Export).

One row per line item; only an order's first row carries the order columns and the
continuation rows repeat `Name`. Columns are mapped by name, so older and newer header
generations, extra columns and a UTF-8 BOM are all fine.
"""

from __future__ import annotations

from dataclasses import dataclass
from operator import itemgetter
from pathlib import Path
from typing import Any

from evenhand.domain.models import LineItem, Order
from evenhand.domain.value import is_test_gateway
from evenhand.errors import ErrorCode, InputError
from evenhand.ingest import cells
from evenhand.ingest.batch import Parsed, Problems, Progress, Rejection, no_progress
from evenhand.ingest.csv_source import CsvRecords, oversized
from evenhand.ingest.text_file import open_text

REQUIRED_COLUMNS = (
    "Name",
    "Email",  # the customer: without it no order is anyone's, and no customer has a value
    "Created at",
    "Currency",
    "Total",
    "Lineitem quantity",
    "Lineitem price",
)
# The cells an order's first row is read from, in the order `_order_fields` unpacks them.
ORDER_CELLS = (
    "Currency",
    "Created at",
    "Total",
    "Subtotal",
    "Shipping",
    "Taxes",
    "Refunded Amount",
    "Outstanding Balance",
    "Id",
    "Email",
    "Financial Status",
    "Fulfillment Status",
    "Fulfilled at",
    "Cancelled at",
    "Payment Method",
    "Tags",
    "Billing Name",
    "Payment Reference",
    "Payment ID",
    "Payment References",
)
ITEM_CELLS = (
    "Lineitem name",
    "Lineitem sku",
    "Lineitem quantity",
    "Lineitem price",
    "Lineitem discount",
    "Lineitem fulfillment status",
)
_PROGRESS_EVERY = 20_000
_RECORD_SHOWN = 100  # characters of an order's name in a rejection


# The cells an order's source digest is taken over, row by row (the bulk reader does the same).
DIGEST_CELLS = ("Name", *ORDER_CELLS, *ITEM_CELLS)
_ORDER_KEY = "order key"  # the stripped Name
_POSITION = "position"  # of a row within its order


_AMOUNT_CELLS = frozenset(
    {"Total", "Subtotal", "Shipping", "Taxes", "Refunded Amount", "Outstanding Balance"}
)
_TIME_CELLS = frozenset({"Created at", "Fulfilled at", "Cancelled at"})


def same_order_cell(column: str, now: str, first: str) -> bool:
    """Whether an order cell on a continuation row says what the first row said (a value
    the first row's reader would refuse raises its CellError)."""
    now, first = now.strip(), first.strip()
    if column in _AMOUNT_CELLS:
        return first != "" and cells.amount(now, column) == cells.amount(first, column)
    if column in _TIME_CELLS:
        return first != "" and cells.timestamp(now, column) == cells.timestamp(first, column)
    if column == "Id":
        return now.lstrip("'") == first.lstrip("'")
    if column in {"Email", "Currency"}:
        return now.lower() == first.lower()
    return now == first


def _payment_references(cells_text: list[str]) -> tuple[str, ...]:
    """Every reference in the payment columns, apostrophes stripped, each once."""
    found = " ".join(cells_text).replace(",", " ").replace(";", " ").split()
    references = (reference.lstrip("'") for reference in found)
    return tuple(dict.fromkeys(reference for reference in references if reference))


@dataclass(slots=True)
class _Columns:
    """Column positions by name; a missing optional column points at an always-empty cell."""

    index: dict[str, int]
    width: int

    @classmethod
    def from_header(cls, header: list[str], problems: Problems) -> _Columns:
        positions = {name.strip(): at for at, name in enumerate(header)}
        problems.require_columns(positions, REQUIRED_COLUMNS, export="orders")
        blank = len(header)
        index = {name: positions.get(name, blank) for name in ("Name", *ORDER_CELLS, *ITEM_CELLS)}
        return cls(index=index, width=blank + 1)


class _Draft:
    """An order being assembled from its rows."""

    __slots__ = ("cells", "fields", "invalid", "items", "line", "name")

    def __init__(self, name: str, line: int, order_cells: tuple[str, ...]) -> None:
        self.name = name
        self.line = line
        self.cells = order_cells  # the first row's ORDER_CELLS, as written
        self.fields: dict[str, Any] = {}
        self.items: list[LineItem] = []
        self.invalid = False

    def to_order(self, source_digest: str) -> Order:
        return Order(
            name=self.name,
            line=self.line,
            line_items=tuple(self.items),
            source_digest=source_digest,
            **self.fields,
        )


def read_shopify_orders_csv(
    path: Path, *, skip_invalid: bool = False, progress: Progress = no_progress
) -> Parsed[Order]:
    """Every order in the export; the first bad value stops the read unless skip_invalid."""
    problems = Problems(path, skip_invalid=skip_invalid)
    total_bytes = path.stat().st_size
    with open_text(path) as handle:
        records = CsvRecords(handle, path)
        if not records.header:
            raise problems.fatal(InputError.UNKNOWN_FORMAT, "the file is empty", line=1)
        columns = _Columns.from_header(records.header, problems)
        assembler = _Assembler(columns, problems)
        for count, (start, row) in enumerate(records, start=1):
            if len(row) <= 1 and not "".join(row).strip():
                continue
            assembler.add(row, start)
            if count % _PROGRESS_EVERY == 0:
                progress(handle.buffer.tell(), total_bytes)
    progress(total_bytes, total_bytes)
    return assembler.result()


class _Assembler:
    """Groups rows into orders by Name and parses each value once."""

    def __init__(self, columns: _Columns, problems: Problems) -> None:
        self.columns = columns
        self.at = columns.index
        self.problems = problems
        self.drafts: dict[str, _Draft] = {}
        self.currency: str | None = None
        at = self.at
        self.order_cells = itemgetter(*(at[name] for name in ORDER_CELLS))
        self.item_cells = itemgetter(*(at[name] for name in ITEM_CELLS))
        self.digest_cells = itemgetter(*(at[name] for name in DIGEST_CELLS))
        self.digest_rows: list[tuple[object, ...]] = []  # (order, position, *DIGEST_CELLS)
        self.rows_seen: dict[str, int] = {}  # per order

    def add(self, row: list[str], line: int) -> None:
        if len(row) < self.columns.width:
            row.extend([""] * (self.columns.width - len(row)))
        name = row[self.at["Name"]].strip()
        if not name:
            self._reject(
                None, line, column="Name", reason="is empty", code=InputError.MISSING_VALUE
            )
            return
        digest = self.digest_cells(row)
        too_long = oversized(digest, DIGEST_CELLS)
        if too_long is not None:
            refused = self.drafts.setdefault(name, _Draft(name, line, ()))
            self._invalidate(refused, line, column=too_long[0], reason=too_long[1])
            return
        found = self.drafts.get(name)
        if found is None:
            draft = self._start(name, row, line=line)
        else:
            draft = found
            self._check_continuation(draft, row, line)
        position = self.rows_seen.get(name, 0)
        self.rows_seen[name] = position + 1
        self.digest_rows.append((name, position, *digest))
        if draft.invalid:
            return
        try:
            draft.items.append(self._line_item(row, line, draft.fields["currency"]))
        except cells.CellError as error:
            self._invalidate(draft, line, column=error.column, reason=error.reason)

    def _start(self, name: str, row: list[str], *, line: int) -> _Draft:
        at = self.at
        draft = _Draft(name=name, line=line, order_cells=self.order_cells(row))
        self.drafts[name] = draft
        if not row[at["Created at"]].strip() and not row[at["Total"]].strip():
            self._invalidate(
                draft,
                line,
                column="Name",
                reason=f"continuation row for order {name}, whose first row never came",
                code=InputError.ORPHAN_CONTINUATION,
            )
            return draft
        try:
            draft.fields = self._order_fields(row)
        except cells.CellError as error:
            self._invalidate(draft, line, column=error.column, reason=error.reason)
            return draft
        currency = draft.fields["currency"]
        if self.currency is None:
            self.currency = currency
        elif currency != self.currency:
            self._invalidate(
                draft,
                line,
                column="Currency",
                reason=f"is {currency}, but this file's orders are in {self.currency}",
                code=InputError.CURRENCY_MISMATCH,
            )
        return draft

    def _order_fields(self, row: list[str]) -> dict[str, Any]:
        (
            currency,
            created_at,
            total,
            subtotal,
            shipping,
            taxes,
            refunded,
            outstanding,
            shopify_id,
            email,
            financial,
            fulfillment,
            fulfilled_at,
            cancelled_at,
            gateway,
            tags,
            billing_name,
            *references,
        ) = self.order_cells(row)
        currency = cells.currency(currency, "Currency")
        total_amount = cells.amount(total, "Total", required=True, currency=currency)
        return {
            "currency": currency,
            "created_at": cells.timestamp(created_at, "Created at", required=True),
            "total": total_amount,
            "subtotal": cells.amount(subtotal, "Subtotal", currency=currency)
            if subtotal
            else total_amount,
            "shipping": cells.amount(shipping, "Shipping", currency=currency),
            "taxes": cells.amount(taxes, "Taxes", currency=currency),
            "refunded": cells.amount(refunded, "Refunded Amount", currency=currency),
            "outstanding": cells.amount(outstanding, "Outstanding Balance", currency=currency),
            "shopify_id": cells.whole_number(shopify_id, "Id"),
            "email": cells.email(email),
            "financial_status": financial.strip().lower() or None,
            "fulfillment_status": fulfillment.strip().lower() or None,
            "fulfilled_at": cells.timestamp(fulfilled_at, "Fulfilled at"),
            "cancelled_at": cells.timestamp(cancelled_at, "Cancelled at"),
            "test": is_test_gateway(gateway),
            "tags": tags.strip(),
            "billing_name": billing_name.strip() or None,
            "payment_references": _payment_references(references),
        }

    def _line_item(self, row: list[str], line: int, currency: str) -> LineItem:
        name, sku, quantity, price, discount, status = self.item_cells(row)
        return LineItem(
            name.strip(),
            sku.strip() or None,
            cells.required_whole_number(quantity, "Lineitem quantity"),
            cells.amount(price, "Lineitem price", required=True, currency=currency),
            cells.amount(discount, "Lineitem discount", currency=currency),
            None,
            status.strip() or None,
            line,
        )

    def _check_continuation(self, draft: _Draft, row: list[str], line: int) -> None:
        """An order's cells belong on its first row; a later row may leave them empty or
        repeat them, and one that says otherwise is refused."""
        written = self.order_cells(row)
        if draft.invalid or written == draft.cells:
            return
        for column, now, first in zip(ORDER_CELLS, written, draft.cells, strict=True):
            if not now.strip():
                continue
            try:
                same = same_order_cell(column, now, first)
            except cells.CellError as error:
                self._invalidate(draft, line, column=column, reason=error.reason)
                return
            if not same:
                code = (
                    InputError.CURRENCY_MISMATCH
                    if column == "Currency"
                    else InputError.CONFLICTING_VALUE
                )
                reason = (
                    f"is {cells.shown(now.strip())} on this row of order {draft.name}, but "
                    f"{cells.shown(first.strip())} on its first row (line {draft.line}); "
                    "an order's cells may only be repeated on its other rows"
                )
                self._invalidate(draft, line, column=column, reason=reason, code=code)
                return

    def _invalidate(
        self,
        draft: _Draft,
        line: int,
        *,
        column: str | None,
        reason: str,
        code: ErrorCode = InputError.BAD_VALUE,
    ) -> None:
        draft.invalid = True
        self._reject(draft.name, line, column=column, reason=reason, code=code)

    def _reject(
        self, record: str | None, line: int, *, column: str | None, reason: str, code: ErrorCode
    ) -> None:
        shown = None if record is None else record[:_RECORD_SHOWN]
        self.problems.report(
            Rejection(line=line, record=shown, column=column, reason=reason, code=code)
        )

    def result(self) -> Parsed[Order]:
        digests = self._digests()
        orders = [
            draft.to_order(digests[draft.name])
            for draft in self.drafts.values()
            if not draft.invalid
        ]
        return Parsed(records=orders, rejections=self.problems.rejections)

    def _digests(self) -> dict[str, str]:
        # Polars (for the digests both readers share) loads only when a file is read.
        import polars as pl  # noqa: PLC0415

        from evenhand.ingest.order_digest import order_digests  # noqa: PLC0415

        schema = {_ORDER_KEY: pl.String, _POSITION: pl.Int64} | dict.fromkeys(
            DIGEST_CELLS, pl.String
        )
        rows = pl.DataFrame(self.digest_rows, schema=schema, orient="row")
        digests = order_digests(rows, key=_ORDER_KEY, position=_POSITION, cells=DIGEST_CELLS)
        return dict(
            zip(digests[_ORDER_KEY].to_list(), digests["source_digest"].to_list(), strict=True)
        )
