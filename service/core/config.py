"""Settings: the one place that reads the environment (prefix WHETSTONE_)."""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Every knob of the service. Read once at start-up and passed down in constructors."""

    model_config = SettingsConfigDict(env_prefix="WHETSTONE_", extra="ignore")

    host: str = Field("127.0.0.1", description="Address `whetstone serve` binds to.")
    port: int = Field(8000, description="Port `whetstone serve` listens on.")
    data_dir: Path = Field(
        Path("whetstone-data"),
        description="Root of the SQLite database, local artifacts and the emulator model cache.",
    )
    database_url: str | None = Field(
        None,
        description="SQLAlchemy URL; default sqlite:///{data_dir}/whetstone.db. "
        "postgresql+psycopg://... selects PostgreSQL.",
    )
    storage_url: str | None = Field(
        None,
        description="Where artifacts live; default file://{data_dir}/artifacts. "
        "s3://bucket/prefix selects S3.",
    )
    s3_endpoint_url: str | None = Field(
        None, description="Endpoint of an S3-compatible server (MinIO, moto); AWS when unset."
    )
    s3_multipart_threshold_bytes: int = Field(
        8 * 1024 * 1024, description="Objects larger than this go to S3 as a multipart upload."
    )
    # Deadlines: with one dependency hanging, each request answers within 15 s (docs/operations.md).
    s3_connect_timeout_seconds: float = Field(
        2.0, gt=0, description="Deadline to open a connection to the S3 endpoint."
    )
    s3_read_timeout_seconds: float = Field(
        3.0,
        gt=0,
        description="Deadline for each answer to an S3 metadata request or a PUT of an object "
        "up to the multipart threshold.",
    )
    s3_transfer_timeout_seconds: float = Field(
        5.0,
        gt=0,
        description="Per-chunk deadline of large streamed transfers (multipart parts, "
        "downloads): the longest S3 may go without sending or accepting a byte.",
    )
    s3_max_attempts: int = Field(
        2, ge=1, description="Attempts per S3 request, the first included (botocore retries)."
    )
    database_connect_timeout_seconds: int = Field(
        3, ge=2, description="Deadline to connect to PostgreSQL (psycopg connect_timeout)."
    )
    database_statement_timeout_seconds: float = Field(
        5.0,
        gt=0,
        description="PostgreSQL cancels a statement running longer (statement_timeout); the "
        "client drops a connection whose command gets no answer for 1 s more.",
    )
    database_pool_timeout_seconds: float = Field(
        5.0, gt=0, description="Longest wait for a free connection of the pool."
    )
    sqlite_busy_timeout_seconds: float = Field(
        5.0, gt=0, description="Longest wait for SQLite's write lock held by another process."
    )
    api_keys_file: Path | None = Field(
        None,
        description="JSON object mapping each accepted bearer key to "
        '{"project": ..., "organization": ...}. Unset: any key, one local project.',
    )
    max_file_bytes: int = Field(
        512 * 1024 * 1024, description="Largest body accepted by POST /v1/files (413 past it)."
    )
    max_upload_bytes: int = Field(
        8 * 1024 * 1024 * 1024, description="Largest total size of a POST /v1/uploads upload."
    )
    max_upload_part_bytes: int = Field(
        64 * 1024 * 1024, description="Largest single part of an upload (413 past it)."
    )
    max_json_body_bytes: int = Field(
        16 * 1024 * 1024, description="Largest JSON request body (413 past it)."
    )
    max_header_bytes: int = Field(
        64 * 1024,
        gt=0,
        description="Largest total size of a request's header fields (431 past it).",
    )
    upload_ttl_seconds: int = Field(3600, description="An upload expires this long after creation.")
    models_file: Path | None = Field(
        None, description="YAML or JSON catalog mapping model names to Hugging Face causal LMs."
    )
    devices: str | None = Field(
        None,
        description='Comma-separated CUDA device indexes for training slots, e.g. "0,1". '
        "Default: every visible CUDA device.",
    )
    cpu_slots: int = Field(1, description="Training slots on a machine without a GPU.")
    max_job_attempts: int = Field(
        3, description="A job whose worker dies this many times is failed instead of retried."
    )
    max_validation_attempts: int = Field(
        3,
        ge=1,
        description="A job whose file validation raises an unexpected error this many times is "
        "failed (code validation_error); storage and database outages are retried until they end.",
    )
    adapter_cache_size: int = Field(
        8, description="Adapters kept loaded per base model by the inference engine (LRU)."
    )
    max_loaded_full_models: int = Field(
        2,
        ge=1,
        description="Fully fine-tuned models kept loaded by the inference engine, each a model "
        "of its own (least recently used is unloaded to load another).",
    )
    max_batch_size: int = Field(32, description="Sequences decoded together per base model.")
    inference_queue_timeout_seconds: float = Field(
        10.0,
        gt=0,
        description="A completion that waits longer for a place in the batch answers 503 "
        "(code engine_overloaded).",
    )
    inference_device: str | None = Field(
        None,
        description='Device of the inference engine ("cpu", "cuda", "cuda:1"). '
        "Default: the first visible CUDA device, else the CPU.",
    )
    inference_gpu_memory_fraction: float = Field(
        0.4,
        gt=0,
        le=1,
        description="Share of the GPU's memory the inference engine may allocate; training "
        "slots on the same GPU get the rest.",
    )
    vllm_command: str | None = Field(
        None,
        description="Command that starts vLLM's OpenAI server for a model of `engine: vllm` "
        "(Whetstone appends the arguments). Default: `.venv-vllm/bin/python -m "
        "vllm.entrypoints.openai.api_server` in the checkout.",
    )
    vllm_cpu_kvcache_gib: int = Field(
        4,
        ge=1,
        description="KV cache of each vLLM server on a CPU, in GiB (VLLM_CPU_KVCACHE_SPACE); "
        "vLLM's CPU build takes most of the RAM when it is not set.",
    )
    vllm_start_timeout_seconds: float = Field(
        600.0,
        gt=0,
        description="A vLLM server that does not answer its health check this long after it "
        "was started is killed and started again.",
    )
    vllm_read_timeout_seconds: float = Field(
        60.0,
        gt=0,
        description="Longest wait for a vLLM server's next streamed token; past it the "
        "request fails with 503 engine_unavailable.",
    )
    scheduler_enabled: bool = Field(
        True,
        description="Run the training scheduler inside `whetstone serve`; on PostgreSQL it "
        "leads only while it holds the leader lease.",
    )
    leader_lease_seconds: float = Field(
        10.0,
        ge=1,
        le=300,
        description="On PostgreSQL, how long the leading scheduler's lease lasts unrenewed: "
        "another replica takes over this long after the leader dies.",
    )
    executor: Literal["local", "ray"] = Field(
        "local",
        description='Where claimed jobs train: "local" (worker processes of this server) or '
        '"ray" (one detached actor per job on the Ray cluster at ray_address).',
    )
    ray_address: str | None = Field(
        None,
        description='The Ray cluster: "head:6379" (this machine being a node of it) or '
        '"ray://head:10001" (Ray Client); unset: "auto" (RAY_ADDRESS, else this node\'s).',
    )
    ray_namespace: str = Field(
        "whetstone", description="Ray namespace of the job actors (one per deployment)."
    )
    ray_max_jobs: int = Field(
        4, ge=1, description="Jobs the leading scheduler runs in Ray at once."
    )
    ray_device: Literal["cuda", "cpu"] = Field(
        "cuda",
        description='"cuda": each Ray job asks for num_gpus=1 and trains on it; "cpu": it asks '
        "for ray_cpus_per_job CPUs only.",
    )
    ray_cpus_per_job: int = Field(
        1, ge=1, description="CPUs each Ray job asks for (its torch threads on the CPU)."
    )
    ray_unplaceable_grace_seconds: float = Field(
        60.0,
        ge=0,
        description="How long the next queued job waits for a Ray node able to hold its run "
        "(e.g. a GPU node) to join a cluster that has none, before it fails as unplaceable.",
    )
    ray_runtime_env: dict[str, Any] | None = Field(
        None,
        description="Ray runtime_env (JSON) for the job actors, e.g. pip or working_dir, for "
        "nodes whose image lacks Whetstone.",
    )
    ray_worker_data_dir: Path | None = Field(
        None,
        description="Scratch space and the emulator cache on Ray nodes; default: data_dir.",
    )
    tinker_enabled: bool = Field(
        True,
        description="Serve the Tinker API under /api/v1 (TINKER_BASE_URL is the server's root).",
    )
    tinker_long_poll_seconds: float = Field(
        30.0,
        gt=0,
        le=40,
        description="How long retrieve_future holds a pending future before answering "
        "try_again (the SDK's own timeout is 45 s).",
    )
    tinker_session_idle_seconds: float = Field(
        1800.0,
        gt=0,
        description="A training model with no request and no session heartbeat for this long is "
        "reclaimed: its worker exits, its device slot frees, and a later request fails naming "
        "load_state from the last save.",
    )
    tinker_worker_heartbeat_seconds: float = Field(
        2.0,
        gt=0,
        description="How often a Tinker session worker beats; one silent for five beats is lost, "
        "and its pending futures fail with category `server`.",
    )
    tinker_max_request_bytes: int = Field(
        64 * 1024 * 1024,
        gt=0,
        description="Largest Tinker request body (forward_backward chunks, after zstd), in bytes.",
    )
    log_level: str = Field("info", description="Python log level name.")
    log_format: Literal["text", "json"] = Field(
        "text",
        description='"text": plain lines; "json": one JSON object per line, with the request '
        "id, project, job id and duration where there are some.",
    )
    metrics_token: str | None = Field(
        None,
        description="When set, GET /metrics needs `Authorization: Bearer <token>`; unset, it "
        "takes no key (scrapers send none).",
    )
    webhook_allow_private_networks: bool = Field(
        False,
        description="With a keys file, accept webhook URLs that resolve to loopback, link-local "
        "or private addresses (always accepted with no keys file).",
    )
    webhook_timeout_seconds: float = Field(
        10.0, gt=0, le=300, description="Deadline of one webhook delivery attempt, DNS included."
    )
    webhook_retry_initial_seconds: float = Field(
        10.0, gt=0, description="Wait before the first retry of a failed webhook delivery."
    )
    webhook_retry_max_seconds: float = Field(
        3600.0, gt=0, description="Longest wait between two attempts of one webhook delivery."
    )
    webhook_retry_window_seconds: int = Field(
        72 * 3600,
        gt=0,
        description="A webhook delivery not acknowledged this long after its event is given up.",
    )
    python_graders_enabled: bool = Field(
        True,
        description="Run python graders (in the sandbox of service/graders); false refuses "
        "them with a 400.",
    )
    python_grader_sandbox: Literal["strict", "basic"] = Field(
        "strict",
        description='"strict": a python grader runs only where the kernel gives namespaces, '
        'Landlock and seccomp; "basic": without them, with rlimits and an empty environment.',
    )
    python_grader_timeout_seconds: float = Field(
        10.0, gt=0, le=600, description="Wall-clock and CPU-time limit of one python grader run."
    )
    python_grader_memory_bytes: int = Field(
        1024 * 1024 * 1024,
        ge=64 * 1024 * 1024,
        description="Address-space limit (RLIMIT_AS) of one python grader process.",
    )
    chaos_enabled: bool | None = Field(
        None,
        description="Fault injection for CI: the chaos API and the whetstone_fault job "
        "metadata. Unset: on in local mode (no keys file), off with a keys file.",
    )
    chaos_seed: int | None = Field(
        None,
        description="Seed of the draws that decide whether a request fault with a "
        "probability below 1 strikes; unset: seeded from the OS.",
    )
    eval_concurrency: int = Field(
        8,
        ge=1,
        le=256,
        description="Eval run items sampled and graded at once, all runs together.",
    )
    forgetting_threshold_ratio: float = Field(
        1.1,
        gt=0,
        description="A job whose tuned reference-set loss exceeds the starting model's by "
        "this ratio gets a warning event.",
    )
    # A secret, hence SecretStr: it stays out of every repr and log line of the settings.
    internal_token: SecretStr = Field(
        default_factory=lambda: SecretStr(secrets.token_urlsafe(32)),
        min_length=16,
        description="Bearer of the internal routes vLLM servers call (/_whetstone/internal/); "
        "default: 32 random bytes drawn at start-up, so set it when vLLM runs elsewhere.",
    )

    @model_validator(mode="after")
    def _ray_needs_shared_state(self) -> Settings:
        """Ray workers run on other machines: they must reach the same database and store."""
        if self.executor == "ray":
            if not self.resolved_database_url.startswith("postgresql"):
                raise ValueError(
                    "WHETSTONE_EXECUTOR=ray needs PostgreSQL: set WHETSTONE_DATABASE_URL to "
                    "postgresql+psycopg://..."
                )
            if not self.resolved_storage_url.startswith("s3://"):
                raise ValueError(
                    "WHETSTONE_EXECUTOR=ray needs S3 storage: set WHETSTONE_STORAGE_URL to "
                    "s3://bucket/prefix"
                )
        return self

    @property
    def resolved_chaos_enabled(self) -> bool:
        """Whether fault injection is on: as set, else only in local mode."""
        if self.chaos_enabled is not None:
            return self.chaos_enabled
        return self.api_keys_file is None

    @property
    def resolved_database_url(self) -> str:
        """The database URL, defaulting to SQLite under the data dir."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'whetstone.db').resolve()}"

    @property
    def resolved_storage_url(self) -> str:
        """The storage URL, defaulting to local disk under the data dir."""
        if self.storage_url:
            return self.storage_url
        return f"file://{(self.data_dir / 'artifacts').resolve()}"
