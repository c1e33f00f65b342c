"""Every table. Each resource row carries `project`, and every query filters on it.

Each table has an integer `seq` primary key that only grows: lists order and page by it
(`after=<id>` becomes `seq < seq_of(id)`), since `created_at` has one-second resolution.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from service.core.wire import JSONObject

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
        return str(self.method.get("type", "supervised"))

    @property
    def method_extras(self) -> dict[str, Any]:
        """The method's settings besides its hyperparameters (a reinforcement job's grader)."""
        configuration = self.method.get(self.method_type) or {}
        return {key: value for key, value in configuration.items() if key != "hyperparameters"}

    @property
    def hyperparameters(self) -> dict[str, Any]:
        """The hyperparameters of the job's method: as requested, resolved once validated."""
        return dict((self.method.get(self.method_type) or {}).get("hyperparameters") or {})


def stored_method(kind: str, hyperparameters: dict[str, Any], **extras: Any) -> dict[str, Any]:
    """The `method` column of a job: OpenAI's `{"type", <type>: {"hyperparameters", ...}}`
    shape; `extras` are the method's other settings (a reinforcement job's `grader`)."""
    return {"type": kind, kind: {**extras, "hyperparameters": dict(hyperparameters)}}


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


class CheckpointPermissionRow(Base):
    """A grant of one fine-tuned model or checkpoint to another project
    (`FineTuningCheckpointPermission`); `project` is the owner's, `project_id` the grantee's."""

    __tablename__ = "fine_tuning_checkpoint_permissions"
    seq: Mapped[int] = mapped_column(SeqType, primary_key=True, autoincrement=True)
    id: Mapped[str] = mapped_column(String(64), unique=True, index=True)
    project: Mapped[str] = mapped_column(String(128), index=True)
    # The job that made the model: deleting its model removes every grant of it at once.
    job_id: Mapped[str] = mapped_column(String(64), ForeignKey("fine_tuning_jobs.id"), index=True)
    fine_tuned_model_checkpoint: Mapped[str] = mapped_column(String(512))
    project_id: Mapped[str] = mapped_column(String(128), index=True)
    created_at: Mapped[int] = mapped_column(BigInteger)
    # One grant per name and grantee; it is also the index a grantee's every request reads.
    __table_args__ = (
        Index(
            "ix_fine_tuning_checkpoint_permissions_grant",
            "fine_tuned_model_checkpoint",
            "project_id",
            unique=True,
        ),
    )


class WebhookEndpointRow(Base):
    """A webhook endpoint of a project (`WebhookEndpoint`) and its signing secrets."""

    __tablename__ = "webhook_endpoints"
    seq: Mapped[int] = mapped_column(SeqType, primary_key=True, autoincrement=True)
    id: Mapped[str] = mapped_column(String(64), unique=True, index=True)
    project: Mapped[str] = mapped_column(String(128), index=True)
    name: Mapped[str] = mapped_column(String(256))
    url: Mapped[str] = mapped_column(String(2048))
    event_types: Mapped[list[str]] = mapped_column(JSON)
    # Kept in clear: every delivery is signed with it (HMAC needs the key itself).
    signing_secret: Mapped[str] = mapped_column(String(128))
    # After a rotation that keeps the old secret for 24 hours, deliveries carry both signatures.
    previous_signing_secret: Mapped[str | None] = mapped_column(String(128), nullable=True)
    previous_secret_expires_at: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    created_at: Mapped[int] = mapped_column(BigInteger)
    updated_at: Mapped[int] = mapped_column(BigInteger)


class WebhookDeliveryRow(Base):
    """One event for one endpoint: the outbox row the sender posts until it is acknowledged.

    Written in the transaction of the change it reports. `id` is the `webhook-id` header, the
    same on every attempt. Times the sender compares are in milliseconds (`*_ms`).
    """

    __tablename__ = "webhook_deliveries"
    seq: Mapped[int] = mapped_column(SeqType, primary_key=True, autoincrement=True)
    id: Mapped[str] = mapped_column(String(64), unique=True, index=True)
    endpoint_id: Mapped[str] = mapped_column(
        String(64), ForeignKey("webhook_endpoints.id"), index=True
    )
    project: Mapped[str] = mapped_column(String(128))
    event_id: Mapped[str] = mapped_column(String(64))
    event_type: Mapped[str] = mapped_column(String(64))
    # The exact JSON body: every attempt sends (and signs) the same bytes.
    payload: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16))  # pending | delivered | failed
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[int] = mapped_column(BigInteger)
    next_attempt_ms: Mapped[int] = mapped_column(BigInteger)
    # A sender claims a delivery by setting these in one guarded UPDATE; once the lease ends
    # (its process died mid-attempt) any sender may claim it again.
    lease_owner: Mapped[str | None] = mapped_column(String(128), nullable=True)
    lease_until_ms: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    last_attempt_at: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    last_status_code: Mapped[int | None] = mapped_column(Integer, nullable=True)
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)
    finished_at: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    __table_args__ = (Index("ix_webhook_deliveries_due", "status", "next_attempt_ms"),)


