"""Webhook endpoints and their deliveries (the outbox).

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01
"""

from __future__ import annotations

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Nothing yet: the revision's tables are added with their feature."""


def downgrade() -> None:
    """Nothing to undo yet."""
