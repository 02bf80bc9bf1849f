"""Staging tables and the one SQL merge that moves staged orders into the shop's tables.

Every orders import fills the staging tables with ready rows (money in minor units, value
figures computed, customers resolved), then `merge_staged_orders` classifies each staged
order against what is stored (insert / update / unchanged / stale), applies it, and
replaces the line items and payment references of what it inserted or updated. Staging is
filled either row by row from domain orders (`evenhand.store.orders`) or in bulk from
columnar frames (`evenhand.store.bulk`); the merge is the same SQL on SQLite and PostgreSQL.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import BigInteger, Column, Connection, Integer, MetaData, Table, Text, text

from evenhand.store.costs import apply_product_costs
from evenhand.store.tables import line_items, orders, payment_references

# Columns of `orders` that staging carries (all but the id), in this order.
ORDER_COLUMNS = tuple(column.name for column in orders.columns if column.name != "id")
# A staged order's place in the stage (1, 2, ... with no gap); its line items and payment
# references carry it as their `order_index`.
STAGE_INDEX = "stage_index"
# What a staged line item gives `line_items` (besides its order's id).
LINE_ITEM_FIELDS = (
    "position",
    "name",
    "sku",
    "quantity",
    "unit_price_minor",
    "discount_minor",
    "unit_cost_minor",
    "fulfillment_status",
)
ITEM_COLUMNS = ("order_name", "order_index", *LINE_ITEM_FIELDS)
REFERENCE_COLUMNS = ("order_name", "order_index", "reference")
# What the merge decides for a staged order.
INSERT, UPDATE, UNCHANGED, STALE = "insert", "update", "unchanged", "stale"

staging_metadata = MetaData()


def _order_stage_columns() -> list[Column[Any]]:
    columns: list[Column[Any]] = [
        Column(c.name, c.type, nullable=True) for c in orders.columns if c.name != "id"
    ]
    columns.append(Column(STAGE_INDEX, Integer))
    columns.append(Column("action", Text))  # what the merge decides
    columns.append(Column("order_id", BigInteger))
    columns.append(Column("old_customer_id", BigInteger))
    return columns


stage_orders = Table(
    "stage_orders",
    staging_metadata,
    *_order_stage_columns(),
    prefixes=["TEMPORARY"],
    postgresql_on_commit="drop",
)
stage_items = Table(
    "stage_items",
    staging_metadata,
    Column("order_name", Text),
    Column("order_index", Integer),
    Column("position", Integer),
    Column("name", Text),
    Column("sku", Text),
    Column("quantity", Integer),
    Column("unit_price_minor", BigInteger),
    Column("discount_minor", BigInteger),
    Column("unit_cost_minor", BigInteger),
    Column("fulfillment_status", Text),
    prefixes=["TEMPORARY"],
    postgresql_on_commit="drop",
)
stage_references = Table(
    "stage_references",
    staging_metadata,
    Column("order_name", Text),
    Column("order_index", Integer),
    Column("reference", Text),
    prefixes=["TEMPORARY"],
    postgresql_on_commit="drop",
)


@dataclass(frozen=True, slots=True)
class Stage:
    """Where the staged rows are: the schema prefix ("temp.", an attached database's name
    and a dot, or "") of the staged orders, and that of their line items and references."""

    orders_schema: str
    lines_schema: str

    @classmethod
    def in_one_schema(cls, schema: str) -> Stage:
        return cls(orders_schema=schema, lines_schema=schema)

    @property
    def orders(self) -> str:
        return f"{self.orders_schema}{stage_orders.name}"

    @property
    def items(self) -> str:
        return f"{self.lines_schema}{stage_items.name}"

    @property
    def references(self) -> str:
        return f"{self.lines_schema}{stage_references.name}"


@dataclass(slots=True)
class MergedOrders:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    stale: int = 0
    customer_ids: set[int] = field(default_factory=set)  # whose value must be recomputed
    everyone: bool = False  # so many changed that every customer is recomputed


def create_temporary_stage(connection: Connection) -> Stage:
    """Empty temporary staging tables on this connection; returns where they are.

    SQLite keeps them for the connection's life, emptied after each use (creating three
    tables cost more than the rest of a one-order webhook); PostgreSQL drops them at commit.
    """
    sqlite = connection.dialect.name == "sqlite"
    for table in staging_metadata.sorted_tables:
        if sqlite:
            table.create(connection, checkfirst=True)
            connection.execute(text(f"DELETE FROM temp.{table.name}"))
        else:
            connection.execute(text(f"DROP TABLE IF EXISTS {table.name}"))
            table.create(connection)
    return Stage.in_one_schema(_temporary(connection))


def drop_temporary_stage(connection: Connection) -> None:
    """Done with the stage: emptied on SQLite (kept for the next import), dropped elsewhere."""
    sqlite = connection.dialect.name == "sqlite"
    for table in staging_metadata.sorted_tables:
        statement = (
            f"DELETE FROM temp.{table.name}" if sqlite else f"DROP TABLE IF EXISTS {table.name}"
        )
        connection.execute(text(statement))


def _temporary(connection: Connection) -> str:
    return "temp." if connection.dialect.name == "sqlite" else ""


# A load this large, and larger than what is stored, rebuilds the secondary indexes
# afterwards (one sort) instead of updating them row by row.
_REBUILD_INDEXES_FROM = 50_000
_INDEXED_TABLES = (orders, line_items, payment_references)


def merge_staged_orders(connection: Connection, *, stage: Stage) -> MergedOrders:
    """Apply the staged orders to `orders`, `line_items` and `payment_references`."""
    matched = sum(
        connection.execute(text(statement)).rowcount for statement in _classify_statements(stage)
    )
    counts = _action_counts(connection, stage, matched=matched)
    _refuse_taken_shopify_ids(connection, stage)
    rebuild = _worth_rebuilding_indexes(connection, inserts=counts.get(INSERT, 0))
    apply = _statements_for(connection, stage, counts=counts)
    if rebuild:
        for table in _INDEXED_TABLES:
            for index in table.indexes:
                index.drop(connection)
    for statement in apply:
        connection.execute(text(statement))
    if rebuild:
        for table in _INDEXED_TABLES:
            for index in table.indexes:
                index.create(connection)
    apply_product_costs(connection, orders_in=_merged_order_ids(stage))
    return _merge_result(connection, stage, counts=counts, everyone=rebuild)


@dataclass
class ShopifyIdTakenError(Exception):
    """A staged order carries the Shopify order id of another order (stored, or staged
    before it): Shopify gives each order one id, so the input is wrong."""

    name: str
    shopify_id: int
    taken_by: str

    def __str__(self) -> str:
        return (
            f"order {self.name} has Shopify id {self.shopify_id}, which order {self.taken_by}"
            " already has"
        )


def _refuse_taken_shopify_ids(connection: Connection, stage: Stage) -> None:
    """Raise `ShopifyIdTakenError` for the first staged order whose Shopify id a stored order
    of another name has: the unique key would refuse it anyway, without saying which order.
    (Staged orders that share an id are refused before staging, where it is cheaper.)"""
    stored = connection.execute(
        text(
            f"""SELECT s.name, s.shopify_id, o.name FROM {stage.orders} s
                JOIN orders o ON o.shopify_id = s.shopify_id
                WHERE o.name <> s.name ORDER BY s.{STAGE_INDEX} LIMIT 1"""
        )
    ).first()
    if stored is not None:
        raise ShopifyIdTakenError(name=stored[0], shopify_id=stored[1], taken_by=stored[2])


def _action_counts(connection: Connection, stage: Stage, *, matched: int) -> dict[str, int]:
    """How many staged orders take each action. When none matched a stored order, every one
    is an insert, and a count is all it takes (0.02 s against 0.11 s for 625,000 orders)."""
    if not matched:
        staged = connection.execute(text(f"SELECT COUNT(*) FROM {stage.orders}")).scalar_one()
        return {INSERT: staged} if staged else {}
    grouped = connection.execute(
        text(f"SELECT action, COUNT(*) FROM {stage.orders} GROUP BY action")
    )
    return {action: count for action, count in grouped}


def _statements_for(connection: Connection, stage: Stage, *, counts: dict[str, int]) -> list[str]:
    """None when nothing is new or changed; numbered inserts when everything staged is new
    (on SQLite); else the general statements."""
    inserts = counts.get(INSERT, 0)
    if not inserts + counts.get(UPDATE, 0):
        return []
    if inserts == sum(counts.values()) and connection.dialect.name == "sqlite":
        return _numbered_statements(stage, first=_next_order_id(connection))
    return _apply_statements(stage)


def _worth_rebuilding_indexes(connection: Connection, *, inserts: int) -> bool:
    if inserts < _REBUILD_INDEXES_FROM:
        return False
    stored = connection.execute(text("SELECT COUNT(*) FROM orders")).scalar_one()
    return bool(inserts > stored)


def _order_values() -> dict[str, str]:
    """Each column of `orders` with what it takes from the staged order `s`."""
    values = {column: f"s.{column}" for column in ORDER_COLUMNS}
    # Bulk-staged orders leave the customer to the merge: found by e-mail address.
    values["customer_id"] = (
        "COALESCE(s.customer_id, (SELECT c.id FROM customers c WHERE c.email = s.email))"
    )
    return values


def _classify_statements(where: Stage) -> list[str]:
    """Each staged order's action, and the id of the stored order of its name."""
    stage = where.orders
    return [
        f"""UPDATE {stage} SET order_id = o.id, old_customer_id = o.customer_id,
                action = CASE WHEN o.source_digest = {stage}.source_digest THEN '{UNCHANGED}'
                              WHEN o.source_updated_at > {stage}.source_updated_at THEN '{STALE}'
                              ELSE '{UPDATE}' END
            FROM orders o WHERE o.name = {stage}.name""",
    ]


