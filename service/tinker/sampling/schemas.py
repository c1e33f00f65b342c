"""Tinker sampling's wire objects, named as the SDK names them (tinker/types/). Pure pydantic.

Requests ignore fields they do not know, as the rest of the front door does; every field of
SDK 0.38 that changes what a sample is, is read and either served or refused by name.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field


class _Request(BaseModel):
    model_config = ConfigDict(extra="ignore", protected_namespaces=())


class CreateSamplingSessionRequest(_Request):
    """`POST /create_sampling_session`: a sampler on a base model or on sampler weights."""

    session_id: str
    sampling_session_seq_id: int
    base_model: str | None = None
    model_path: str | None = None


class CreateSamplingSessionResponse(BaseModel):
    """The new sampling session's id."""

    type: Literal["create_sampling_session"] = "create_sampling_session"
    sampling_session_id: str


class JoinSamplingSessionRequest(_Request):
    """`POST /join_sampling_session`: a new client (an unpickled copy) of a sampling session."""

    sampling_session_id: str


class JoinSamplingSessionResponse(BaseModel):
    """The client id allocated to the joining client."""

    type: Literal["join_sampling_session"] = "join_sampling_session"
    client_counter: int


class GetSamplerResponse(BaseModel):
    """`GET /samplers/{sampler_id}`."""

    sampler_id: str
    base_model: str
    model_path: str | None = None


class SamplingParams(_Request):
    """How to sample: Tinker's SamplingParams."""

    max_tokens: int | None = None
    seed: int | None = None
    stop: str | list[str] | list[int] | None = None
    temperature: float = 1.0
    top_k: int = -1
    top_p: float = 1.0


class ModelInput(_Request):
    """A prompt as chunks; only `encoded_text` chunks (token ids) are served."""

    chunks: list[dict[str, Any]]


class SampleRequest(_Request):
    """`POST /asample`."""

    num_samples: int = 1
    prompt: ModelInput
    sampling_params: SamplingParams
    base_model: str | None = None
    model_path: str | None = None
    sampling_session_id: str | None = None
    seq_id: int | None = None
    prompt_logprobs: bool | None = None
    topk_prompt_logprobs: int = 0
    topk_sample_logprobs: int = 0
    target_prompt_logprobs: dict[str, Any] | None = None
    prompt_alt_tokens_k: int = 0
    prompt_logprobs_last_n: int | None = None
    record_stability_info: bool | None = None


class SampleFuture(BaseModel):
    """What `asample` answers: the future, and one id per requested sample."""

    request_id: str
    model_id: str | None = None
    sample_sequence_ids: list[str] = Field(default_factory=list)
