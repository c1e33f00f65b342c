"""A job may continue a fine-tuned model: its root base model and starting adapter.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add the two nullable columns; existing jobs start from their base model."""
    with op.batch_alter_table("fine_tuning_jobs") as batch:
        batch.add_column(sa.Column("base_model", sa.String(length=255), nullable=True))
        batch.add_column(sa.Column("initial_adapter_key", sa.String(length=1024), nullable=True))


def downgrade() -> None:
    """Drop them again."""
    with op.batch_alter_table("fine_tuning_jobs") as batch:
        batch.drop_column("initial_adapter_key")
        batch.drop_column("base_model")
