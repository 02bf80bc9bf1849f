"""decisions: the kinds of threat signals as a column, so the queue filters them in SQL

`threats` holds the decision's signal kinds, sorted and comma-separated ("" for none),
filled from the `signals` JSON of the decisions already stored.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-24 23:59:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

_BATCH = 5_000


def upgrade() -> None:
    with op.batch_alter_table("decisions") as batch:
        batch.add_column(
            sa.Column("threats", sa.String(length=96), nullable=False, server_default="")
        )
    _fill_threats()


def _fill_threats() -> None:
    decisions = sa.table(
        "decisions",
        sa.column("id", sa.Integer),
        sa.column("signals", sa.JSON),
        sa.column("threats", sa.String),
    )
    connection = op.get_bind()
    last = 0
    while True:
        rows = connection.execute(
            sa.select(decisions.c.id, decisions.c.signals)
            .where(decisions.c.id > last)
            .order_by(decisions.c.id)
            .limit(_BATCH)
        ).all()
        if not rows:
            return
        for decision_id, signals in rows:
            kinds = sorted({signal["kind"] for signal in signals or []})
            if kinds:
                connection.execute(
                    sa.update(decisions)
                    .where(decisions.c.id == decision_id)
                    .values(threats=",".join(kinds))
                )
        last = rows[-1][0]


def downgrade() -> None:
    with op.batch_alter_table("decisions") as batch:
        batch.drop_column("threats")
