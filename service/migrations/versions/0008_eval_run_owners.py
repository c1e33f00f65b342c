"""Eval runs get an owner: the API replica running them, and its heartbeat.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add eval_runs.runner and eval_runs.heartbeat_at, null for every existing run (which any
    replica may then take)."""
    with op.batch_alter_table("eval_runs") as batch:
        batch.add_column(sa.Column("runner", sa.String(64), nullable=True))
        batch.add_column(sa.Column("heartbeat_at", sa.BigInteger(), nullable=True))


def downgrade() -> None:
    """Drop the two columns."""
    with op.batch_alter_table("eval_runs") as batch:
        batch.drop_column("heartbeat_at")
        batch.drop_column("runner")
