"""Wire models of /v1/fine_tuning, named after OpenAI's objects (FineTuningJob, ...).

The hyperparameters models are built from the one declaration in
service.training.hyperparameters: their fields, order, descriptions and published schemas. Their
values are typed `Any` with that schema attached, because the declaration's checks, not pydantic,
refuse a bad value, naming the offending `param` the way OpenAI does (pydantic's union errors
would name a branch instead).
"""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidatorFunctionWrapHandler,
    WithJsonSchema,
    create_model,
    field_validator,
)

from service.core.pagination import ListPage
from service.core.wire import JsonBody
from service.graders.schemas import Grader, grader_field
from service.training.hyperparameters import Hyperparameter, Method, hyperparameter, published


class JobStatus(StrEnum):
    """Where a job is in its lifecycle; service/fine_tuning/transitions.py draws and performs
    every change. `pausing` and `paused` are in the statuses of OpenAI's API reference, not
    yet in the enum of its published description."""

    VALIDATING_FILES = "validating_files"
    QUEUED = "queued"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    CANCELLED = "cancelled"
    # From a pause request until the worker has saved its checkpoint and let go.
    PAUSING = "pausing"
    PAUSED = "paused"


FINISHED_STATUSES: frozenset[JobStatus] = frozenset(
    {JobStatus.SUCCEEDED, JobStatus.FAILED, JobStatus.CANCELLED}
)
# The same values as a Literal: inline on the wire, as OpenAI's FineTuningJob.status is,
# rather than a $ref to an enum component.
if TYPE_CHECKING:
    WireJobStatus = JobStatus
else:
    WireJobStatus = Literal[tuple(status.value for status in JobStatus)]


def _is_none(value: object) -> bool:
    return value is None


def _wire_field(spec: Hyperparameter, method: Method) -> tuple[object, str | None]:
    """A hyperparameter as a field of `method`'s wire model: any JSON value, published with
    its declared schema; an omitted one is its wire default, or left out of the stored method."""
    schema = WithJsonSchema(spec.json_schema())
    description = spec.description(method)
    if spec.wire_default is None:
        return Annotated[Any, schema, Field(exclude_if=_is_none, description=description)], None
    return Annotated[Any, schema, Field(description=description)], spec.wire_default


class WireHyperparameters(BaseModel):
    """The base of every method's hyperparameters model (built from the declaration)."""

    # Unknown keys reach validate_hyperparameters, which refuses them naming the key.
    model_config = ConfigDict(extra="allow", strict=True)


def _hyperparameters_model(method: Method, name: str, doc: str) -> type[WireHyperparameters]:
    fields = {spec.name: _wire_field(spec, method) for spec in published(method)}
    # The field types are built at run time, which create_model's TypeForm cannot express.
    model: type[WireHyperparameters] = create_model(  # type: ignore[call-overload]
        name, __base__=WireHyperparameters, __doc__=doc, __module__=__name__, **fields
    )
    return model


# The generated models; to a type checker, the base they share (fields are checked by the
# declaration, not read by attribute).
if TYPE_CHECKING:
    FineTuneSupervisedHyperparameters = WireHyperparameters
    FineTuneDPOHyperparameters = WireHyperparameters
    FineTuneReinforcementHyperparameters = WireHyperparameters
else:
    FineTuneSupervisedHyperparameters = _hyperparameters_model(
        "supervised",
        "FineTuneSupervisedHyperparameters",
        "Supervised hyperparameters: OpenAI's three, plus Whetstone's LoRA extensions.",
    )
    FineTuneDPOHyperparameters = _hyperparameters_model(
        "dpo",
        "FineTuneDPOHyperparameters",
        "DPO hyperparameters: OpenAI's four (beta among them), plus Whetstone's LoRA extensions.",
    )
    FineTuneReinforcementHyperparameters = _hyperparameters_model(
        "reinforcement",
        "FineTuneReinforcementHyperparameters",
        "Reinforcement hyperparameters: OpenAI's seven, plus Whetstone's GRPO and LoRA extensions.",
    )

# OpenAI's three, as the job object and the deprecated top-level field publish them.
AutoBatchSize = Annotated[Any, WithJsonSchema(hyperparameter("batch_size").json_schema())]
AutoLearningRate = Annotated[
    Any, WithJsonSchema(hyperparameter("learning_rate_multiplier").json_schema())
]
AutoEpochs = Annotated[Any, WithJsonSchema(hyperparameter("n_epochs").json_schema())]


class FineTuneSupervisedMethod(BaseModel):
    """Configuration of the supervised method."""

    model_config = ConfigDict(strict=True)

    hyperparameters: FineTuneSupervisedHyperparameters | None = Field(
        None, description="The hyperparameters of the supervised job."
    )


