"""Grants of fine-tuned checkpoints to other projects.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

TABLE = "fine_tuning_checkpoint_permissions"


def upgrade() -> None:
    """Create the grants table; no model is shared until its owner grants it."""
    op.create_table(
        TABLE,
        sa.Column(
            "seq",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            primary_key=True,
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("id", sa.String(64), nullable=False),
        sa.Column("project", sa.String(128), nullable=False),
        sa.Column("job_id", sa.String(64), sa.ForeignKey("fine_tuning_jobs.id"), nullable=False),
        sa.Column("fine_tuned_model_checkpoint", sa.String(512), nullable=False),
        sa.Column("project_id", sa.String(128), nullable=False),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
    )
    op.create_index(f"ix_{TABLE}_id", TABLE, ["id"], unique=True)
    op.create_index(f"ix_{TABLE}_project", TABLE, ["project"])
    op.create_index(f"ix_{TABLE}_job_id", TABLE, ["job_id"])
    op.create_index(f"ix_{TABLE}_project_id", TABLE, ["project_id"])
    op.create_index(
        f"ix_{TABLE}_grant", TABLE, ["fine_tuned_model_checkpoint", "project_id"], unique=True
    )


def downgrade() -> None:
    """Drop the table with its indexes: every grant is gone, and no model is shared."""
    op.drop_table(TABLE)
