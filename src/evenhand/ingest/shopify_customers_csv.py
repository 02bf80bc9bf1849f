"""The Shopify customers CSV export, in both header generations.

Current: `Customer ID,First Name,Last Name,Email,...,Total Spent,Total Orders,Note,Tax Exempt,Tags`;
older: `First Name,Last Name,Email,...,Total Spent,Total Orders,Tags,Note,Tax Exempt`. Mapped by
name; apostrophe-prefixed numbers are stripped; metafield columns are ignored.
"""

from __future__ import annotations

from pathlib import Path

from evenhand.domain.models import Customer
from evenhand.errors import InputError
from evenhand.ingest import cells
from evenhand.ingest.batch import Parsed, Problems, Rejection
from evenhand.ingest.csv_source import CsvRecords, oversized
from evenhand.ingest.text_file import open_text

REQUIRED_COLUMNS = ("First Name", "Last Name", "Email")
READ_COLUMNS = (
    *REQUIRED_COLUMNS,
    "Customer ID",
    "Phone",
    "Accepts Email Marketing",
    "Tags",
    "Note",
    "Total Spent",
    "Total Orders",
)


def read_shopify_customers_csv(
    path: Path, *, skip_invalid: bool = False, currency: str | None = None
) -> Parsed[Customer]:
    """The export's customers; `currency` (the shop's, when known) bounds `Total Spent`'s
    decimals."""
    problems = Problems(path, skip_invalid=skip_invalid)
    parsed: Parsed[Customer] = Parsed()
    seen: dict[str, int] = {}
    with open_text(path) as handle:
        records = CsvRecords(handle, path)
        header = records.header
        problems.require_columns(header, REQUIRED_COLUMNS, export="customers")
        for line, row in records:
            if not row:
                continue
            cell = dict(zip(header, row, strict=False))
            too_long = oversized((cell.get(name, "") for name in READ_COLUMNS), READ_COLUMNS)
            if too_long is not None:
                problems.report(
                    Rejection(line=line, record=None, column=too_long[0], reason=too_long[1])
                )
                continue
            _add_customer(
                cell, line=line, parsed=parsed, problems=problems, seen=seen, currency=currency
            )
    parsed.rejections = problems.rejections
    return parsed


def _add_customer(
    cell: dict[str, str],
    *,
    line: int,
    parsed: Parsed[Customer],
    problems: Problems,
    seen: dict[str, int],
    currency: str | None,
) -> None:
    address = cells.email(cell.get("Email", ""))
    if address is None:
        parsed.passed_over.append(
            Rejection(
                line=line,
                record=None,
                column="Email",
                reason="no email address; cannot be matched to orders",
                code=InputError.MISSING_VALUE,
            )
        )
        return
    if address in seen:
        problems.report(
            Rejection(
                line=line,
                record=address,
                column="Email",
                reason=f"{address} is listed again (first on line {seen[address]})",
                code=InputError.DUPLICATE_RECORD,
            )
        )
        return
    try:
        customer = _customer(address, cell, currency)
    except cells.CellError as error:
        problems.report(
            Rejection(line=line, record=address, column=error.column, reason=error.reason)
        )
        return
    seen[address] = line
    parsed.records.append(customer)


def _customer(address: str, cell: dict[str, str], currency: str | None) -> Customer:
    total_spent = cell.get("Total Spent", "")
    return Customer(
        email=address,
        shopify_id=cells.whole_number(cell.get("Customer ID", ""), "Customer ID"),
        first_name=cells.text_or_none(cell.get("First Name", "")),
        last_name=cells.text_or_none(cell.get("Last Name", "")),
        phone=cells.text_or_none(cell.get("Phone", "").lstrip("'")),
        accepts_email_marketing=cells.yes_no(
            cell.get("Accepts Email Marketing", ""), "Accepts Email Marketing"
        ),
        tags=cells.tag_list(cell.get("Tags", "")),
        note=cells.text_or_none(cell.get("Note", "")),
        shopify_total_spent=cells.amount(total_spent, "Total Spent", currency=currency)
        if total_spent
        else None,
        shopify_total_orders=cells.whole_number(cell.get("Total Orders", ""), "Total Orders"),
    )
