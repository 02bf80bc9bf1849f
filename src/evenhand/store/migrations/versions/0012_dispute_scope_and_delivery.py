"""decisions.dispute holds the dispute's scope; orders know when a carrier delivered them

`decisions.dispute` grows from 8 to 16 characters for `this_order`, `other_order` and
`claimed` (decisions already stored keep `open` and `none`: history is never rewritten).
`orders.delivered_at` is when the carrier reported the order delivered (Shopify's
fulfilment `shipment_status: delivered`), NULL when not known.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-03 18:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("decisions") as batch:
        batch.alter_column("dispute", existing_type=sa.String(length=8), type_=sa.String(length=16))
    with op.batch_alter_table("orders") as batch:
        batch.add_column(sa.Column("delivered_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("orders") as batch:
        batch.drop_column("delivered_at")
    op.execute(
        "UPDATE decisions SET dispute = 'open' "
        "WHERE dispute IN ('this_order', 'other_order', 'claimed')"
    )
    with op.batch_alter_table("decisions") as batch:
        batch.alter_column("dispute", existing_type=sa.String(length=16), type_=sa.String(length=8))
