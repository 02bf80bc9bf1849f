"""Customer value figures, summed from the orders' stored figures in one SQL pass.

The per-order figures come from `evenhand.domain.value.order_figures`; this only adds
them up and applies the margin rate, in integer minor units (truncating division, the
same on SQLite and PostgreSQL).
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import BindParameter, Connection, TextClause, bindparam, text

from evenhand.domain.models import OPEN_DISPUTE_STATUSES
from evenhand.store.statements import chunked
from evenhand.store.tables import UtcDateTime

_MARGIN = (
    "(o.subtotal_minor - o.cost_known_minor - (o.uncosted_minor * (10000 - :rate_bp)) / 10000)"
)
_KEPT_MARGIN = (
    f"CASE WHEN o.value_gross_minor > 0 THEN {_MARGIN}"
    " * (o.value_gross_minor - o.value_refund_minor) / o.value_gross_minor"
    f" ELSE {_MARGIN} END"
)

_RECOMPUTE = f"""
INSERT INTO customer_values (customer_id, orders, gross_minor, refunds_minor, margin_minor,
                             first_order_at, last_order_at, open_disputes)
SELECT c.id, COALESCE(v.orders, 0), COALESCE(v.gross, 0), COALESCE(v.refunds, 0),
       COALESCE(v.margin, 0), v.first_at, v.last_at, COALESCE(d.open_disputes, 0)
FROM customers c
LEFT JOIN (
    SELECT o.customer_id, COUNT(*) AS orders, SUM(o.value_gross_minor) AS gross,
           SUM(o.value_refund_minor) AS refunds, SUM({_KEPT_MARGIN}) AS margin,
           MIN(o.created_at) AS first_at, MAX(o.created_at) AS last_at
    FROM orders o
    WHERE o.exclusion IS NULL AND o.customer_id IS NOT NULL {{order_filter}}
    GROUP BY o.customer_id
) v ON v.customer_id = c.id
LEFT JOIN (
    SELECT o.customer_id, COUNT(*) AS open_disputes
    FROM disputes d CROSS JOIN orders o  -- from the few disputes to their orders
    WHERE o.id = d.order_id
    AND d.status IN :open_statuses {{order_filter}}
    GROUP BY o.customer_id
) d ON d.customer_id = c.id
{{customer_filter}}
"""


def _statement(*, filtered: bool, as_of: bool = False) -> TextClause:
    orders_before = " AND o.created_at < :as_of" if as_of else ""
    sql = _RECOMPUTE.format(
        order_filter=("AND o.customer_id IN :ids" if filtered else "") + orders_before,
        customer_filter="WHERE c.id IN :ids" if filtered else "",
    )
    params: list[BindParameter[Any]] = [bindparam("open_statuses", expanding=True)]
    if filtered:
        params.append(bindparam("ids", expanding=True))
    if as_of:
        params.append(bindparam("as_of", type_=UtcDateTime()))
    return text(sql).bindparams(*params)


def _rate_bp(margin_rate: Decimal) -> int:
    return int((margin_rate * 10000).to_integral_value())


def recompute_all(connection: Connection, *, margin_rate: Decimal) -> None:
    """Every customer's figures from scratch, in one pass over the orders."""
    connection.execute(text("DELETE FROM customer_values"))
    connection.execute(
        _statement(filtered=False),
        {"rate_bp": _rate_bp(margin_rate), "open_statuses": sorted(OPEN_DISPUTE_STATUSES)},
    )


def recompute_customers(
    connection: Connection,
    customer_ids: Collection[int],
    *,
    margin_rate: Decimal,
    as_of: datetime | None = None,
) -> None:
    """The figures of just these customers (what an import touched); with `as_of`, from
    their orders placed before that moment only (the demo deciding its past tickets)."""
    statement = _statement(filtered=True, as_of=as_of is not None)
    delete = text("DELETE FROM customer_values WHERE customer_id IN :ids").bindparams(
        bindparam("ids", expanding=True)
    )
    for part in chunked(sorted(customer_ids)):
        connection.execute(delete, {"ids": list(part)})
        connection.execute(
            statement,
            {
                "ids": list(part),
                "rate_bp": _rate_bp(margin_rate),
                "open_statuses": sorted(OPEN_DISPUTE_STATUSES),
            }
            | ({"as_of": as_of} if as_of is not None else {}),
        )
