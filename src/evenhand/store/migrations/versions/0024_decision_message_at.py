"""when the customer wrote the words each decision was taken on, so the dispute evidence
dates each message of a ticket by its own time

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-07 14:10:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0024"
down_revision = "0023"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("decisions", sa.Column("message_at", sa.DateTime(timezone=True), nullable=True))
    # A ticket from a file or the API keeps the time of its latest row, the words its latest
    # decision was taken on: that decision is dated by it. A helpdesk's ticket keeps the time
    # it was opened, not when its latest words were written: its decisions stay NULL, as do
    # all older ones (the evidence shows them as before).
    op.execute(
        "UPDATE decisions SET message_at = (SELECT tickets.created_at FROM tickets"
        " WHERE tickets.id = decisions.ticket_id) WHERE EXISTS (SELECT 1 FROM tickets"
        " WHERE tickets.id = decisions.ticket_id AND tickets.source = 'jsonl') AND NOT EXISTS"
        " (SELECT 1 FROM decisions AS newer WHERE newer.ticket_id = decisions.ticket_id"
        " AND newer.id > decisions.id)"
    )


def downgrade() -> None:
    # A plain DROP COLUMN (SQLite 3.35+): a batch copy of the table would drop its triggers.
    op.drop_column("decisions", "message_at")
