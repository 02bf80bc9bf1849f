"""approve = carried out: executions of approved remedies and their steps

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-03 18:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "executions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("decision_id", sa.Integer(), nullable=False),
        sa.Column("review_id", sa.Integer(), nullable=True),
        sa.Column("remedy", sa.String(length=32), nullable=False),
        sa.Column("approved_by", sa.String(length=320), nullable=False),
        sa.Column("order_shopify_id", sa.BigInteger(), nullable=True),
        sa.Column("customer_shopify_id", sa.BigInteger(), nullable=True),
        sa.Column("provider", sa.String(length=16), nullable=True),
        sa.Column("ticket_ref", sa.String(length=128), nullable=True),
        sa.Column("reply_text", sa.Text(), nullable=False),
        sa.Column("money_minor", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["decision_id"],
            ["decisions.id"],
            name=op.f("fk_executions_decision_id_decisions"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["review_id"],
            ["reviews.id"],
            name=op.f("fk_executions_review_id_reviews"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_executions")),
    )
    op.create_index("ix_executions_decision_id", "executions", ["decision_id"])
    op.create_index("ix_executions_created_at", "executions", ["created_at"])
    op.create_table(
        "execution_steps",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("execution_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("idempotency_key", sa.String(length=128), nullable=False),
        sa.Column("amount_minor", sa.BigInteger(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("result", sa.JSON(), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("done_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["execution_id"],
            ["executions.id"],
            name=op.f("fk_execution_steps_execution_id_executions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_execution_steps")),
        sa.UniqueConstraint("idempotency_key", name=op.f("uq_execution_steps_idempotency_key")),
    )
    op.create_index(
        "ix_execution_steps_state_next", "execution_steps", ["state", "next_attempt_at"]
    )
    op.create_index("ix_execution_steps_execution", "execution_steps", ["execution_id", "position"])


def downgrade() -> None:
    op.drop_table("execution_steps")
    op.drop_table("executions")
