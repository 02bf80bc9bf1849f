"""reviews read by the reader (language, intent, threat signals, a demand tied to the
review); each public reply's post to the platform with its state

Revision ID: 0021
Revises: 0019
Create Date: 2026-12-04 17:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0021"
down_revision = "0019"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("public_reviews") as batch_op:
        batch_op.add_column(sa.Column("read_language", sa.String(length=8), nullable=True))
        batch_op.add_column(sa.Column("intent", sa.String(length=40), nullable=True))
        batch_op.add_column(
            sa.Column("signals", sa.String(length=96), nullable=False, server_default="")
        )
        batch_op.add_column(
            sa.Column("demand", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.add_column(sa.Column("read_by", sa.String(length=80), nullable=True))
    op.create_table(
        "review_posts",
        sa.Column("review_id", sa.Integer(), nullable=False),
        sa.Column("platform", sa.String(length=16), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("detail", sa.Text(), nullable=True),
        sa.Column("posted_by", sa.String(length=320), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["review_id"],
            ["public_reviews.id"],
            name=op.f("fk_review_posts_review_id_public_reviews"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("review_id", name=op.f("pk_review_posts")),
    )


def downgrade() -> None:
    op.drop_table("review_posts")
    with op.batch_alter_table("public_reviews") as batch_op:
        for name in ("read_by", "demand", "signals", "intent", "read_language"):
            batch_op.drop_column(name)
