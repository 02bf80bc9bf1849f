"""llm_readings: what the optional LLM reader took per decision it was to read (tokens,
latency, requests) and why the built-in reading was kept, if it was

Revision ID: 0018
Revises: 0016
Create Date: 2026-12-04 16:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0018"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "llm_readings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("decision_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("model", sa.String(length=128), nullable=False),
        sa.Column("prompt_tokens", sa.Integer(), nullable=False),
        sa.Column("completion_tokens", sa.Integer(), nullable=False),
        sa.Column("latency_ms", sa.Integer(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("fallback", sa.String(length=32), nullable=True),
        sa.ForeignKeyConstraint(
            ["decision_id"],
            ["decisions.id"],
            name=op.f("fk_llm_readings_decision_id_decisions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_llm_readings")),
        sa.UniqueConstraint("decision_id", name=op.f("uq_llm_readings_decision_id")),
    )
    op.create_index("ix_llm_readings_at", "llm_readings", ["at"])


def downgrade() -> None:
    op.drop_index("ix_llm_readings_at", table_name="llm_readings")
    op.drop_table("llm_readings")
