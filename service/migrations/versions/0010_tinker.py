"""Tinker's sessions, training models, futures, checkpoints and sampling sessions.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
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
    """Create the five tinker_* tables; no existing row is touched."""
    op.create_table(
        "tinker_sessions",
        _seq(),
        sa.Column("id", sa.String(64), nullable=False),
        sa.Column("project", sa.String(128), nullable=False),
        sa.Column("sdk_version", sa.String(64), nullable=False),
        sa.Column("tags", sa.JSON(), nullable=False),
        sa.Column("user_metadata", sa.JSON(), nullable=True),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.Column("heartbeat_at", sa.BigInteger(), nullable=False),
    )
    op.create_index("ix_tinker_sessions_id", "tinker_sessions", ["id"], unique=True)
    op.create_index("ix_tinker_sessions_project", "tinker_sessions", ["project"])
    op.create_table(
        "tinker_models",
        _seq(),
        sa.Column("id", sa.String(160), nullable=False),
        sa.Column("project", sa.String(128), nullable=False),
        sa.Column("session_id", sa.String(64), nullable=False),
        sa.Column("base_model", sa.String(255), nullable=False),
        sa.Column("lora_rank", sa.Integer(), nullable=False),
        sa.Column("lora_config", sa.JSON(), nullable=False),
        sa.Column("optimizer_config", sa.JSON(), nullable=False),
        sa.Column("user_metadata", sa.JSON(), nullable=True),
        sa.Column("status", sa.String(32), nullable=False),
        sa.Column("worker", sa.String(128), nullable=True),
        sa.Column("slot", sa.String(64), nullable=True),
        sa.Column("scheduler", sa.String(128), nullable=True),
        sa.Column("worker_heartbeat_at_ms", sa.BigInteger(), nullable=True),
        sa.Column("done_seq_id", sa.Integer(), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.Column("last_request_at", sa.BigInteger(), nullable=False),
    )
    op.create_index("ix_tinker_models_id", "tinker_models", ["id"], unique=True)
    op.create_index("ix_tinker_models_project", "tinker_models", ["project"])
    op.create_index("ix_tinker_models_session_id", "tinker_models", ["session_id"])
    op.create_index("ix_tinker_models_status", "tinker_models", ["status"])
    op.create_table(
        "tinker_requests",
        _seq(),
        sa.Column("id", sa.String(64), nullable=False),
        sa.Column("project", sa.String(128), nullable=False),
        sa.Column("model_id", sa.String(160), nullable=True),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("seq_id", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("payload", sa.LargeBinary(), nullable=False),
        sa.Column("payload_type", sa.String(16), nullable=False),
        sa.Column("result", sa.LargeBinary(), nullable=True),
        sa.Column("result_type", sa.String(16), nullable=True),
        sa.Column("error", sa.JSON(), nullable=True),
        sa.Column("created_at_ms", sa.BigInteger(), nullable=False),
        sa.Column("finished_at_ms", sa.BigInteger(), nullable=True),
    )
    op.create_index("ix_tinker_requests_id", "tinker_requests", ["id"], unique=True)
    op.create_index("ix_tinker_requests_project", "tinker_requests", ["project"])
    op.create_index(
        "ix_tinker_requests_model_status_seq",
        "tinker_requests",
        ["model_id", "status", "seq_id"],
    )
    op.create_table(
        "tinker_checkpoints",
        _seq(),
        sa.Column("project", sa.String(128), nullable=False),
        sa.Column("model_id", sa.String(160), nullable=False),
        sa.Column("checkpoint_id", sa.String(300), nullable=False),
        sa.Column("checkpoint_type", sa.String(16), nullable=False),
        sa.Column("tinker_path", sa.String(512), nullable=False),
        sa.Column("storage_key", sa.String(1024), nullable=False),
        sa.Column("base_model", sa.String(255), nullable=False),
        sa.Column("size_bytes", sa.BigInteger(), nullable=True),
        sa.Column("public", sa.Boolean(), nullable=False),
        sa.Column("ephemeral", sa.Boolean(), nullable=False),
        sa.Column("user_metadata", sa.JSON(), nullable=True),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.Column("expires_at", sa.BigInteger(), nullable=True),
    )
    op.create_index("ix_tinker_checkpoints_project", "tinker_checkpoints", ["project"])
    op.create_index("ix_tinker_checkpoints_model_id", "tinker_checkpoints", ["model_id"])
    op.create_index(
        "ix_tinker_checkpoints_tinker_path", "tinker_checkpoints", ["tinker_path"], unique=True
    )
    op.create_table(
        "tinker_sampling_sessions",
        _seq(),
        sa.Column("id", sa.String(160), nullable=False),
        sa.Column("project", sa.String(128), nullable=False),
        sa.Column("session_id", sa.String(64), nullable=False),
        sa.Column("base_model", sa.String(255), nullable=False),
        sa.Column("model_path", sa.String(512), nullable=True),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
    )
    op.create_index(
        "ix_tinker_sampling_sessions_id", "tinker_sampling_sessions", ["id"], unique=True
    )
    op.create_index("ix_tinker_sampling_sessions_project", "tinker_sampling_sessions", ["project"])
    op.create_index(
        "ix_tinker_sampling_sessions_session_id", "tinker_sampling_sessions", ["session_id"]
    )


def downgrade() -> None:
    """Drop the five tables."""
    for table in (
        "tinker_sampling_sessions",
        "tinker_checkpoints",
        "tinker_requests",
        "tinker_models",
        "tinker_sessions",
    ):
        op.drop_table(table)
