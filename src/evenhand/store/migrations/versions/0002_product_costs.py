"""product costs

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24 03:05:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "product_costs",
        sa.Column("sku", sa.String(length=255), nullable=False),
        sa.Column("unit_cost_minor", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("sku", name=op.f("pk_product_costs")),
    )


def downgrade() -> None:
    op.drop_table("product_costs")
