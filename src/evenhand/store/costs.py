"""Product costs: stored per SKU, and applied to line items and their orders' margin inputs.

A line item whose SKU has a known cost gets the product's cost per item; its order's
`cost_known_minor` and `uncosted_minor` (see `evenhand.domain.value.order_figures`) are then
summed again from its line items, in SQL, the same on SQLite and PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Connection, select, text

from evenhand.domain.models import ProductCost
from evenhand.domain.money import to_minor
from evenhand.store.tables import product_costs

_UPSERT = text(
    "INSERT INTO product_costs (sku, unit_cost_minor) VALUES (:sku, :cost) "
    "ON CONFLICT (sku) DO UPDATE SET unit_cost_minor = excluded.unit_cost_minor"
)


def save_product_costs(
    connection: Connection, costs: Sequence[ProductCost], *, currency: str
) -> tuple[int, int]:
    """Insert or update each SKU's cost; returns (created, updated)."""
    stored = {
        sku: cost
        for sku, cost in connection.execute(
            select(product_costs.c.sku, product_costs.c.unit_cost_minor)
        )
    }
    rows = [{"sku": c.sku, "cost": to_minor(c.unit_cost, currency)} for c in costs]
    changed = [row for row in rows if stored.get(row["sku"]) != row["cost"]]
    if changed:
        connection.execute(_UPSERT, changed)
    created = sum(1 for row in changed if row["sku"] not in stored)
    return created, len(changed) - created


def apply_product_costs(connection: Connection, *, orders_in: str | None = None) -> set[int]:
    """Cost every line item whose SKU has a known cost (of the orders `orders_in` selects,
    a subquery of order ids, or all) and re-sum those orders' cost figures. Returns the
    customers whose value changes."""
    if connection.execute(select(product_costs.c.sku).limit(1)).first() is None:
        return set()
    scope = f" AND order_id IN ({orders_in})" if orders_in else ""
    connection.execute(
        text(
            "UPDATE line_items SET unit_cost_minor = (SELECT p.unit_cost_minor FROM product_costs p"
            " WHERE p.sku = line_items.sku)"
            f" WHERE sku IN (SELECT sku FROM product_costs){scope}"
        )
    )
    costed = f"SELECT DISTINCT order_id FROM line_items WHERE unit_cost_minor IS NOT NULL{scope}"
    connection.execute(text(_RESUM.format(costed=costed)))
    customers = connection.execute(
        text(
            f"SELECT DISTINCT customer_id FROM orders WHERE id IN ({costed})"
            " AND customer_id IS NOT NULL"
        )
    ).scalars()
    return {int(customer_id) for customer_id in customers}


_UNCOSTED = (
    "SELECT COALESCE(SUM(li.quantity * li.unit_price_minor - li.discount_minor), 0)"
    " FROM line_items li WHERE li.order_id = orders.id AND li.unit_cost_minor IS NULL"
)
_RESUM = (
    "UPDATE orders SET cost_known_minor = (SELECT COALESCE(SUM(li.quantity * li.unit_cost_minor),"
    " 0) FROM line_items li WHERE li.order_id = orders.id AND li.unit_cost_minor IS NOT NULL),"
    f" uncosted_minor = CASE WHEN ({_UNCOSTED}) > 0 THEN ({_UNCOSTED}) ELSE 0 END"
    " WHERE id IN ({costed})"
)
