"""The Shopify orders export read column by column (Polars), for large files.

It reads only exports in the plain form Shopify writes (amounts like `249.00`, dates like
`2026-11-01 10:00:00 +0100`, every order starting with its first row, one currency) and
computes the same rows the row-by-row reader (`shopify_orders_csv`) and the domain's value
rules (`evenhand.domain.value.order_figures`) give. Any cell outside that form makes it
return None, and the import reads the file row by row instead, which accepts every form it
can and names the file, line and column of what it cannot. A test keeps both readers equal.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import polars as pl

from evenhand.domain.money import minor_exponent
from evenhand.domain.value import TEST_GATEWAYS, UNPAID_STATUSES, Exclusion
from evenhand.ingest.cells import CELL_LIMIT, EARLIEST, LATEST
from evenhand.ingest.order_digest import order_digests
from evenhand.ingest.shopify_orders_csv import DIGEST_CELLS, ORDER_CELLS, REQUIRED_COLUMNS
from evenhand.ingest.text_file import check_text_file, ends_with_line_break

# ASCII digits only: a Polars (Rust) `\d` would match the digits of every script.
_EXPORT_TIME = r"^[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2} [+-][0-9]{4}$"
# Digit counts within which every value fits its column (longer ones go row by row, where
# the exact limits of `evenhand.ingest.cells` name them).
_WHOLE = r"^[0-9]{1,9}$"
_SHOPIFY_ID = r"^'?[0-9]{1,18}$"
_TIMES = ("Created at", "Fulfilled at", "Cancelled at")
_TIME_FIELDS = dict(zip(_TIMES, ("created_at", "fulfilled_at", "cancelled_at"), strict=True))
_AMOUNTS = ("Total", "Subtotal", "Shipping", "Taxes", "Refunded Amount", "Outstanding Balance")
_KEY = "order key"  # the stripped Name, which groups an order's rows
_POSITION = "position"  # of the row within its order: 0, 1, ...
_ORDER_INDEX = "order_index"  # of the row's order in the file: 1, 2, ... (first rows' order)


@dataclass(frozen=True, slots=True)
class OrderFrames:
    """Staging-ready rows: `orders` (one per order, numbered 1, 2, ... in `stage_index`),
    `items` and `references` (each with its order's number in `order_index`)."""

    currency: str
    orders: pl.DataFrame
    items: pl.DataFrame
    references: pl.DataFrame

    @property
    def line_items(self) -> int:
        return self.items.height

    def share_a_shopify_id(self) -> bool:
        """Whether two orders carry one Shopify id (the row reader then names them)."""
        return bool(self.orders["shopify_id"].drop_nulls().is_duplicated().any())

    def customer_names(self) -> dict[str, str | None]:
        """Each e-mail address with the billing name of its first order."""
        named = self.orders.filter(pl.col("email").is_not_null()).unique(
            "email", keep="first", maintain_order=True
        )
        return dict(zip(named["email"].to_list(), named["billing_name"].to_list(), strict=True))


def read_orders_frames(path: Path) -> OrderFrames | None:
    """The export as frames, or None when it needs the row-by-row reader (which names the
    line and column of what it refuses). A file that is not UTF-8 text is refused here."""
    check_text_file(path)
    if not ends_with_line_break(path):
        return None  # its last row may be cut off, which only the row reader can tell
    rows = _read(path)
    if rows is None or rows.height == 0:
        return None
    firsts = rows.filter(pl.col(_POSITION) == 0)
    currencies = firsts["Currency"].str.strip_chars().str.to_uppercase().unique().to_list()
    if len(currencies) != 1 or not _plain(rows, firsts, currency=currencies[0]):
        return None
    if not _continuations_agree(rows, firsts):
        return None
    currency = currencies[0]
    # Per-order figures come out in order number order, which is the first rows' order.
    digests = order_digests(rows, key=_ORDER_INDEX, position=_POSITION, cells=DIGEST_CELLS)
    orders = _orders(firsts, currency).hstack(
        [*_item_totals(rows, currency).drop(_ORDER_INDEX), digests["source_digest"]]
    )
    if not _times_on_the_calendar(firsts, orders):
        return None
    return OrderFrames(
        currency=currency,
        orders=_with_figures(orders),
        items=_items(rows, currency),
        references=_references(firsts),
    )


def _read(path: Path) -> pl.DataFrame | None:
    try:
        header = pl.read_csv(path, n_rows=0, infer_schema=False).columns
    except (pl.exceptions.PolarsError, UnicodeDecodeError):
        return None
    header = [name.lstrip("\ufeff").strip() for name in header]
    if any(name not in header for name in REQUIRED_COLUMNS) or len(set(header)) != len(header):
        return None
    positions = sorted(header.index(name) for name in DIGEST_CELLS if name in header)
    try:
        frame = pl.read_csv(
            path, infer_schema=False, empty_string_is_null=False, columns=positions, encoding="utf8"
        )
    except (pl.exceptions.PolarsError, UnicodeDecodeError):
        return None
    frame.columns = [header[position] for position in positions]
    missing = [pl.lit("").alias(name) for name in DIGEST_CELLS if name not in header]
    keyed = frame.with_columns(*missing, pl.col("Name").str.strip_chars().alias(_KEY))
    return _placed(keyed).select(*DIGEST_CELLS, _KEY, _POSITION, _ORDER_INDEX)


def _placed(rows: pl.DataFrame) -> pl.DataFrame:
    """Each row's place within its order, and its order's number. Exports list an order's
    rows together, so both follow the changes of key (one pass); rows of an order found
    apart are counted per key instead (a grouping, slower)."""
    key = pl.col(_KEY)
    starts = key.ne_missing(key.shift())
    runs, orders = rows.select(starts.sum().alias("runs"), key.n_unique().alias("orders")).row(0)
    if runs != orders:
        numbered = rows.with_columns(key.is_first_distinct().cum_sum().alias(_ORDER_INDEX))
        return numbered.with_columns(
            pl.int_range(pl.len(), dtype=pl.Int64).over(_KEY).alias(_POSITION),
            pl.col(_ORDER_INDEX).first().over(_KEY).cast(pl.Int64),
        )
    row = pl.int_range(pl.len(), dtype=pl.Int64)
    return rows.with_columns(
        (row - pl.when(starts).then(row).forward_fill()).alias(_POSITION),
        starts.cum_sum().cast(pl.Int64).alias(_ORDER_INDEX),
    )


def _matches(column: str, pattern: str, *, required: bool = False) -> pl.Expr:
    value = pl.col(column)
    fits = value.str.contains(pattern)
    return fits if required else (value == "") | fits


def _amount_pattern(currency: str) -> str:
    exponent = minor_exponent(currency)
    whole = r"-?[0-9]{1,13}"  # below AMOUNT_CEILING
    return rf"^{whole}$" if exponent == 0 else rf"^{whole}(\.[0-9]{{1,{exponent}}})?$"


def _plain(rows: pl.DataFrame, firsts: pl.DataFrame, *, currency: str) -> bool:
    """Is every cell in the one form this reader handles (else: read row by row)?"""
    money = _amount_pattern(currency)
    order_checks = [
        pl.col("Name").str.strip_chars() != "",
        pl.col("Currency").str.strip_chars().str.contains(r"^[A-Za-z]{3}$"),
        _matches("Total", money, required=True),
        _matches("Created at", _EXPORT_TIME, required=True),
        _matches("Id", _SHOPIFY_ID),
        *(_matches(name, money) for name in _AMOUNTS[1:]),
        *(_matches(name, _EXPORT_TIME) for name in _TIMES[1:]),
    ]
    item_checks = [
        pl.col("Name").str.strip_chars() != "",
        _matches("Lineitem quantity", _WHOLE, required=True),
        _matches("Lineitem price", money, required=True),
        _matches("Lineitem discount", money),
    ]
    orders_ok = firsts.select(pl.all_horizontal(order_checks).all()).item()
    items_ok = rows.select(pl.all_horizontal(item_checks).all()).item()
    longest = rows.select(pl.max_horizontal(pl.col(*DIGEST_CELLS).str.len_chars().max())).item()
    return bool(orders_ok and items_ok and (longest or 0) <= CELL_LIMIT)


def _continuations_agree(rows: pl.DataFrame, firsts: pl.DataFrame) -> bool:
    """Does every order cell on an order's later rows stay empty or repeat its first row?"""
    later = rows.filter(pl.col(_POSITION) > 0)
    written = later.select((pl.col(name) != "").any() for name in ORDER_CELLS).row(0)
    filled = [name for name, any_written in zip(ORDER_CELLS, written, strict=True) if any_written]
    if not filled:
        return True
    first = firsts.select(_ORDER_INDEX, *(pl.col(name).alias(f"{name}\x1f") for name in filled))
    paired = later.select(_ORDER_INDEX, *filled).join(first, on=_ORDER_INDEX, how="left")
    agree = ((pl.col(name) == "") | (pl.col(name) == pl.col(f"{name}\x1f")) for name in filled)
    return bool(paired.select(pl.all_horizontal(*agree).all()).item())


def _times_on_the_calendar(firsts: pl.DataFrame, orders: pl.DataFrame) -> bool:
    """Did every time cell in the export's form parse (not "2026-02-30 ..."), within the
    times Evenhand accepts?"""
    read = (orders[_TIME_FIELDS[name]].is_not_null().sum() for name in _TIMES)
    given = ((firsts[name] != "").sum() for name in _TIMES)
    if not all(parsed == cells for parsed, cells in zip(read, given, strict=True)):
        return False
    within = (
        pl.col(field).is_null()
        | pl.col(field).is_between(pl.lit(EARLIEST), pl.lit(LATEST), closed="left")
        for field in _TIME_FIELDS.values()
    )
    return bool(orders.select(pl.all_horizontal(*within).all()).item())


def _minor(column: str, currency: str) -> pl.Expr:
    exponent = minor_exponent(currency)
    value = pl.when(pl.col(column) == "").then(pl.lit("0")).otherwise(pl.col(column))
    scaled: pl.Expr = value.cast(pl.Decimal(20, exponent)) * pl.lit(10**exponent)
    return scaled.cast(pl.Int64)


def _time(column: str) -> pl.Expr:
    """`2026-11-01 10:00:00 +0100` in UTC: the local time less its offset. The cells match
    _EXPORT_TIME, so each part is at its place (half the time of parsing with `%z`)."""
    value = pl.col(column)
    local = value.str.slice(0, 19).str.strptime(
        pl.Datetime("us"), "%Y-%m-%d %H:%M:%S", strict=False
    )
    hours, minutes = (value.str.slice(at, 2).cast(pl.Int64, strict=False) for at in (21, 23))
    sign = pl.when(value.str.slice(20, 1) == "-").then(-1).otherwise(1)
    utc = local - pl.duration(minutes=sign * (hours * 60 + minutes))
    return pl.when(value == "").then(None).otherwise(utc.dt.replace_time_zone("UTC"))


def _text_or_null(expr: pl.Expr) -> pl.Expr:
    return pl.when(expr == "").then(None).otherwise(expr)


def _orders(firsts: pl.DataFrame, currency: str) -> pl.DataFrame:
    gateway = pl.col("Payment Method").str.to_lowercase()
    return firsts.select(
        pl.col(_KEY).alias("name"),
        pl.col(_ORDER_INDEX).alias("stage_index"),
        pl.when(pl.col("Id") == "")
        .then(None)
        .otherwise(pl.col("Id").str.strip_chars_start("'"))
        .cast(pl.Int64)
        .alias("shopify_id"),
        _text_or_null(pl.col("Email").str.strip_chars().str.to_lowercase()).alias("email"),
        pl.lit(currency).alias("currency"),
        _time("Created at").alias(_TIME_FIELDS["Created at"]),
        pl.lit(None, pl.Datetime("us", "UTC")).alias("source_updated_at"),
        _minor("Total", currency).alias("total_minor"),
        pl.when(pl.col("Subtotal") == "")
        .then(_minor("Total", currency))
        .otherwise(_minor("Subtotal", currency))
        .alias("subtotal_minor"),
        _minor("Shipping", currency).alias("shipping_minor"),
        _minor("Taxes", currency).alias("taxes_minor"),
        _minor("Refunded Amount", currency).alias("refunded_minor"),
        _minor("Outstanding Balance", currency).alias("outstanding_minor"),
        _text_or_null(pl.col("Financial Status").str.strip_chars().str.to_lowercase()).alias(
            "financial_status"
        ),
        _text_or_null(pl.col("Fulfillment Status").str.strip_chars().str.to_lowercase()).alias(
            "fulfillment_status"
        ),
        _time("Fulfilled at").alias(_TIME_FIELDS["Fulfilled at"]),
        _time("Cancelled at").alias(_TIME_FIELDS["Cancelled at"]),
        pl.lit(None, pl.Datetime("us", "UTC")).alias("delivered_at"),  # not in a CSV export
        (
            gateway.str.contains(TEST_GATEWAYS[0], literal=True)
            | gateway.str.contains(TEST_GATEWAYS[1], literal=True)
        ).alias("test"),
        pl.col("Tags").str.strip_chars().alias("tags"),
        _text_or_null(pl.col("Billing Name").str.strip_chars()).alias("billing_name"),
    )


def _item_totals(rows: pl.DataFrame, currency: str) -> pl.DataFrame:
    """What the line items add up to, per order number in ascending order (no export
    carries a line's cost)."""
    revenue = _minor("Lineitem price", currency) * pl.col("Lineitem quantity").cast(
        pl.Int64
    ) - _minor("Lineitem discount", currency)
    return rows.group_by(_ORDER_INDEX, maintain_order=True).agg(
        pl.lit(0, pl.Int64).alias("cost_known_minor"),
        pl.max_horizontal(revenue.sum(), pl.lit(0, pl.Int64)).alias("uncosted_minor"),
    )


def _with_figures(orders: pl.DataFrame) -> pl.DataFrame:
    """`order_figures` for every order at once: exclusion, gross and refund."""
    paid = pl.col("total_minor") - pl.max_horizontal(pl.col("outstanding_minor"), pl.lit(0))
    refunded = (
        pl.when((pl.col("financial_status") == "refunded") & (pl.col("refunded_minor") == 0))
        .then(paid)
        .otherwise(pl.col("refunded_minor"))
    )
    exclusion = (
        pl.when(pl.col("cancelled_at").is_not_null())
        .then(pl.lit(Exclusion.CANCELLED.value))
        .when(pl.col("test"))
        .then(pl.lit(Exclusion.TEST.value))
        .when(pl.col("financial_status").fill_null("paid").is_in(sorted(UNPAID_STATUSES)))
        .then(pl.lit(Exclusion.UNPAID.value))
        .otherwise(pl.lit(None, pl.String))
    )
    return orders.with_columns(
        exclusion.alias("exclusion"),
        paid.alias("value_gross_minor"),
        pl.min_horizontal(refunded, paid).alias("value_refund_minor"),
    )


def _items(rows: pl.DataFrame, currency: str) -> pl.DataFrame:
    return rows.select(
        pl.col(_KEY).alias("order_name"),
        pl.col(_ORDER_INDEX),
        pl.col(_POSITION),
        pl.col("Lineitem name").str.strip_chars().alias("name"),
        _text_or_null(pl.col("Lineitem sku").str.strip_chars()).alias("sku"),
        pl.col("Lineitem quantity").cast(pl.Int64).alias("quantity"),
        _minor("Lineitem price", currency).alias("unit_price_minor"),
        _minor("Lineitem discount", currency).alias("discount_minor"),
        pl.lit(None, pl.Int64).alias("unit_cost_minor"),
        _text_or_null(pl.col("Lineitem fulfillment status").str.strip_chars()).alias(
            "fulfillment_status"
        ),
    )


def _references(firsts: pl.DataFrame) -> pl.DataFrame:
    cells = pl.concat_str(["Payment Reference", "Payment ID", "Payment References"], separator=" ")
    tokens = (
        cells.str.extract_all(r"[^\s,;]+")
        .list.eval(pl.element().str.strip_chars_start("'"))
        .list.eval(pl.element().filter(pl.element() != ""))
        .list.unique(maintain_order=True)
    )
    return (
        firsts.select(
            pl.col(_KEY).alias("order_name"), pl.col(_ORDER_INDEX), tokens.alias("reference")
        )
        .explode("reference")
        .drop_nulls("reference")
    )
