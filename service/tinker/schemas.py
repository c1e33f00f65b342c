"""Tinker's wire objects, named as the SDK names them (tinker/types/). Pure pydantic.

Requests ignore fields they do not know: the SDK adds optional fields in patch releases, and
every field that changes what a request does is read and checked in the router.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field


class _Request(BaseModel):
    model_config = ConfigDict(extra="ignore", protected_namespaces=())


class ClientConfigRequest(_Request):
    """`POST /client/config`: the SDK's version."""

    sdk_version: str


class ClientConfigResponse(BaseModel):
    """The server's feature flags for this caller."""

    pjwt_auth_enabled: bool = False
    """No JWT exchange: the API key is sent on every request."""
    credential_default_source: str = "api_key"
    """Where the SDK reads its credential by default."""
    proto_compress_fwdbwd: bool = True
    """forward_backward bodies arrive zstd-compressed (Content-Encoding: zstd)."""
    use_pyqwest_transport: bool = False
    """The SDK's plain httpx transport."""
    parallel_fwdbwd_chunks: bool = True
    """Chunks of one forward_backward may be sent concurrently (queued in seq order here)."""
    sample_use_retrieve_futures: bool = False
    """Sampling results are polled per request (retrieve_future)."""
    custom_loss_server_side: bool = False
    """Custom losses are not run by the server."""
    sample_join_sampling_session: bool = False
    """Unpickled sampling clients pick their own clone id."""


class ClientDynamicConfigResponse(BaseModel):
    """The flags the SDK refreshes while it runs (none differ from its defaults here)."""

    refresh_interval_sec: int = 300
    """How often the SDK asks again."""
    sample_cancel_enabled: bool = False
    """No cancel_future: a submitted request runs to its end."""


class HealthResponse(BaseModel):
    """`GET /healthz`."""

    status: Literal["ok"] = "ok"
    """Always ok when the process answers."""


class SupportedModel(BaseModel):
    """One base model a training client may be created on."""

    model_name: str
    """The name create_model takes."""
    max_context_length: int | None = None
    """The longest sequence, in tokens."""
    trainable: bool = True
    """A LoRA training client may be created on it."""
    sampleable: bool = True
    """A sampling client may be created on it."""


class GetServerCapabilitiesResponse(BaseModel):
    """`GET /get_server_capabilities`."""

    supported_models: list[SupportedModel]
    """The trainable base models."""


class CreateSessionRequest(_Request):
    """`POST /create_session`."""

    tags: list[str] = Field(default_factory=list)
    user_metadata: dict[str, Any] | None = None
    sdk_version: str
    project_id: str | None = None
    display_name: str | None = None


class CreateSessionResponse(BaseModel):
    """The new session."""

    type: Literal["create_session"] = "create_session"
    session_id: str
    """The id every model and sampling session of this client hangs off."""
    info_message: str | None = None
    warning_message: str | None = None
    error_message: str | None = None


class SessionHeartbeatRequest(_Request):
    """`POST /session_heartbeat`."""

    session_id: str


class SessionHeartbeatResponse(BaseModel):
    """The heartbeat was recorded."""

    type: Literal["session_heartbeat"] = "session_heartbeat"


class TelemetryResponse(BaseModel):
    """Telemetry is accepted and dropped: nothing leaves the deployment."""

    status: Literal["accepted"] = "accepted"


class UntypedAPIFuture(BaseModel):
    """What every submit route answers."""

    request_id: str
    model_id: str | None = None


class FutureRetrieveRequest(_Request):
    """`POST /retrieve_future`."""

    request_id: str
    allow_metadata_only: bool = False


class LoraConfig(_Request):
    """Tinker's LoraConfig."""

    rank: int
    seed: int | None = None
    train_unembed: bool = True
    train_mlp: bool = True
    train_attn: bool = True


class CreateModelRequest(_Request):
    """`POST /create_model`."""

    session_id: str
    model_seq_id: int
    base_model: str
    user_metadata: dict[str, Any] | None = None
    lora_config: LoraConfig | None = None
    optimizer_config: dict[str, Any] | None = None


class ModelRequest(_Request):
    """A request naming a training model and its place in the model's order."""

    model_id: str
    seq_id: int | None = None


class GetInfoRequest(_Request):
    """`POST /get_info`."""

    model_id: str


class OptimStepRequest(ModelRequest):
    """`POST /optim_step`: Adam only (`adam_params`)."""

    adam_params: dict[str, Any] | None = None
    optimizer_params: dict[str, Any] | None = None


class SaveWeightsRequest(ModelRequest):
    """`POST /save_weights` and `POST /save_weights_for_sampler`."""

    path: str | None = None
    ttl_seconds: int | None = None
    sampling_session_seq_id: int | None = None


class LoadWeightsRequest(_Request):
    """`POST /load_weights`: on a model (model_id, seq_id), or creating one from the
    checkpoint (session_id, model_seq_id: `create_training_client_from_state`)."""

    model_id: str | None = None
    seq_id: int | None = None
    session_id: str | None = None
    model_seq_id: int | None = None
    base_model: str | None = None
    user_metadata: dict[str, Any] | None = None
    path: str
    optimizer: bool = False
    optimizer_config: dict[str, Any] | None = None
    weights_access_token: str | None = None


class ModelData(BaseModel):
    """A training model's architecture and names (`get_info`)."""

    arch: str | None = None
    model_name: str | None = None
    """The base model, as the training client was created on it."""
    tokenizer_id: str | None = None
    """The hub id of its tokenizer, when the base model has one."""


class GetInfoResponse(BaseModel):
    """`POST /get_info`."""

    type: Literal["get_info"] = "get_info"
    model_data: ModelData
    model_id: str
    optimizer_config: dict[str, Any] = Field(default_factory=lambda: {"type": "adamw"})
    is_lora: bool = True
    lora_rank: int | None = None
    model_name: str | None = None


class UnloadModelRequest(_Request):
    """`POST /unload_model`."""

    model_id: str
    seq_id: int | None = None