def _apply_statements(where: Stage) -> list[str]:
    """Update, insert, and replace the line items and references of what changed; line
    items and references find their order by its name."""
    stage, items, refs = where.orders, where.items, where.references
    values = _order_values()
    assignments = ", ".join(f"{column} = {value}" for column, value in values.items())
    listed, selected = ", ".join(values), ", ".join(values.values())
    item_columns = ", ".join(LINE_ITEM_FIELDS)
    return [
        # Line items and references find their staged order by name (classifying needs no
        # index: it reads the stage in order and looks each name up in `orders`).
        f"CREATE INDEX IF NOT EXISTS {where.orders_schema}ix_stage_orders_name"
        " ON stage_orders (name)",
        f"""DELETE FROM line_items WHERE order_id IN
            (SELECT order_id FROM {stage} WHERE action = '{UPDATE}')""",
        f"""DELETE FROM payment_references WHERE order_id IN
            (SELECT order_id FROM {stage} WHERE action = '{UPDATE}')""",
        f"""UPDATE orders SET {assignments} FROM {stage} s
            WHERE orders.id = s.order_id AND s.action = '{UPDATE}'""",
        f"""INSERT INTO orders ({listed}) SELECT {selected} FROM {stage} s
            WHERE s.action = '{INSERT}'""",
        f"""INSERT INTO line_items (order_id, {item_columns})
            SELECT o.id, {", ".join(f"i.{c}" for c in LINE_ITEM_FIELDS)}
            FROM {items} i JOIN {stage} s ON s.name = i.order_name
            JOIN orders o ON o.name = i.order_name
            WHERE s.action IN ('{INSERT}', '{UPDATE}')""",
        f"""INSERT INTO payment_references (reference, order_id)
            SELECT r.reference, o.id FROM {refs} r JOIN {stage} s ON s.name = r.order_name
            JOIN orders o ON o.name = r.order_name
            WHERE s.action IN ('{INSERT}', '{UPDATE}')
            ORDER BY r.reference
            ON CONFLICT DO NOTHING""",
    ]


