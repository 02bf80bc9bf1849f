"""shop readers: which one is adopted (with the figures it was adopted on), and which reader
read each decision's message

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-03 19:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "reader_adoptions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version", sa.String(length=40), nullable=False),
        sa.Column("adopted_by", sa.String(length=320), nullable=False),
        sa.Column("adopted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("figures", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("decisions") as batch_op:
        batch_op.add_column(
            sa.Column("reader", sa.String(length=40), nullable=False, server_default="built-in")
        )


def downgrade() -> None:
    with op.batch_alter_table("decisions") as batch_op:
        batch_op.drop_column("reader")
    op.drop_table("reader_adoptions")
