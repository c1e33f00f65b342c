"""Tinker's REST objects for training runs, checkpoints and sessions, named as the SDK names
them (tinker/types/). Pure pydantic."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict


class _Request(BaseModel):
    model_config = ConfigDict(extra="ignore", protected_namespaces=())


class Cursor(BaseModel):
    """Offset pagination, as Tinker's Cursor."""

    offset: int
    limit: int
    total_count: int


class Checkpoint(BaseModel):
    """A saved state, sampler weights, or external weights of a training run."""

    checkpoint_id: str
    checkpoint_type: Literal["training", "sampler", "external"]
    time: datetime
    tinker_path: str
    size_bytes: int | None = None
    public: bool = False
    user_metadata: dict[str, str] | None = None
    expires_at: datetime | None = None


class CheckpointsListResponse(BaseModel):
    """`GET /training_runs/{id}/checkpoints` and `GET /checkpoints`."""

    checkpoints: list[Checkpoint]
    cursor: Cursor | None = None


class TrainingRun(BaseModel):
    """A training client's LoRA model."""

    training_run_id: str
    base_model: str
    model_owner: str
    is_lora: bool = True
    corrupted: bool = False
    lora_rank: int | None = None
    last_request_time: datetime
    last_checkpoint: Checkpoint | None = None
    last_sampler_checkpoint: Checkpoint | None = None
    user_metadata: dict[str, str] | None = None


class TrainingRunsResponse(BaseModel):
    """`GET /training_runs`."""

    training_runs: list[TrainingRun]
    cursor: Cursor


class WeightsInfoRequest(_Request):
    """`POST /weights_info`."""

    tinker_path: str


class WeightsInfoResponse(BaseModel):
    """What loading a checkpoint needs: its base model and LoRA shape."""

    base_model: str
    optimizer_config: dict[str, Any] | None = None
    is_lora: bool = True
    lora_rank: int | None = None
    train_unembed: bool | None = None
    train_mlp: bool | None = None
    train_attn: bool | None = None


class TtlRequest(_Request):
    """`PUT .../ttl`."""

    ttl_seconds: int | None = None


class ExternalWeightsUrlsResponse(BaseModel):
    """Signed download URLs, one per file, keyed by the file's path in the checkpoint."""

    urls: dict[str, str]
    expires: datetime


class SaveWeightsExternalRequest(_Request):
    """`POST /save_weights_external`: a training request, run in the model's seq order."""

    model_id: str
    path: str
    seq_id: int | None = None
    ttl_seconds: int | None = None
    age_encryption_recipients: list[str] | None = None


class GetSessionResponse(BaseModel):
    """`GET /sessions/{id}`: what a client session made."""

    training_run_ids: list[str]
    sampler_ids: list[str]
    user_metadata: dict[str, str] | None = None
    display_name: str | None = None


class ListSessionsResponse(BaseModel):
    """`GET /sessions`."""

    sessions: list[str]


class PublishModelRequest(_Request):
    """`POST /_whetstone/publish_model`: a Tinker checkpoint as an `ft:` model."""

    tinker_path: str
    suffix: str | None = None
