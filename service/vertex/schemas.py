"""Vertex AI's wire objects (aiplatform v1beta1), named as Google names them.

Requests come from google-genai (camelCase JSON, enums by name) and from google-cloud-aiplatform's
REST transport (camelCase, int64 as strings, enums as numbers); both parse here. Keys may also be
snake_case, as Google's JSON mapping of protobuf accepts them. Responses are camelCase.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator
from pydantic.alias_generators import to_camel

from service.core.wire import WireJSONObject


class GoogleModel(BaseModel):
    """A Vertex AI object: camelCase on the wire, snake_case accepted, unknown keys kept for
    the translation to refuse or ignore by name."""

    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="allow")

    def unknown_keys(self) -> list[str]:
        """The keys this object was sent that it does not declare."""
        return sorted(self.model_extra or {})


def _enum_name(value: Any, names: dict[int, str]) -> Any:
    """An enum sent as its number (google-cloud-aiplatform's REST transport) as its name."""
    if isinstance(value, int) and not isinstance(value, bool):
        return names.get(value, value)
    if isinstance(value, str) and value.isdigit():
        return names.get(int(value), value)
    return value


class JobState(StrEnum):
    """google.cloud.aiplatform.v1beta1.JobState, the states a TuningJob reports."""

    JOB_STATE_QUEUED = "JOB_STATE_QUEUED"
    JOB_STATE_PENDING = "JOB_STATE_PENDING"
    JOB_STATE_RUNNING = "JOB_STATE_RUNNING"
    JOB_STATE_SUCCEEDED = "JOB_STATE_SUCCEEDED"
    JOB_STATE_FAILED = "JOB_STATE_FAILED"
    JOB_STATE_CANCELLING = "JOB_STATE_CANCELLING"
    JOB_STATE_CANCELLED = "JOB_STATE_CANCELLED"
    JOB_STATE_PAUSED = "JOB_STATE_PAUSED"


# SupervisedHyperParameters.AdapterSize: number, name, and the LoRA rank it means.
ADAPTER_SIZE_NAMES = {
    0: "ADAPTER_SIZE_UNSPECIFIED",
    1: "ADAPTER_SIZE_ONE",
    6: "ADAPTER_SIZE_TWO",
    2: "ADAPTER_SIZE_FOUR",
    3: "ADAPTER_SIZE_EIGHT",
    4: "ADAPTER_SIZE_SIXTEEN",
    5: "ADAPTER_SIZE_THIRTY_TWO",
}
ADAPTER_SIZE_RANKS = {
    "ADAPTER_SIZE_ONE": 1,
    "ADAPTER_SIZE_TWO": 2,
    "ADAPTER_SIZE_FOUR": 4,
    "ADAPTER_SIZE_EIGHT": 8,
    "ADAPTER_SIZE_SIXTEEN": 16,
    "ADAPTER_SIZE_THIRTY_TWO": 32,
}


class SupervisedHyperParameters(GoogleModel):
    """supervisedTuningSpec.hyperParameters."""

    epoch_count: int | None = Field(None, description="Epochs over the training data.")
    learning_rate_multiplier: float | None = Field(None, description="Scales the base rate.")
    learning_rate: float | None = Field(None, description="Refused: give the multiplier.")
    adapter_size: str | None = Field(None, description="ADAPTER_SIZE_*: the LoRA rank.")
    batch_size: int | None = Field(None, description="Examples per optimizer step.")

    @field_validator("adapter_size", mode="before")
    @classmethod
    def _adapter_size_name(cls, value: Any) -> Any:
        return _enum_name(value, ADAPTER_SIZE_NAMES)


class SupervisedTuningSpec(GoogleModel):
    """TuningJob.supervisedTuningSpec."""

    training_dataset_uri: str = Field(description="gs://bucket/key of the Gemini JSONL lines.")
    validation_dataset_uri: str | None = Field(None, description="gs://bucket/key, optional.")
    hyper_parameters: SupervisedHyperParameters | None = Field(None, description="Settings.")
    export_last_checkpoint_only: bool | None = Field(None, description="Only the last one.")


class PreferenceOptimizationHyperParameters(GoogleModel):
    """preferenceOptimizationSpec.hyperParameters."""

    epoch_count: int | None = Field(None, description="Epochs over the training data.")
    learning_rate_multiplier: float | None = Field(None, description="Scales the base rate.")
    adapter_size: str | None = Field(None, description="ADAPTER_SIZE_*: the LoRA rank.")
    beta: float | None = Field(None, description="DPO's beta.")

    @field_validator("adapter_size", mode="before")
    @classmethod
    def _adapter_size_name(cls, value: Any) -> Any:
        return _enum_name(value, ADAPTER_SIZE_NAMES)


class PreferenceOptimizationSpec(GoogleModel):
    """TuningJob.preferenceOptimizationSpec: trained as DPO."""

    training_dataset_uri: str = Field(description="gs://bucket/key of preference lines.")
    validation_dataset_uri: str | None = Field(None, description="gs://bucket/key, optional.")
    hyper_parameters: PreferenceOptimizationHyperParameters | None = Field(
        None, description="Settings."
    )
    export_last_checkpoint_only: bool | None = Field(None, description="Only the last one.")


class PreTunedModel(GoogleModel):
    """TuningJob.preTunedModel: a tuned model to continue tuning."""

    tuned_model_name: str = Field(description="projects/../models/{id} of a tuned model.")
    checkpoint_id: str | None = Field(None, description="One of its checkpoints.")


class CreateTuningJobRequest(GoogleModel):
    """The body of POST .../tuningJobs: a TuningJob with what a client may set."""

    base_model: str | None = Field(None, description="The model to tune (e.g. gemini-2.5-flash).")
    pre_tuned_model: PreTunedModel | None = Field(None, description="Or a tuned model.")
    supervised_tuning_spec: SupervisedTuningSpec | None = Field(None, description="SFT.")
    preference_optimization_spec: PreferenceOptimizationSpec | None = Field(
        None, description="Preference tuning (DPO)."
    )
    tuned_model_display_name: str | None = Field(None, description="Echoed back.")
    description: str | None = Field(None, description="Echoed back.")
    labels: dict[str, str] | None = Field(None, description="Stored as the job's metadata.")


class TunedModelCheckpoint(GoogleModel):
    """TunedModel.checkpoints[]: one saved checkpoint, servable on its endpoint."""

    checkpoint_id: str
    epoch: str | None = None
    step: str
    endpoint: str


class TunedModel(GoogleModel):
    """TuningJob.tunedModel: where the result is served."""

    model: str
    endpoint: str
    checkpoints: list[TunedModelCheckpoint] = Field(default_factory=list)


class SupervisedTuningDataStats(GoogleModel):
    """TuningDataStats.supervisedTuningDataStats, as far as Whetstone measures them."""

    total_billable_token_count: str | None = None
    tuning_step_count: str | None = None


class TuningDataStats(GoogleModel):
    """TuningJob.tuningDataStats."""

    supervised_tuning_data_stats: SupervisedTuningDataStats | None = None


class GoogleRpcStatus(GoogleModel):
    """google.rpc.Status: a failed job's error."""

    code: int
    message: str


class TuningJob(GoogleModel):
    """A Vertex AI TuningJob: one Whetstone fine-tuning job, seen through Vertex AI."""

    name: str
    tuned_model_display_name: str | None = None
    description: str | None = None
    base_model: str | None = None
    state: JobState
    create_time: str
    start_time: str | None = None
    end_time: str | None = None
    update_time: str
    error: GoogleRpcStatus | None = None
    supervised_tuning_spec: SupervisedTuningSpec | None = None
    preference_optimization_spec: PreferenceOptimizationSpec | None = None
    tuned_model: TunedModel | None = None
    tuning_data_stats: TuningDataStats | None = None
    labels: dict[str, str] | None = None


class ListTuningJobsResponse(GoogleModel):
    """GET .../tuningJobs."""

    tuning_jobs: list[TuningJob] = Field(default_factory=list)
    next_page_token: str | None = None


# -- generateContent ---------------------------------------------------------------------------


class Part(GoogleModel):
    """Content.parts[]: only text is served here; other kinds are refused by name."""

    text: str | None = None


class Content(GoogleModel):
    """One turn: a role (user or model) and its parts."""

    role: str | None = None
    parts: list[Part] = Field(default_factory=list)


class GenerationConfig(GoogleModel):
    """GenerateContentRequest.generationConfig."""

    temperature: float | None = None
    top_p: float | None = None
    top_k: float | None = None
    candidate_count: int | None = None
    max_output_tokens: int | None = None
    stop_sequences: list[str] | None = None
    seed: int | None = None
    presence_penalty: float | None = None
    frequency_penalty: float | None = None
    response_mime_type: str | None = None


class GenerateContentRequest(GoogleModel):
    """The body of :generateContent and :streamGenerateContent."""

    contents: list[Content]
    system_instruction: Content | None = None
    generation_config: GenerationConfig | None = None
    safety_settings: list[WireJSONObject] | None = None
    labels: dict[str, str] | None = None


class Candidate(GoogleModel):
    """One generated reply."""

    content: Content
    finish_reason: str | None = None
    index: int = 0


class UsageMetadata(GoogleModel):
    """Token counts of one request."""

    prompt_token_count: int
    candidates_token_count: int
    total_token_count: int


class GenerateContentResponse(GoogleModel):
    """The answer of :generateContent, and each event of :streamGenerateContent."""

    candidates: list[Candidate]
    usage_metadata: UsageMetadata | None = None
    model_version: str
    response_id: str
    create_time: str


class StsTokenResponse(BaseModel):
    """The answer of the token route, as Google's STS token exchange gives it."""

    access_token: str
    issued_token_type: str = "urn:ietf:params:oauth:token-type:access_token"
    token_type: str = "Bearer"
    expires_in: int
