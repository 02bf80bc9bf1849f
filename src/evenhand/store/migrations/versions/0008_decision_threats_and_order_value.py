"""decisions: the kinds of threat signals and the order's value as columns, so the queue
filters and the dashboard counts in SQL

`threats` holds the decision's signal kinds, sorted and comma-separated ("" for none);
`order_value_minor` the `order_value` fact (the order's total, in the decision's currency)
in minor units, or NULL when the ticket named no order. Both are filled from the `signals`
and `facts` JSON of the decisions already stored.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-24 23:59:00
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from alembic import op

from evenhand.domain.money import to_minor

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

_BATCH = 5_000
_DECISIONS = sa.table(
    "decisions",
    sa.column("id", sa.Integer),
    sa.column("signals", sa.JSON),
    sa.column("facts", sa.JSON),
    sa.column("currency", sa.String),
    sa.column("threats", sa.String),
    sa.column("order_value_minor", sa.BigInteger),
)


def upgrade() -> None:
    with op.batch_alter_table("decisions") as batch:
        batch.add_column(
            sa.Column("threats", sa.String(length=96), nullable=False, server_default="")
        )
        batch.add_column(sa.Column("order_value_minor", sa.BigInteger(), nullable=True))
    _fill()


def _fill() -> None:
    table, connection, last = _DECISIONS, op.get_bind(), 0
    while True:
        rows = connection.execute(
            sa.select(table.c.id, table.c.signals, table.c.facts, table.c.currency)
            .where(table.c.id > last)
            .order_by(table.c.id)
            .limit(_BATCH)
        ).all()
        if not rows:
            return
        for row in rows:
            values = _columns(row.signals, row.facts, row.currency)
            if values:
                connection.execute(sa.update(table).where(table.c.id == row.id).values(**values))
        last = rows[-1].id


def _columns(signals: Any, facts: Any, currency: str) -> dict[str, Any]:
    values: dict[str, Any] = {}
    kinds = sorted({signal["kind"] for signal in signals or []})
    if kinds:
        values["threats"] = ",".join(kinds)
    order_value = (facts or {}).get("order_value")
    if order_value is not None:
        values["order_value_minor"] = to_minor(Decimal(str(order_value)), currency)
    return values


def downgrade() -> None:
    with op.batch_alter_table("decisions") as batch:
        batch.drop_column("order_value_minor")
        batch.drop_column("threats")
