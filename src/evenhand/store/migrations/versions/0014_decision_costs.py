"""decisions: the remedy's expected cost, how it was computed, and the order's costs

`expected_cost_minor` is the remedy's expected cost (`evenhand.domain.costs`) in the
decision's currency, minor units; `cost_computation` the one line that says how;
`order_costs` the ticket's order as the cost model priced it (total, merchandise, known
cost, uncosted value), so a replay prices another remedy without reading the order again.
All three are NULL for decisions taken before costs were kept.

guide_adoptions: `replay`, the figures of the replay a manager saw before adopting (how
many decisions change, the expected cost now and under the guide); NULL for adoptions
without one.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-03 18:45:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("decisions") as batch:
        batch.add_column(sa.Column("expected_cost_minor", sa.BigInteger(), nullable=True))
        batch.add_column(sa.Column("cost_computation", sa.Text(), nullable=True))
        batch.add_column(sa.Column("order_costs", sa.JSON(), nullable=True))
    with op.batch_alter_table("guide_adoptions") as batch:
        batch.add_column(sa.Column("replay", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("guide_adoptions") as batch:
        batch.drop_column("replay")
    with op.batch_alter_table("decisions") as batch:
        batch.drop_column("order_costs")
        batch.drop_column("cost_computation")
        batch.drop_column("expected_cost_minor")
