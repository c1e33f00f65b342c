"""Evals, their runs and the runs' output items.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def _seq() -> sa.Column:
    # SQLite only auto-increments INTEGER PRIMARY KEY; BigInteger elsewhere.
    return sa.Column(
        "seq",
        sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
        primary_key=True,
        autoincrement=True,
        nullable=False,
    )


def upgrade() -> None:
    """Create the evals, eval_runs and eval_run_output_items tables; no existing row is
    touched."""
    op.create_table(
        "evals",
        _seq(),
        sa.Column("id", sa.String(64), nullable=False),
        sa.Column("project", sa.String(128), nullable=False),
        sa.Column("name", sa.String(1024), nullable=False),
        sa.Column("data_source_config", sa.JSON(), nullable=False),
        sa.Column("testing_criteria", sa.JSON(), nullable=False),
        sa.Column("metadata", sa.JSON(), nullable=True),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
    )
    op.create_index("ix_evals_id", "evals", ["id"], unique=True)
    op.create_index("ix_evals_project", "evals", ["project"])

    op.create_table(
        "eval_runs",
        _seq(),
        sa.Column("id", sa.String(64), nullable=False),
        sa.Column("eval_id", sa.String(64), nullable=False),
        sa.Column("project", sa.String(128), nullable=False),
        sa.Column("organization", sa.String(128), nullable=False),
        sa.Column("name", sa.String(1024), nullable=False),
        sa.Column("model", sa.String(1024), nullable=False),
        sa.Column("status", sa.String(32), nullable=False),
        sa.Column("data_source", sa.JSON(), nullable=False),
        sa.Column("items", sa.JSON(), nullable=False),
        sa.Column("metadata", sa.JSON(), nullable=True),
        sa.Column("error", sa.JSON(), nullable=True),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
    )
    op.create_index("ix_eval_runs_id", "eval_runs", ["id"], unique=True)
    op.create_index("ix_eval_runs_eval_id", "eval_runs", ["eval_id"])
    op.create_index("ix_eval_runs_project", "eval_runs", ["project"])
    op.create_index("ix_eval_runs_status", "eval_runs", ["status"])

    op.create_table(
        "eval_run_output_items",
        _seq(),
        sa.Column("id", sa.String(64), nullable=False),
        sa.Column("run_id", sa.String(64), nullable=False),
        sa.Column("eval_id", sa.String(64), nullable=False),
        sa.Column("project", sa.String(128), nullable=False),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("datasource_item_id", sa.Integer(), nullable=False),
        sa.Column("datasource_item", sa.JSON(), nullable=False),
        sa.Column("results", sa.JSON(), nullable=False),
        sa.Column("sample", sa.JSON(), nullable=False),
        sa.Column("usage", sa.JSON(), nullable=False),
    )
    op.create_index("ix_eval_run_output_items_id", "eval_run_output_items", ["id"], unique=True)
    op.create_index("ix_eval_run_output_items_run_id", "eval_run_output_items", ["run_id"])
    op.create_index(
        "ux_eval_run_output_items_item",
        "eval_run_output_items",
        ["run_id", "datasource_item_id"],
        unique=True,
    )


def downgrade() -> None:
    """Drop the three tables."""
    op.drop_table("eval_run_output_items")
    op.drop_table("eval_runs")
    op.drop_table("evals")