class ResponseRow(Base):
    """A stored response of the Responses API (`Response`), kept whole as its wire object.

    `input_items` are the request's own input items (`GET .../input_items`); `conversation` is
    the whole chat (previous responses' turns, this input, this output) as messages, so that a
    later `previous_response_id` replays it without walking the chain.
    """

    __tablename__ = "responses"
    seq: Mapped[int] = mapped_column(SeqType, primary_key=True, autoincrement=True)
    id: Mapped[str] = mapped_column(String(64), unique=True, index=True)
    project: Mapped[str] = mapped_column(String(128), index=True)
    status: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[int] = mapped_column(BigInteger)
    response: Mapped[dict[str, Any]] = mapped_column(JSON)
    input_items: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    conversation: Mapped[list[dict[str, Any]]] = mapped_column(JSON)


class EvalRow(Base):
    """An eval (`Eval`): a data source config and testing criteria, kept as their wire JSON."""

    __tablename__ = "evals"
    seq: Mapped[int] = mapped_column(SeqType, primary_key=True, autoincrement=True)
    id: Mapped[str] = mapped_column(String(64), unique=True, index=True)
    project: Mapped[str] = mapped_column(String(128), index=True)
    name: Mapped[str] = mapped_column(String(1024))
    data_source_config: Mapped[JSONObject] = mapped_column(JSON)
    testing_criteria: Mapped[list[JSONObject]] = mapped_column(JSON)
    metadata_: Mapped[dict[str, str] | None] = mapped_column("metadata", JSON, nullable=True)
    created_at: Mapped[int] = mapped_column(BigInteger)


class EvalRunRow(Base):
    """A run of an eval (`EvalRun`). `items` are the data source's items, resolved when the
    run is created, so that a restarted server grades the same items it was asked to."""

    __tablename__ = "eval_runs"
    seq: Mapped[int] = mapped_column(SeqType, primary_key=True, autoincrement=True)
    id: Mapped[str] = mapped_column(String(64), unique=True, index=True)
    eval_id: Mapped[str] = mapped_column(String(64), index=True)
    project: Mapped[str] = mapped_column(String(128), index=True)
    organization: Mapped[str] = mapped_column(String(128))
    name: Mapped[str] = mapped_column(String(1024))
    model: Mapped[str] = mapped_column(String(1024))
    status: Mapped[str] = mapped_column(String(32), index=True)
    data_source: Mapped[JSONObject] = mapped_column(JSON)
    items: Mapped[list[JSONObject]] = mapped_column(JSON)
    metadata_: Mapped[dict[str, str] | None] = mapped_column("metadata", JSON, nullable=True)
    error: Mapped[dict[str, str] | None] = mapped_column(JSON, nullable=True)
    created_at: Mapped[int] = mapped_column(BigInteger)
    # The API replica running it (EvalRunner.name) and when it last said so (unix seconds):
    # another replica takes the run over only once that heartbeat is stale.
    runner: Mapped[str | None] = mapped_column(String(64), nullable=True)
    heartbeat_at: Mapped[int | None] = mapped_column(BigInteger, nullable=True)


class EvalRunOutputItemRow(Base):
    """One graded item of a run (`EvalRunOutputItem`), written as soon as it is graded."""

    __tablename__ = "eval_run_output_items"
    seq: Mapped[int] = mapped_column(SeqType, primary_key=True, autoincrement=True)
    id: Mapped[str] = mapped_column(String(64), unique=True, index=True)
    run_id: Mapped[str] = mapped_column(String(64), index=True)
    eval_id: Mapped[str] = mapped_column(String(64))
    project: Mapped[str] = mapped_column(String(128))
    created_at: Mapped[int] = mapped_column(BigInteger)
    status: Mapped[str] = mapped_column(String(16))
    datasource_item_id: Mapped[int] = mapped_column(Integer)
    datasource_item: Mapped[JSONObject] = mapped_column(JSON)
    results: Mapped[list[JSONObject]] = mapped_column(JSON)
    sample: Mapped[JSONObject] = mapped_column(JSON)
    # Tokens per model, the sampled model and grader models alike: {model: {invocation_count,
    # prompt_tokens, completion_tokens}}; the run's per_model_usage sums them.
    usage: Mapped[dict[str, dict[str, int]]] = mapped_column(JSON)
    # One row per item of a run, whatever a resumed run's racing writers do.
    __table_args__ = (
        Index("ux_eval_run_output_items_item", "run_id", "datasource_item_id", unique=True),
    )


