"""The schema as the releases before migrations made it with `create_all`.

A database they made is stamped at this revision instead of running it, so every name here
(tables, columns, indexes) must stay what `create_all` produced from `service/db/tables.py`.

Revision ID: 0001
Revises:
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
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
    """Create the six tables and their indexes."""
    op.create_table(
        "files",
        _seq(),
        sa.Column("id", sa.String(64), nullable=False),
        sa.Column("project", sa.String(128), nullable=False),
        sa.Column("filename", sa.String(1024), nullable=False),
        sa.Column("purpose", sa.String(64), nullable=False),
        sa.Column("bytes", sa.BigInteger(), nullable=False),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.Column("expires_at", sa.BigInteger(), nullable=True),
        sa.Column("status", sa.String(32), nullable=False),
        sa.Column("status_details", sa.Text(), nullable=True),
        sa.Column("storage_key", sa.String(1024), nullable=False),
    )
    op.create_index("ix_files_id", "files", ["id"], unique=True)
    op.create_index("ix_files_project", "files", ["project"])
    op.create_index("ix_files_project_purpose", "files", ["project", "purpose"])

    op.create_table(
        "uploads",
        _seq(),
        sa.Column("id", sa.String(64), nullable=False),
        sa.Column("project", sa.String(128), nullable=False),
        sa.Column("filename", sa.String(1024), nullable=False),
        sa.Column("purpose", sa.String(64), nullable=False),
        sa.Column("bytes", sa.BigInteger(), nullable=False),
        sa.Column("mime_type", sa.String(255), nullable=False),
        sa.Column("status", sa.String(32), nullable=False),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.Column("expires_at", sa.BigInteger(), nullable=False),
        sa.Column("file_id", sa.String(64), nullable=True),
        sa.Column("file_expires_after_seconds", sa.BigInteger(), nullable=True),
    )
    op.create_index("ix_uploads_id", "uploads", ["id"], unique=True)
    op.create_index("ix_uploads_project", "uploads", ["project"])

    op.create_table(
        "upload_parts",
        _seq(),
        sa.Column("id", sa.String(64), nullable=False),
        sa.Column("upload_id", sa.String(64), sa.ForeignKey("uploads.id"), nullable=False),
        sa.Column("project", sa.String(128), nullable=False),
        sa.Column("bytes", sa.BigInteger(), nullable=False),
        sa.Column("md5", sa.String(32), nullable=False),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.Column("storage_key", sa.String(1024), nullable=False),
    )
    op.create_index("ix_upload_parts_id", "upload_parts", ["id"], unique=True)
    op.create_index("ix_upload_parts_upload_id", "upload_parts", ["upload_id"])

    op.create_table(
        "fine_tuning_jobs",
        _seq(),
        sa.Column("id", sa.String(64), nullable=False),
        sa.Column("project", sa.String(128), nullable=False),
        sa.Column("organization", sa.String(128), nullable=False),
        sa.Column("model", sa.String(255), nullable=False),
        sa.Column("training_file", sa.String(64), nullable=False),
        sa.Column("validation_file", sa.String(64), nullable=True),
        sa.Column("suffix", sa.String(64), nullable=True),
        sa.Column("seed", sa.BigInteger(), nullable=False),
        sa.Column("status", sa.String(32), nullable=False),
        sa.Column("method", sa.JSON(), nullable=False),
        # The ORM attribute is `job_metadata`; the column keeps OpenAI's field name.
        sa.Column("metadata", sa.JSON(), nullable=True),
        sa.Column("integrations", sa.JSON(), nullable=True),
        sa.Column("error", sa.JSON(), nullable=True),
        sa.Column("fine_tuned_model", sa.String(512), nullable=True),
        sa.Column("fine_tuned_model_deleted", sa.Boolean(), nullable=False),
        sa.Column("adapter_key", sa.String(1024), nullable=True),
        sa.Column("result_files", sa.JSON(), nullable=False),
        sa.Column("trained_tokens", sa.BigInteger(), nullable=True),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.Column("finished_at", sa.BigInteger(), nullable=True),
        sa.Column("estimated_finish", sa.BigInteger(), nullable=True),
        sa.Column("queued_seq", sa.BigInteger(), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("worker", sa.String(128), nullable=True),
        sa.Column("heartbeat_at", sa.BigInteger(), nullable=True),
        sa.Column("requested_action", sa.String(16), nullable=True),
        sa.Column("model_token", sa.String(16), nullable=True),
    )
    op.create_index("ix_fine_tuning_jobs_id", "fine_tuning_jobs", ["id"], unique=True)
    op.create_index("ix_fine_tuning_jobs_project", "fine_tuning_jobs", ["project"])
    op.create_index("ix_fine_tuning_jobs_status", "fine_tuning_jobs", ["status"])
    op.create_index(
        "ix_fine_tuning_jobs_fine_tuned_model", "fine_tuning_jobs", ["fine_tuned_model"]
    )
    op.create_index("ix_fine_tuning_jobs_queued_seq", "fine_tuning_jobs", ["queued_seq"])

    op.create_table(
        "fine_tuning_job_events",
        _seq(),
        sa.Column("id", sa.String(64), nullable=False),
        sa.Column("job_id", sa.String(64), sa.ForeignKey("fine_tuning_jobs.id"), nullable=False),
        sa.Column("project", sa.String(128), nullable=False),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.Column("level", sa.String(8), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("type", sa.String(16), nullable=False),
        sa.Column("data", sa.JSON(), nullable=True),
    )
    op.create_index("ix_fine_tuning_job_events_id", "fine_tuning_job_events", ["id"], unique=True)
    op.create_index("ix_fine_tuning_job_events_job_id", "fine_tuning_job_events", ["job_id"])

    op.create_table(
        "fine_tuning_job_checkpoints",
        _seq(),
        sa.Column("id", sa.String(64), nullable=False),
        sa.Column("job_id", sa.String(64), sa.ForeignKey("fine_tuning_jobs.id"), nullable=False),
        sa.Column("project", sa.String(128), nullable=False),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.Column("step_number", sa.Integer(), nullable=False),
        sa.Column("metrics", sa.JSON(), nullable=False),
        sa.Column("fine_tuned_model_checkpoint", sa.String(512), nullable=False),
        sa.Column("storage_key", sa.String(1024), nullable=False),
        sa.Column("available", sa.Boolean(), nullable=False),
    )
    op.create_index(
        "ix_fine_tuning_job_checkpoints_id", "fine_tuning_job_checkpoints", ["id"], unique=True
    )
    op.create_index(
        "ix_fine_tuning_job_checkpoints_job_id", "fine_tuning_job_checkpoints", ["job_id"]
    )
    op.create_index(
        "ix_fine_tuning_job_checkpoints_fine_tuned_model_checkpoint",
        "fine_tuning_job_checkpoints",
        ["fine_tuned_model_checkpoint"],
    )


def downgrade() -> None:
    """Drop every table (and with them their indexes), children first."""
    for table in (
        "fine_tuning_job_checkpoints",
        "fine_tuning_job_events",
        "fine_tuning_jobs",
        "upload_parts",
        "uploads",
        "files",
    ):
        op.drop_table(table)
