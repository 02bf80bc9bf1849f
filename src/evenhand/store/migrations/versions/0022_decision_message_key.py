"""the helpdesk's id of the customer message each decision was taken on, so two events
telling of one message decide it once

Revision ID: 0022
Revises: 0017
Create Date: 2026-12-07 07:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0022"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("decisions", sa.Column("message_key", sa.String(length=128), nullable=True))


def downgrade() -> None:
    # A plain DROP COLUMN (SQLite 3.35+): a batch copy of the table would drop its triggers.
    op.drop_column("decisions", "message_key")