class SchedulerLeaseRow(Base):
    """Who leads the scheduler's duties on PostgreSQL, until when (service/scheduler/leadership).

    One row per duty name. Times are the database's clock in milliseconds, so replicas whose
    clocks disagree still agree on who leads.
    """

    __tablename__ = "scheduler_leases"
    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    holder: Mapped[str] = mapped_column(String(128))
    acquired_at_ms: Mapped[int] = mapped_column(BigInteger)
    expires_at_ms: Mapped[int] = mapped_column(BigInteger)


class BedrockJobRow(Base):
    """What Bedrock's CreateModelCustomizationJob said about a job, beside the job itself
    (`fine_tuning_jobs` holds its status, events and model: one job core)."""

    __tablename__ = "bedrock_jobs"
    seq: Mapped[int] = mapped_column(SeqType, primary_key=True, autoincrement=True)
    job_id: Mapped[str] = mapped_column(String(64), unique=True, index=True)
    project: Mapped[str] = mapped_column(String(128), index=True)
    job_name: Mapped[str] = mapped_column(String(255))
    custom_model_name: Mapped[str] = mapped_column(String(255))
    client_request_token: Mapped[str | None] = mapped_column(String(256), nullable=True)
    # The request as sent (hyperParameters, data and output configs, role, tags), echoed back.
    request: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[int] = mapped_column(BigInteger)
    # Set once the metrics CSVs are under outputDataConfig.s3Uri.
    outputs_written: Mapped[bool] = mapped_column(Boolean, default=False)
    # DeleteCustomModel: the model is gone, the job stays listed.
    model_deleted: Mapped[bool] = mapped_column(Boolean, default=False)
    __table_args__ = (Index("ix_bedrock_jobs_project_token", "project", "client_request_token"),)


class BedrockDeploymentRow(Base):
    """A custom model deployment: a name for serving one Bedrock job's model."""

    __tablename__ = "bedrock_deployments"
    seq: Mapped[int] = mapped_column(SeqType, primary_key=True, autoincrement=True)
    id: Mapped[str] = mapped_column(String(64), unique=True, index=True)
    project: Mapped[str] = mapped_column(String(128), index=True)
    name: Mapped[str] = mapped_column(String(255))
    job_id: Mapped[str] = mapped_column(String(64))
    description: Mapped[str | None] = mapped_column(Text, nullable=True)
    client_request_token: Mapped[str | None] = mapped_column(String(256), nullable=True)
    created_at: Mapped[int] = mapped_column(BigInteger)


class TinkerSessionRow(Base):
    """A Tinker client session (`create_session`): one SDK ServiceClient and what it made."""

    __tablename__ = "tinker_sessions"
    seq: Mapped[int] = mapped_column(SeqType, primary_key=True, autoincrement=True)
    id: Mapped[str] = mapped_column(String(64), unique=True, index=True)
    project: Mapped[str] = mapped_column(String(128), index=True)
    sdk_version: Mapped[str] = mapped_column(String(64))
    tags: Mapped[list[str]] = mapped_column(JSON)
    user_metadata: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    created_at: Mapped[int] = mapped_column(BigInteger)
    # The SDK's session_heartbeat, in seconds; idle reclaim reads it with last_request_at.
    heartbeat_at: Mapped[int] = mapped_column(BigInteger)


