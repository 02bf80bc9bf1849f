"""tickets: a ticket's key is unique per source, not across sources

A Zendesk ticket 123, a Gorgias ticket 123 and a JSON Lines ticket "123" are three tickets.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-24 09:00:00
"""

from __future__ import annotations

from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("tickets") as batch:
        batch.drop_constraint(op.f("uq_tickets_ticket_key"), type_="unique")
        batch.create_unique_constraint(
            op.f("uq_tickets_source_ticket_key"), ["source", "ticket_key"]
        )


def downgrade() -> None:
    with op.batch_alter_table("tickets") as batch:
        batch.drop_constraint(op.f("uq_tickets_source_ticket_key"), type_="unique")
        batch.create_unique_constraint(op.f("uq_tickets_ticket_key"), ["ticket_key"])