def _next_order_id(connection: Connection) -> int:
    """The id SQLite gives the next order (under the write lock the import holds)."""
    largest = connection.execute(text("SELECT MAX(id) FROM orders")).scalar_one()
    return 1 if largest is None else int(largest) + 1


def _numbered_statements(where: Stage, *, first: int) -> list[str]:
    """Every staged order is new: the one at stage index k gets the id `first` + k - 1, as
    SQLite would give it, so that its line items and references take their order's id from
    their `order_index` instead of finding the order by its name (0.8 s of a million-item
    import). SQLite only: elsewhere ids come from a sequence other sessions share."""
    values = _order_values()
    listed, selected = ", ".join(values), ", ".join(values.values())
    offset = int(first) - 1
    return [
        f"""INSERT INTO orders (id, {listed}) SELECT {offset} + s.{STAGE_INDEX}, {selected}
            FROM {where.orders} s""",
        f"""INSERT INTO line_items (order_id, {", ".join(LINE_ITEM_FIELDS)})
            SELECT {offset} + i.order_index, {", ".join(f"i.{c}" for c in LINE_ITEM_FIELDS)}
            FROM {where.items} i""",
        f"""INSERT INTO payment_references (reference, order_id)
            SELECT r.reference, {offset} + r.order_index FROM {where.references} r
            ORDER BY r.reference
            ON CONFLICT DO NOTHING""",
    ]


def _merged_order_ids(stage: Stage) -> str:
    """A subquery: the ids of the orders the merge inserted or updated."""
    return (
        f"SELECT o.id FROM {stage.orders} s JOIN orders o ON o.name = s.name"
        f" WHERE s.action IN ('{INSERT}', '{UPDATE}')"
    )


def _merge_result(
    connection: Connection, where: Stage, *, counts: dict[str, int], everyone: bool
) -> MergedOrders:
    """Counts per decision, and whose value changed (`everyone` after a load larger than
    what was stored: then the caller recomputes all customers anyway)."""
    stage = where.orders
    merged = MergedOrders(
        created=counts.get(INSERT, 0),
        updated=counts.get(UPDATE, 0),
        unchanged=counts.get(UNCHANGED, 0),
        stale=counts.get(STALE, 0),
        everyone=everyone,
    )
    if not everyone:
        touched = connection.execute(
            text(
                f"""SELECT customer_id FROM orders WHERE id IN ({_merged_order_ids(where)})
            AND customer_id IS NOT NULL
            UNION SELECT old_customer_id FROM {stage} WHERE action = '{UPDATE}'
            AND old_customer_id IS NOT NULL"""
            )
        ).scalars()
        merged.customer_ids = {int(customer_id) for customer_id in touched}
    return merged