class TinkerModelRow(Base):
    """A training client's LoRA model, `{session_id}:train:{model_seq_id}` (Tinker's training
    run), held between calls by one session worker.

    status: pending (waits for a device slot) -> starting (a worker claimed it and loads) ->
    ready -> closed (unloaded, or reclaimed idle) | lost (its worker died: its pending futures
    failed with category `server`; `load_state` from the last save resumes in a new client).
    """

    __tablename__ = "tinker_models"
    seq: Mapped[int] = mapped_column(SeqType, primary_key=True, autoincrement=True)
    id: Mapped[str] = mapped_column(String(160), unique=True, index=True)
    project: Mapped[str] = mapped_column(String(128), index=True)
    session_id: Mapped[str] = mapped_column(String(64), index=True)
    base_model: Mapped[str] = mapped_column(String(255))
    lora_rank: Mapped[int] = mapped_column(Integer)
    # LoraConfig as sent (seed, train_mlp, train_attn, train_unembed) and the optimizer family.
    lora_config: Mapped[dict[str, Any]] = mapped_column(JSON)
    optimizer_config: Mapped[dict[str, Any]] = mapped_column(JSON)
    user_metadata: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    status: Mapped[str] = mapped_column(String(32), index=True)
    # The executor's name for the worker holding the model, its device slot, the scheduler that
    # started it, and the worker's own heartbeat (ms): a stale one means the worker is lost.
    worker: Mapped[str | None] = mapped_column(String(128), nullable=True)
    slot: Mapped[str | None] = mapped_column(String(64), nullable=True)
    scheduler: Mapped[str | None] = mapped_column(String(128), nullable=True)
    worker_heartbeat_at_ms: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    # The highest seq_id the worker finished (0: none): it runs seq_id + 1 next.
    done_seq_id: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[int] = mapped_column(BigInteger)
    last_request_at: Mapped[int] = mapped_column(BigInteger)


class TinkerRequestRow(Base):
    """One submitted Tinker operation and its future (`request_id`), with its body and result.

    status: pending -> running -> done | failed. A failed one holds Tinker's
    `{"error", "category"}`; a done one its result, JSON or protobuf as result_type says.
    """

    __tablename__ = "tinker_requests"
    seq: Mapped[int] = mapped_column(SeqType, primary_key=True, autoincrement=True)
    id: Mapped[str] = mapped_column(String(64), unique=True, index=True)
    project: Mapped[str] = mapped_column(String(128), index=True)
    model_id: Mapped[str | None] = mapped_column(String(160), nullable=True)
    kind: Mapped[str] = mapped_column(String(32))
    seq_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    status: Mapped[str] = mapped_column(String(16))
    # The request's body as received ("json" or "proto", decompressed).
    payload: Mapped[bytes] = mapped_column(LargeBinary)
    payload_type: Mapped[str] = mapped_column(String(16))
    result: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    result_type: Mapped[str | None] = mapped_column(String(16), nullable=True)
    error: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    created_at_ms: Mapped[int] = mapped_column(BigInteger)
    finished_at_ms: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    __table_args__ = (Index("ix_tinker_requests_model_status_seq", "model_id", "status", "seq_id"),)


class TinkerCheckpointRow(Base):
    """A saved state (`weights/<name>`) or sampler weights (`sampler_weights/<name>`) of a
    training run: `tinker://{model_id}/{checkpoint_id}`, stored as a PEFT adapter directory
    (plus the optimizer state for a training checkpoint) under storage_key."""

    __tablename__ = "tinker_checkpoints"
    seq: Mapped[int] = mapped_column(SeqType, primary_key=True, autoincrement=True)
    project: Mapped[str] = mapped_column(String(128), index=True)
    model_id: Mapped[str] = mapped_column(String(160), index=True)
    checkpoint_id: Mapped[str] = mapped_column(String(300))
    # "training" or "sampler", as the SDK's CheckpointType.
    checkpoint_type: Mapped[str] = mapped_column(String(16))
    tinker_path: Mapped[str] = mapped_column(String(512), unique=True, index=True)
    storage_key: Mapped[str] = mapped_column(String(1024))
    base_model: Mapped[str] = mapped_column(String(255))
    size_bytes: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    public: Mapped[bool] = mapped_column(Boolean, default=False)
    # Unnamed sampler weights (a sampling client per RL step): reclaimed with their session.
    ephemeral: Mapped[bool] = mapped_column(Boolean, default=False)
    user_metadata: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    created_at: Mapped[int] = mapped_column(BigInteger)
    expires_at: Mapped[int | None] = mapped_column(BigInteger, nullable=True)


class TinkerSamplingSessionRow(Base):
    """A sampling client (`create_sampling_session`): a base model, or sampler weights."""

    __tablename__ = "tinker_sampling_sessions"
    seq: Mapped[int] = mapped_column(SeqType, primary_key=True, autoincrement=True)
    id: Mapped[str] = mapped_column(String(160), unique=True, index=True)
    project: Mapped[str] = mapped_column(String(128), index=True)
    session_id: Mapped[str] = mapped_column(String(64), index=True)
    base_model: Mapped[str] = mapped_column(String(255))
    # tinker://.../sampler_weights/... when sampling trained weights; None for the base model.
    model_path: Mapped[str | None] = mapped_column(String(512), nullable=True)
    created_at: Mapped[int] = mapped_column(BigInteger)
