"""agents' corrections of a decision's intent, the shop reader's labelled data

Revision ID: 0017
Revises: 0019
Create Date: 2026-12-04 16:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0021"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "intent_corrections",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("decision_id", sa.Integer(), nullable=False),
        sa.Column("intent", sa.String(length=40), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("corrected_by", sa.String(length=320), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["decision_id"],
            ["decisions.id"],
            name=op.f("fk_intent_corrections_decision_id_decisions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_intent_corrections")),
    )
    op.create_index(
        "ix_intent_corrections_decision_id", "intent_corrections", ["decision_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_intent_corrections_decision_id", table_name="intent_corrections")
    op.drop_table("intent_corrections")
