"""The Shopify products CSV export: each variant's SKU and its "Cost per item".

One row per variant, plus rows that carry only an image; rows without a SKU or a cost
say nothing about cost and are passed over. Columns are mapped by name.
"""

from __future__ import annotations

from pathlib import Path

from evenhand.domain.models import ProductCost
from evenhand.errors import InputError
from evenhand.ingest import cells
from evenhand.ingest.batch import Parsed, Problems, Rejection
from evenhand.ingest.csv_source import CsvRecords, oversized
from evenhand.ingest.text_file import open_text

REQUIRED_COLUMNS = ("Handle", "Variant SKU", "Cost per item")


def read_shopify_products_csv(
    path: Path, *, skip_invalid: bool = False, currency: str | None = None
) -> Parsed[ProductCost]:
    """Each SKU's cost; `currency` (the shop's, when known) bounds the costs' decimals."""
    problems = Problems(path, skip_invalid=skip_invalid)
    parsed: Parsed[ProductCost] = Parsed()
    seen: dict[str, ProductCost] = {}
    with open_text(path) as handle:
        records = CsvRecords(handle, path)
        header = records.header
        problems.require_columns(header, REQUIRED_COLUMNS, export="products")
        sku_at, cost_at = header.index("Variant SKU"), header.index("Cost per item")
        for line, row in records:
            if not row:
                continue
            padded = row + [""] * (len(header) - len(row))
            too_long = oversized((padded[sku_at], padded[cost_at]), REQUIRED_COLUMNS[1:])
            if too_long is not None:
                problems.report(
                    Rejection(line=line, record=None, column=too_long[0], reason=too_long[1])
                )
                continue
            _add_cost(
                padded[sku_at].strip(),
                padded[cost_at],
                line=line,
                parsed=parsed,
                problems=problems,
                seen=seen,
                currency=currency,
            )
    parsed.rejections = problems.rejections
    return parsed


def _add_cost(
    sku: str,
    cost_text: str,
    *,
    line: int,
    parsed: Parsed[ProductCost],
    problems: Problems,
    seen: dict[str, ProductCost],
    currency: str | None,
) -> None:
    if not sku or not cost_text.strip():
        reason = "no SKU" if not sku else "no cost per item"
        parsed.passed_over.append(
            Rejection(
                line=line,
                record=sku or None,
                column=None,
                reason=reason,
                code=InputError.MISSING_VALUE,
            )
        )
        return
    try:
        unit_cost = cells.amount(cost_text, "Cost per item", currency=currency)
        cost = ProductCost(sku=sku, unit_cost=unit_cost, line=line)
    except cells.CellError as error:
        problems.report(Rejection(line=line, record=sku, column=error.column, reason=error.reason))
        return
    before = seen.get(sku)
    if before is not None and before.unit_cost != cost.unit_cost:
        problems.report(
            Rejection(
                line=line,
                record=sku,
                column="Cost per item",
                code=InputError.DUPLICATE_RECORD,
                reason=f"SKU {sku} costs {cost.unit_cost} here but {before.unit_cost} on line "
                f"{before.line}",
            )
        )
        return
    if before is None:
        seen[sku] = cost
        parsed.records.append(cost)
