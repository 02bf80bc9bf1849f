"""the customer's words each decision was taken on, so an older decision shows its own
message and an agent's correction of it is learnt with those words

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-07 10:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0023"
down_revision = "0022"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("decisions", sa.Column("message_body", sa.Text(), nullable=True))
    # A ticket holds its latest decision's words: that decision keeps them from now on (the
    # older decisions' words are gone, and stay NULL).
    op.execute(
        "UPDATE decisions SET message_body = (SELECT tickets.body FROM tickets"
        " WHERE tickets.id = decisions.ticket_id) WHERE NOT EXISTS (SELECT 1 FROM decisions"
        " AS newer WHERE newer.ticket_id = decisions.ticket_id AND newer.id > decisions.id)"
    )


def downgrade() -> None:
    # A plain DROP COLUMN (SQLite 3.35+): a batch copy of the table would drop its triggers.
    op.drop_column("decisions", "message_body")