class FineTuneDPOMethod(BaseModel):
    """Configuration of the DPO method."""

    model_config = ConfigDict(strict=True)

    hyperparameters: FineTuneDPOHyperparameters | None = Field(
        None, description="The hyperparameters of the DPO job."
    )


class FineTuneReinforcementMethod(BaseModel):
    """Configuration of the reinforcement method."""

    model_config = ConfigDict(strict=True)

    grader: Grader = Field(description="The grader that rewards each sampled completion.")
    hyperparameters: FineTuneReinforcementHyperparameters | None = Field(
        None, description="The hyperparameters of the reinforcement job."
    )

    @field_validator("grader", mode="wrap")
    @classmethod
    def _parse_grader(cls, value: Any, handler: ValidatorFunctionWrapHandler) -> Any:
        return grader_field(value, handler)


class FineTuneMethod(BaseModel):
    """The method used for fine-tuning: `supervised`, `dpo` or `reinforcement`."""

    model_config = ConfigDict(strict=True)

    type: Literal["supervised", "dpo", "reinforcement"] = Field(
        description="The method: `supervised`, `dpo` or `reinforcement`."
    )
    supervised: FineTuneSupervisedMethod | None = Field(
        None, exclude_if=_is_none, description="Configuration of the supervised method."
    )
    dpo: FineTuneDPOMethod | None = Field(
        None, exclude_if=_is_none, description="Configuration of the DPO method."
    )
    reinforcement: FineTuneReinforcementMethod | None = Field(
        None, exclude_if=_is_none, description="Configuration of the reinforcement method."
    )


class LegacyHyperparameters(BaseModel):
    """The deprecated top-level `hyperparameters` of a create request (use `method`)."""

    model_config = ConfigDict(extra="allow", strict=True)

    batch_size: AutoBatchSize = Field("auto", description="Examples per optimizer step.")
    learning_rate_multiplier: AutoLearningRate = Field(
        "auto", description="Scale of the base learning rate."
    )
    n_epochs: AutoEpochs = Field("auto", description="Full passes over the training file.")


class WandbIntegration(BaseModel):
    """Settings of a Weights and Biases integration (stored and echoed; no run is made)."""

    model_config = ConfigDict(strict=True)

    project: str = Field(description="The W&B project the run would belong to.")
    name: str | None = Field(None, description="A display name for the run.")
    entity: str | None = Field(None, description="The W&B entity (team or user).")
    tags: list[str] = Field(default_factory=list, description="Tags attached to the run.")


class FineTuningIntegration(BaseModel):
    """An integration of a job (only `wandb`)."""

    model_config = ConfigDict(strict=True)

    type: Literal["wandb"] = Field(description="The integration type; only `wandb`.")
    wandb: WandbIntegration = Field(description="The W&B settings.")


class CreateFineTuningJobRequest(JsonBody):
    """The body of POST /v1/fine_tuning/jobs."""

    # OpenAI refuses unrecognized arguments; so do we rather than silently ignore them.
    model_config = ConfigDict(extra="forbid")

    model: str = Field(description="The base model to fine-tune, e.g. `gpt-4o-mini-2024-07-18`.")
    training_file: str = Field(description="Id of an uploaded file of purpose `fine-tune`.")
    hyperparameters: LegacyHyperparameters | None = Field(
        None, description="Deprecated: the hyperparameters; use `method` instead."
    )
    suffix: str | None = Field(
        None,
        min_length=1,
        max_length=64,
        description="Up to 64 characters added to the fine-tuned model's name.",
    )
    validation_file: str | None = Field(
        None, description="Id of an uploaded file of purpose `fine-tune` to validate on."
    )
    integrations: list[FineTuningIntegration] | None = Field(
        None, max_length=5, description="Integrations to enable (only `wandb`, stored as given)."
    )
    seed: int | None = Field(
        None, ge=0, le=2_147_483_647, description="Seed for reproducibility; random when unset."
    )
    method: FineTuneMethod | None = Field(None, description="The fine-tuning method.")
    metadata: dict[str, str] | None = Field(
        None, description="Up to 16 key-value pairs (keys <= 64, values <= 512 characters)."
    )


class FineTuningJobError(BaseModel):
    """Why a job failed."""

    code: str = Field(description="Machine-readable error code, e.g. `invalid_training_file`.")
    message: str = Field(description="Human-readable description, with the line at fault.")
    param: str | None = Field(None, description="The request parameter at fault, if any.")


class FineTuningJobHyperparameters(BaseModel):
    """The job's OpenAI hyperparameters: as requested, then resolved once files validate."""

    batch_size: AutoBatchSize = Field("auto", description="Examples per optimizer step.")
    learning_rate_multiplier: AutoLearningRate = Field(
        "auto", description="Scale of the base learning rate."
    )
    n_epochs: AutoEpochs = Field("auto", description="Full passes over the training file.")


