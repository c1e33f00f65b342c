"""The scheduler's leader lease: one replica at a time holds the scheduler's duties.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create the scheduler_leases table; no existing row is touched."""
    op.create_table(
        "scheduler_leases",
        sa.Column("name", sa.String(64), primary_key=True, nullable=False),
        sa.Column("holder", sa.String(128), nullable=False),
        sa.Column("acquired_at_ms", sa.BigInteger(), nullable=False),
        sa.Column("expires_at_ms", sa.BigInteger(), nullable=False),
    )


def downgrade() -> None:
    """Drop the scheduler_leases table."""
    op.drop_table("scheduler_leases")
