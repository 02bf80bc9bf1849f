"""decisions: the ticket's order value in minor units, so the dashboard sums it in SQL

`order_value_minor` is the `order_value` fact (the order's total, in the decision's
currency) in minor units, or NULL when the ticket named no order; filled from the `facts`
JSON of the decisions already stored.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-25 00:15:00
"""

from __future__ import annotations

from decimal import Decimal

import sqlalchemy as sa
from alembic import op

from evenhand.domain.money import to_minor

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

_BATCH = 5_000


def upgrade() -> None:
    with op.batch_alter_table("decisions") as batch:
        batch.add_column(sa.Column("order_value_minor", sa.BigInteger(), nullable=True))
    _fill_order_values()


def _fill_order_values() -> None:
    decisions = sa.table(
        "decisions",
        sa.column("id", sa.Integer),
        sa.column("facts", sa.JSON),
        sa.column("currency", sa.String),
        sa.column("order_value_minor", sa.BigInteger),
    )
    connection = op.get_bind()
    last = 0
    while True:
        rows = connection.execute(
            sa.select(decisions.c.id, decisions.c.facts, decisions.c.currency)
            .where(decisions.c.id > last)
            .order_by(decisions.c.id)
            .limit(_BATCH)
        ).all()
        if not rows:
            return
        for decision_id, facts, currency in rows:
            value = (facts or {}).get("order_value")
            if value is not None:
                connection.execute(
                    sa.update(decisions)
                    .where(decisions.c.id == decision_id)
                    .values(order_value_minor=to_minor(Decimal(str(value)), currency))
                )
        last = rows[-1][0]


def downgrade() -> None:
    with op.batch_alter_table("decisions") as batch:
        batch.drop_column("order_value_minor")
