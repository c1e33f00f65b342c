"""Grants of fine-tuned checkpoints to other projects.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01
"""

from __future__ import annotations

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Nothing yet: the revision's tables are added with their feature."""


def downgrade() -> None:
    """Nothing to undo yet."""
