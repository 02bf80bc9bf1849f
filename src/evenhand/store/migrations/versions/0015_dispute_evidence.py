"""the dispute desk: each dispute's edited evidence and when it was sent and submitted;
customers' public reviews

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-03 18:45:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "dispute_evidence",
        sa.Column("dispute_id", sa.Integer(), nullable=False),
        sa.Column("fields", sa.JSON(), nullable=False),
        sa.Column("edited_by", sa.String(length=320), nullable=True),
        sa.Column("edited_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("sent_by", sa.String(length=320), nullable=True),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("submitted_by", sa.String(length=320), nullable=True),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["dispute_id"],
            ["disputes.id"],
            name=op.f("fk_dispute_evidence_dispute_id_disputes"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("dispute_id", name=op.f("pk_dispute_evidence")),
    )
    op.create_table(
        "public_reviews",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("platform", sa.String(length=16), nullable=False),
        sa.Column("external_id", sa.String(length=255), nullable=False),
        sa.Column("rating", sa.Integer(), nullable=False),
        sa.Column("title", sa.Text(), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reviewer", sa.Text(), nullable=True),
        sa.Column("reviewer_email", sa.String(length=320), nullable=True),
        sa.Column("order_ref", sa.String(length=64), nullable=True),
        sa.Column("language", sa.String(length=8), nullable=True),
        sa.Column("customer_id", sa.Integer(), nullable=True),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reply_text", sa.Text(), nullable=True),
        sa.Column("replied_by", sa.String(length=320), nullable=True),
        sa.Column("replied_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customers.id"],
            name=op.f("fk_public_reviews_customer_id_customers"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_public_reviews")),
        sa.UniqueConstraint(
            "platform", "external_id", name="uq_public_reviews_platform_external_id"
        ),
    )
    op.create_index("ix_public_reviews_customer_id", "public_reviews", ["customer_id"])


def downgrade() -> None:
    op.drop_index("ix_public_reviews_customer_id", table_name="public_reviews")
    op.drop_table("public_reviews")
    op.drop_table("dispute_evidence")