class FineTuningJob(BaseModel):
    """A fine-tuning job (OpenAI's `FineTuningJob`)."""

    id: str = Field(description="The job identifier, `ftjob-...`.")
    object: Literal["fine_tuning.job"] = Field(
        "fine_tuning.job", description="Always `fine_tuning.job`."
    )
    created_at: int = Field(description="Unix seconds when the job was created.")
    error: FineTuningJobError | None = Field(description="Why the job failed; null otherwise.")
    fine_tuned_model: str | None = Field(
        description="The `ft:` name of the trained model; null until the job succeeds."
    )
    finished_at: int | None = Field(description="Unix seconds when the job finished, if it has.")
    hyperparameters: FineTuningJobHyperparameters = Field(
        description="The hyperparameters (resolved from `auto` once the files validate)."
    )
    model: str = Field(description="The base model being fine-tuned, as requested.")
    organization_id: str = Field(description="The organization that owns the job.")
    result_files: list[str] = Field(description="Ids of the results files (step metrics CSV).")
    status: WireJobStatus = Field(description="Where the job is in its lifecycle.")
    trained_tokens: int | None = Field(
        description="Tokens trained on; null until the job succeeds."
    )
    training_file: str = Field(description="Id of the training file.")
    validation_file: str | None = Field(description="Id of the validation file, if any.")
    integrations: list[FineTuningIntegration] | None = Field(
        None, description="The integrations enabled for the job."
    )
    seed: int = Field(description="The seed of the job.")
    estimated_finish: int | None = Field(
        None, description="Unix seconds when a running job is expected to finish."
    )
    method: FineTuneMethod = Field(description="The fine-tuning method and its hyperparameters.")
    metadata: dict[str, str] | None = Field(None, description="The job's key-value pairs.")


class FineTuningJobEvent(BaseModel):
    """One event of a job (OpenAI's `FineTuningJobEvent`)."""

    object: Literal["fine_tuning.job.event"] = Field(
        "fine_tuning.job.event", description="Always `fine_tuning.job.event`."
    )
    id: str = Field(description="The event identifier, `ftevent-...`.")
    created_at: int = Field(description="Unix seconds when the event happened.")
    level: Literal["info", "warn", "error"] = Field(description="The severity of the event.")
    message: str = Field(description="What happened, in OpenAI's wording.")
    type: Literal["message", "metrics"] = Field(
        "message", description="`metrics` for a training step's metrics, else `message`."
    )
    data: dict[str, Any] = Field(
        default_factory=dict, description="The step's metrics for `metrics` events, else `{}`."
    )


class FineTuningJobCheckpointMetrics(BaseModel):
    """The metrics of a job at a checkpoint's step."""

    model_config = ConfigDict(extra="allow")

    step: float | None = Field(None, exclude_if=_is_none, description="The step number.")
    train_loss: float | None = Field(None, exclude_if=_is_none, description="Training loss.")
    train_mean_token_accuracy: float | None = Field(
        None, exclude_if=_is_none, description="Training mean token accuracy."
    )
    valid_loss: float | None = Field(
        None, exclude_if=_is_none, description="Validation loss on a sample."
    )
    valid_mean_token_accuracy: float | None = Field(
        None, exclude_if=_is_none, description="Validation mean token accuracy on a sample."
    )
    full_valid_loss: float | None = Field(
        None, exclude_if=_is_none, description="Validation loss on the whole validation file."
    )
    full_valid_mean_token_accuracy: float | None = Field(
        None,
        exclude_if=_is_none,
        description="Validation mean token accuracy on the whole validation file.",
    )


class FineTuningJobCheckpoint(BaseModel):
    """A model checkpoint of a job (OpenAI's `FineTuningJobCheckpoint`)."""

    object: Literal["fine_tuning.job.checkpoint"] = Field(
        "fine_tuning.job.checkpoint", description="Always `fine_tuning.job.checkpoint`."
    )
    id: str = Field(description="The checkpoint identifier, `ftckpt_...`.")
    created_at: int = Field(description="Unix seconds when the checkpoint was saved.")
    fine_tuned_model_checkpoint: str = Field(
        description="The checkpoint's model name, `ft:...:ckpt-step-N`."
    )
    fine_tuning_job_id: str = Field(description="The job the checkpoint belongs to.")
    metrics: FineTuningJobCheckpointMetrics = Field(description="Metrics at the step.")
    step_number: int = Field(description="The optimizer step the checkpoint was saved at.")


class ListPaginatedFineTuningJobsResponse(ListPage[FineTuningJob]):
    """A page of jobs, newest first."""


class ListFineTuningJobEventsResponse(ListPage[FineTuningJobEvent]):
    """A page of a job's events, newest first."""


class ListFineTuningJobCheckpointsResponse(ListPage[FineTuningJobCheckpoint]):
    """A page of a job's checkpoints, newest first."""
