"""Bedrock's customization jobs (beside the jobs they are) and custom model deployments.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
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
    """Create bedrock_jobs and bedrock_deployments; no existing row is touched."""
    op.create_table(
        "bedrock_jobs",
        _seq(),
        sa.Column("job_id", sa.String(64), nullable=False),
        sa.Column("project", sa.String(128), nullable=False),
        sa.Column("job_name", sa.String(255), nullable=False),
        sa.Column("custom_model_name", sa.String(255), nullable=False),
        sa.Column("client_request_token", sa.String(256), nullable=True),
        sa.Column("request", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.Column("outputs_written", sa.Boolean(), nullable=False),
        sa.Column("model_deleted", sa.Boolean(), nullable=False),
    )
    op.create_index("ix_bedrock_jobs_job_id", "bedrock_jobs", ["job_id"], unique=True)
    op.create_index("ix_bedrock_jobs_project", "bedrock_jobs", ["project"])
    op.create_index(
        "ix_bedrock_jobs_project_token", "bedrock_jobs", ["project", "client_request_token"]
    )
    op.create_table(
        "bedrock_deployments",
        _seq(),
        sa.Column("id", sa.String(64), nullable=False),
        sa.Column("project", sa.String(128), nullable=False),
        sa.Column("name", sa.String(255), nullable=False),
        sa.Column("job_id", sa.String(64), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("client_request_token", sa.String(256), nullable=True),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
    )
    op.create_index("ix_bedrock_deployments_id", "bedrock_deployments", ["id"], unique=True)
    op.create_index("ix_bedrock_deployments_project", "bedrock_deployments", ["project"])


def downgrade() -> None:
    """Drop both tables."""
    op.drop_table("bedrock_deployments")
    op.drop_table("bedrock_jobs")
