"""Stored responses of the Responses API.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01
"""

from __future__ import annotations

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Nothing yet: the revision's tables are added with their feature."""


def downgrade() -> None:
    """Nothing to undo yet."""
