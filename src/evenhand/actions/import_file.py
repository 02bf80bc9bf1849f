"""Import one file of shop data, all or nothing, and bring customer value up to date."""

from __future__ import annotations

import gc
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, Engine

from evenhand.actions.schemas import import_out
from evenhand.domain.models import Customer, Dispute, Order, ProductCost
from evenhand.errors import EvenhandError, InputError, Location, SettingsError
from evenhand.ingest.batch import Parsed, Progress, Rejection, no_progress
from evenhand.ingest.disputes import read_disputes
from evenhand.ingest.kinds import ImportKind
from evenhand.ingest.shopify_customers_csv import read_shopify_customers_csv
from evenhand.ingest.shopify_orders_csv import read_shopify_orders_csv
from evenhand.ingest.shopify_orders_json import read_shopify_orders_json
from evenhand.ingest.shopify_products_csv import read_shopify_products_csv
from evenhand.settings import Settings
from evenhand.store import customers as customer_store
from evenhand.store import disputes as dispute_store
from evenhand.store import orders as order_store
from evenhand.store import value_sql
from evenhand.store.audit import record_event
from evenhand.store.costs import apply_product_costs, save_product_costs
from evenhand.store.database import ensure_current
from evenhand.store.disputes import DisputeRow
from evenhand.store.shop import set_shop_currency, shop_currency
from evenhand.store.staging import ShopifyIdTakenError, merge_staged_orders


@dataclass(slots=True)
class ImportReport:
    kind: ImportKind
    path: Path
    records: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    stale: int = 0
    disputes_linked: int = 0
    rejections: list[Rejection] = field(default_factory=list)
    passed_over: list[Rejection] = field(default_factory=list)
    unlinked_disputes: list[DisputeRow] = field(default_factory=list)


if TYPE_CHECKING:  # Polars and ADBC load only for the exports read column by column
    from evenhand.ingest.shopify_orders_frame import OrderFrames

# Above this share of all customers, one full recompute beats per-customer updates.
_FULL_RECOMPUTE_SHARE = 0.5


def import_file(
    engine: Engine,
    *,
    kind: ImportKind,
    path: Path,
    settings: Settings,
    now: datetime,
    skip_invalid: bool = False,
    progress: Progress = no_progress,
    columnar: bool = True,
) -> ImportReport:
    """Parse the whole file first, then store it in one transaction (or not at all).

    A Shopify orders export in its plain form is read column by column and staged in bulk
    (`columnar`); any other file, or one the columnar reader hands back, row by row.
    """
    if not path.is_file():
        raise EvenhandError(InputError.FILE_NOT_FOUND, "no such file", where=Location(path))
    ensure_current(engine)
    with _collector_paused():
        frames = _frames(path) if columnar and kind is ImportKind.SHOPIFY_ORDERS else None
        if frames is not None and frames.share_a_shopify_id():
            frames = None  # the row reader below names the orders and the line
        if frames is not None:
            try:
                report = _store_frames(engine, frames, path=path, settings=settings, now=now)
            except ShopifyIdTakenError:
                pass  # rolled back; the row reader below knows the line to name
            else:
                progress(path.stat().st_size, path.stat().st_size)
                return report
        parsed = _parse(kind, path, skip_invalid=skip_invalid, progress=progress)
        with engine.begin() as connection:
            return apply_records(
                connection, parsed, kind=kind, path=path, settings=settings, now=now
            )


def _frames(path: Path) -> OrderFrames | None:
    from evenhand.ingest.shopify_orders_frame import read_orders_frames  # noqa: PLC0415

    return read_orders_frames(path)


@contextmanager
def _collector_paused() -> Iterator[None]:
    """No cyclic garbage collection while a bulk import builds millions of acyclic objects:
    the collector's repeated passes over them cost more than the parse itself."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def apply_records(
    connection: Connection,
    parsed: Parsed[Any],
    *,
    kind: ImportKind,
    path: Path,
    settings: Settings,
    now: datetime,
) -> ImportReport:
    """Store parsed records inside the caller's transaction (a file's, or a webhook's)."""
    report = ImportReport(
        kind=kind,
        path=path,
        records=len(parsed.records),
        rejections=parsed.rejections,
        passed_over=parsed.passed_over,
    )
    found = (
        (record.currency, _label(record), Location(path, record.line, "currency"))
        for record in parsed.records
        if isinstance(record, Order | Dispute)
    )
    currency = _shop_currency(connection, found, settings=settings)
    touched = _save(connection, parsed.records, kind=kind, currency=currency, report=report)
    _finish(connection, report, touched=touched, settings=settings, now=now)
    return report


def _store_frames(
    engine: Engine, frames: OrderFrames, *, path: Path, settings: Settings, now: datetime
) -> ImportReport:
    from evenhand.store.bulk import staged_frames  # noqa: PLC0415 (Polars, ADBC)

    report = ImportReport(kind=ImportKind.SHOPIFY_ORDERS, path=path, records=frames.orders.height)
    with staged_frames(engine, frames) as (connection, stage):
        found = [(frames.currency, "this file", Location(path, None, "Currency"))]
        _shop_currency(connection, found, settings=settings)
        _, new_customers = customer_store.ensure_customers(connection, frames.customer_names())
        merged = merge_staged_orders(connection, stage=stage)
        report.created, report.updated = merged.created, merged.updated
        report.unchanged, report.stale = merged.unchanged, merged.stale
        touched = merged.customer_ids | new_customers
        _finish(
            connection,
            report,
            touched=touched,
            settings=settings,
            now=now,
            everyone=merged.everyone,
        )
    return report


