"""Stored responses of the Responses API.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

TABLE = "responses"


def upgrade() -> None:
    """Create the stored-responses table; no earlier row is touched."""
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
        sa.Column("status", sa.String(32), nullable=False),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.Column("response", sa.JSON(), nullable=False),
        sa.Column("input_items", sa.JSON(), nullable=False),
        sa.Column("conversation", sa.JSON(), nullable=False),
    )
    op.create_index(f"ix_{TABLE}_id", TABLE, ["id"], unique=True)
    op.create_index(f"ix_{TABLE}_project", TABLE, ["project"])


def downgrade() -> None:
    """Drop the table: every stored response is gone."""
    op.drop_table(TABLE)
