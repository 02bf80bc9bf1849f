"""guide adoptions: which uploaded guide is in force

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-24 17:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "guide_adoptions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version", sa.String(length=12), nullable=False),
        sa.Column("adopted_by", sa.String(length=320), nullable=False),
        sa.Column("adopted_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["version"],
            ["guide_versions.version"],
            name=op.f("fk_guide_adoptions_version_guide_versions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_guide_adoptions")),
    )


def downgrade() -> None:
    op.drop_table("guide_adoptions")