def _finish(
    connection: Connection,
    report: ImportReport,
    *,
    touched: set[int],
    settings: Settings,
    now: datetime,
    everyone: bool = False,
) -> None:
    """What every import ends with: link waiting disputes, bring values up to date, audit."""
    report.disputes_linked = dispute_store.link_disputes(connection)
    if report.disputes_linked:
        touched |= dispute_store.customers_with_disputes(connection)
    if everyone:
        value_sql.recompute_all(connection, margin_rate=settings.margin_rate)
    else:
        _recompute(connection, touched, settings=settings)
    report.unlinked_disputes = dispute_store.unlinked_disputes(connection)
    details = import_out(report).model_dump(mode="json", exclude={"rejections"})
    record_event(connection, at=now, action="import", subject=str(report.path), details=details)


def _parse(kind: ImportKind, path: Path, *, skip_invalid: bool, progress: Progress) -> Parsed[Any]:
    if kind is ImportKind.SHOPIFY_ORDERS:
        return read_shopify_orders_csv(path, skip_invalid=skip_invalid, progress=progress)
    if kind is ImportKind.SHOPIFY_ORDERS_JSON:
        return read_shopify_orders_json(path, skip_invalid=skip_invalid)
    if kind is ImportKind.SHOPIFY_CUSTOMERS:
        return read_shopify_customers_csv(path, skip_invalid=skip_invalid)
    if kind is ImportKind.SHOPIFY_PRODUCTS:
        return read_shopify_products_csv(path, skip_invalid=skip_invalid)
    return read_disputes(path, skip_invalid=skip_invalid)


def _shop_currency(
    connection: Connection, found: Iterable[tuple[str, str, Location]], *, settings: Settings
) -> str | None:
    """The shop's one currency; everything the file holds (currency, what, where) must be in it."""
    stored = shop_currency(connection)
    if stored and settings.currency and stored != settings.currency:
        raise EvenhandError(
            SettingsError.BAD_SETTINGS,
            f"settings say the shop's currency is {settings.currency}, "
            f"but this database is in {stored}",
        )
    currency = stored or settings.currency
    for record_currency, label, where in found:
        if currency is None:
            currency = record_currency
        elif record_currency != currency:
            raise EvenhandError(
                InputError.CURRENCY_MISMATCH,
                f"{label} is in {record_currency}, but the shop's "
                f"currency is {currency}; nothing was imported",
                where=where,
            )
    if currency is not None and stored is None:
        set_shop_currency(connection, currency)
    return currency


def _label(record: Order | Dispute) -> str:
    return f"order {record.name}" if isinstance(record, Order) else f"dispute {record.external_id}"


def _save(
    connection: Connection,
    records: list[Any],
    *,
    kind: ImportKind,
    currency: str | None,
    report: ImportReport,
) -> set[int]:
    if kind is ImportKind.SHOPIFY_CUSTOMERS:
        created, _ = customer_store.upsert_customers(
            connection, _customers(records), currency=currency
        )
        report.created, report.updated = len(created), len(records) - len(created)
        return set(created)
    if kind is ImportKind.SHOPIFY_PRODUCTS:
        return _save_costs(connection, records, currency=currency, report=report)
    if kind is ImportKind.DISPUTES:
        saved_disputes = dispute_store.save_disputes(connection, records)
        report.created, report.updated = saved_disputes.created, saved_disputes.updated
        report.unchanged, report.stale = saved_disputes.unchanged, saved_disputes.stale
        return dispute_store.customers_with_disputes(connection)
    names: dict[str, str | None] = {}
    for order in records:
        if order.email:
            names.setdefault(order.email, order.billing_name)  # the first order names them
    ids, new_customers = customer_store.ensure_customers(connection, names)
    try:
        saved = order_store.save_orders(connection, records, customer_ids=ids)
    except ShopifyIdTakenError as taken:
        raise _located(taken, records, path=report.path, kind=kind) from None
    report.created, report.updated = saved.created, saved.updated
    report.unchanged, report.stale = saved.unchanged, saved.stale
    return saved.customer_ids | new_customers


def _located(
    taken: ShopifyIdTakenError, records: list[Any], *, path: Path, kind: ImportKind
) -> EvenhandError:
    """The refused order's line and id field: where the file says what cannot be."""
    line = next((r.line for r in records if isinstance(r, Order) and r.name == taken.name), None)
    field_name = "id" if kind is ImportKind.SHOPIFY_ORDERS_JSON else "Id"
    return EvenhandError(
        InputError.DUPLICATE_RECORD,
        f"{taken}; nothing was imported",
        where=Location(path, line, field_name),
    )


def _save_costs(
    connection: Connection, records: list[Any], *, currency: str | None, report: ImportReport
) -> set[int]:
    if currency is None:
        raise EvenhandError(
            SettingsError.BAD_SETTINGS,
            "the shop's currency is not known yet: import orders first or set `currency`",
            where=Location(report.path),
        )
    costs = [record for record in records if isinstance(record, ProductCost)]
    report.created, report.updated = save_product_costs(connection, costs, currency=currency)
    report.unchanged = len(costs) - report.created - report.updated
    return apply_product_costs(connection)


def _customers(records: list[Any]) -> list[Customer]:
    return [record for record in records if isinstance(record, Customer)]


def _recompute(connection: Connection, touched: set[int], *, settings: Settings) -> None:
    if not touched:
        return
    everyone = customer_store.count_customers(connection)
    if len(touched) > everyone * _FULL_RECOMPUTE_SHARE:
        value_sql.recompute_all(connection, margin_rate=settings.margin_rate)
    else:
        value_sql.recompute_customers(connection, touched, margin_rate=settings.margin_rate)
