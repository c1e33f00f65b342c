"""Every table. Each resource row carries `project`, and every query filters on it.

Each table has an integer `seq` primary key that only grows: lists order and page by it
(`after=<id>` becomes `seq < seq_of(id)`), since `created_at` has one-second resolution.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, BigInteger, Boolean, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

# SQLite only auto-increments INTEGER PRIMARY KEY; BigInteger elsewhere.
SeqType = BigInteger().with_variant(Integer(), "sqlite")


class Base(DeclarativeBase):
    """Declarative base of all tables."""


class FileRow(Base):
    """An uploaded or produced file (`OpenAIFile`)."""

    __tablename__ = "files"
    seq: Mapped[int] = mapped_column(SeqType, primary_key=True, autoincrement=True)
    id: Mapped[str] = mapped_column(String(64), unique=True, index=True)
    project: Mapped[str] = mapped_column(String(128), index=True)
    filename: Mapped[str] = mapped_column(String(1024))
    purpose: Mapped[str] = mapped_column(String(64))
    bytes: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[int] = mapped_column(BigInteger)
    expires_at: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    status: Mapped[str] = mapped_column(String(32), default="processed")
    status_details: Mapped[str | None] = mapped_column(Text, nullable=True)
    storage_key: Mapped[str] = mapped_column(String(1024))
    __table_args__ = (Index("ix_files_project_purpose", "project", "purpose"),)


class UploadRow(Base):
    """A multi-part upload (`Upload`) that becomes a file when completed."""

    __tablename__ = "uploads"
    seq: Mapped[int] = mapped_column(SeqType, primary_key=True, autoincrement=True)
    id: Mapped[str] = mapped_column(String(64), unique=True, index=True)
    project: Mapped[str] = mapped_column(String(128), index=True)
    filename: Mapped[str] = mapped_column(String(1024))
    purpose: Mapped[str] = mapped_column(String(64))
    bytes: Mapped[int] = mapped_column(BigInteger)
    mime_type: Mapped[str] = mapped_column(String(255))
    status: Mapped[str] = mapped_column(String(32), default="pending")
    created_at: Mapped[int] = mapped_column(BigInteger)
    expires_at: Mapped[int] = mapped_column(BigInteger)
    file_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    # The expiry policy (seconds after creation) of the file the upload becomes, if any.
    file_expires_after_seconds: Mapped[int | None] = mapped_column(BigInteger, nullable=True)


class UploadPartRow(Base):
    """One part of an upload (`UploadPart`); its bytes live in storage under `storage_key`."""

    __tablename__ = "upload_parts"
    seq: Mapped[int] = mapped_column(SeqType, primary_key=True, autoincrement=True)
    id: Mapped[str] = mapped_column(String(64), unique=True, index=True)
    upload_id: Mapped[str] = mapped_column(String(64), ForeignKey("uploads.id"), index=True)
    project: Mapped[str] = mapped_column(String(128))
    bytes: Mapped[int] = mapped_column(BigInteger)
    md5: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[int] = mapped_column(BigInteger)
    storage_key: Mapped[str] = mapped_column(String(1024))


class JobRow(Base):
    """A fine-tuning job (`FineTuningJob`) and the scheduler's bookkeeping for it."""

    __tablename__ = "fine_tuning_jobs"
    seq: Mapped[int] = mapped_column(SeqType, primary_key=True, autoincrement=True)
    id: Mapped[str] = mapped_column(String(64), unique=True, index=True)
    project: Mapped[str] = mapped_column(String(128), index=True)
    organization: Mapped[str] = mapped_column(String(128))
    model: Mapped[str] = mapped_column(String(255))
    training_file: Mapped[str] = mapped_column(String(64))
    validation_file: Mapped[str | None] = mapped_column(String(64), nullable=True)
    suffix: Mapped[str | None] = mapped_column(String(64), nullable=True)
    seed: Mapped[int] = mapped_column(BigInteger)
    status: Mapped[str] = mapped_column(String(32), index=True)
    # method holds the requested hyperparameters, replaced by the resolved ones once running.
    method: Mapped[dict[str, Any]] = mapped_column(JSON)
    job_metadata: Mapped[dict[str, str] | None] = mapped_column("metadata", JSON, nullable=True)
    integrations: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON, nullable=True)
    error: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    fine_tuned_model: Mapped[str | None] = mapped_column(String(512), nullable=True, index=True)
    fine_tuned_model_deleted: Mapped[bool] = mapped_column(Boolean, default=False)
    adapter_key: Mapped[str | None] = mapped_column(String(1024), nullable=True)
    result_files: Mapped[list[str]] = mapped_column(JSON, default=list)
    trained_tokens: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    created_at: Mapped[int] = mapped_column(BigInteger)
    finished_at: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    estimated_finish: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    # Scheduler bookkeeping, never on the wire.
    queued_seq: Mapped[int | None] = mapped_column(BigInteger, nullable=True, index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    worker: Mapped[str | None] = mapped_column(String(128), nullable=True)
    heartbeat_at: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    requested_action: Mapped[str | None] = mapped_column(String(16), nullable=True)
    # The random 8 characters that end the `ft:` name, chosen at create so that checkpoint
    # names (`...:ckpt-step-N`) and the final name share them before the job succeeds.
    model_token: Mapped[str | None] = mapped_column(String(16), nullable=True)
    # A job continuing an `ft:` model or checkpoint: the catalog model at the root of that
    # lineage (what `model` names for any other job) and the adapter the first step starts from.
    base_model: Mapped[str | None] = mapped_column(String(255), nullable=True)
    initial_adapter_key: Mapped[str | None] = mapped_column(String(1024), nullable=True)

    @property
    def catalog_model(self) -> str:
        """The catalog name of the base model this job trains on."""
        return self.base_model or self.model

    @property
    def method_type(self) -> str:
        """The job's method (`supervised`, `dpo`): the key its hyperparameters sit under."""
        return self.method.get("type", "supervised")

    @property
    def hyperparameters(self) -> dict[str, Any]:
        """The hyperparameters of the job's method: as requested, resolved once validated."""
        return dict((self.method.get(self.method_type) or {}).get("hyperparameters") or {})


def stored_method(kind: str, hyperparameters: dict[str, Any]) -> dict[str, Any]:
    """The `method` column of a job: OpenAI's `{"type", <type>: {"hyperparameters"}}` shape."""
    return {"type": kind, kind: {"hyperparameters": dict(hyperparameters)}}


class JobEventRow(Base):
    """One event of a job (`FineTuningJobEvent`)."""

    __tablename__ = "fine_tuning_job_events"
    seq: Mapped[int] = mapped_column(SeqType, primary_key=True, autoincrement=True)
    id: Mapped[str] = mapped_column(String(64), unique=True, index=True)
    job_id: Mapped[str] = mapped_column(String(64), ForeignKey("fine_tuning_jobs.id"), index=True)
    project: Mapped[str] = mapped_column(String(128))
    created_at: Mapped[int] = mapped_column(BigInteger)
    level: Mapped[str] = mapped_column(String(8))
    message: Mapped[str] = mapped_column(Text)
    type: Mapped[str] = mapped_column(String(16), default="message")
    data: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)


class JobCheckpointRow(Base):
    """A saved checkpoint of a job (`FineTuningJobCheckpoint`) and where its state lives."""

    __tablename__ = "fine_tuning_job_checkpoints"
    seq: Mapped[int] = mapped_column(SeqType, primary_key=True, autoincrement=True)
    id: Mapped[str] = mapped_column(String(64), unique=True, index=True)
    job_id: Mapped[str] = mapped_column(String(64), ForeignKey("fine_tuning_jobs.id"), index=True)
    project: Mapped[str] = mapped_column(String(128))
    created_at: Mapped[int] = mapped_column(BigInteger)
    step_number: Mapped[int] = mapped_column(Integer)
    metrics: Mapped[dict[str, Any]] = mapped_column(JSON)
    fine_tuned_model_checkpoint: Mapped[str] = mapped_column(String(512), index=True)
    storage_key: Mapped[str] = mapped_column(String(1024))
    # False once rotated out of storage (only the last three are kept), or the model deleted.
    available: Mapped[bool] = mapped_column(Boolean, default=True)
