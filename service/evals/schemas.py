"""Wire models of /v1/evals, named after OpenAI's objects (Eval, EvalRun, EvalRunOutputItem,
CreateEvalRequest, CreateEvalRunRequest, ...).

Testing criteria are the graders of service/graders/schemas.py with a `pass_threshold`. A `logs`
eval grades the project's stored Responses (the `responses` run data source). Data source
shapes Whetstone cannot serve (`stored_completions`) parse here and are refused with a 400
naming them by service/evals/operations.py.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from service.core.pagination import ListPage
from service.core.wire import JsonBody, WireJSONObject
from service.graders.schemas import (
    EvalItem,
    LabelModelGrader,
    MultiGrader,
    PythonGrader,
    ScoreModelGrader,
    StringCheckGrader,
    TextSimilarityGrader,
)

_WIRE = ConfigDict(extra="forbid", strict=True)

Metadata = Annotated[
    dict[
        Annotated[str, StringConstraints(max_length=64)],
        Annotated[str, StringConstraints(max_length=512)],
    ],
    Field(max_length=16),
]


def _is_none(value: object) -> bool:
    return value is None


RunStatus = Literal["queued", "in_progress", "completed", "canceled", "failed"]


# ----- testing criteria -----


class EvalStringCheckGrader(StringCheckGrader):
    """A string_check criterion: it passes when the reward is 1."""


class EvalTextSimilarityGrader(TextSimilarityGrader):
    """A text_similarity criterion."""

    pass_threshold: float = Field(description="The score at or above which the item passes.")


class EvalPythonGrader(PythonGrader):
    """A python criterion."""

    pass_threshold: float | None = Field(
        None, exclude_if=_is_none, description="The passing score (default 1)."
    )


class EvalScoreModelGrader(ScoreModelGrader):
    """A score_model criterion (its pass_threshold is the grader's own: the passing score)."""


class EvalLabelModelGrader(LabelModelGrader):
    """A label_model criterion: it passes when the model answers one of `passing_labels`."""


class EvalMultiGrader(MultiGrader):
    """A multi criterion (beyond OpenAI's description of testing criteria)."""

    pass_threshold: float | None = Field(
        None, exclude_if=_is_none, description="The passing score (default 1)."
    )


AnyTestingCriterion = (
    EvalStringCheckGrader
    | EvalTextSimilarityGrader
    | EvalPythonGrader
    | EvalScoreModelGrader
    | EvalLabelModelGrader
    | EvalMultiGrader
)
TestingCriterion = Annotated[AnyTestingCriterion, Field(discriminator="type")]


# ----- data source configs -----


class CreateEvalCustomDataSourceConfig(BaseModel):
    """The schema of each item, and whether runs fill the `sample` namespace."""

    model_config = _WIRE

    type: Literal["custom"] = Field(description="Always `custom`.")
    item_schema: WireJSONObject = Field(description="The JSON schema of each item.")
    include_sample_schema: bool = Field(
        False, description="Whether runs generate samples (the `sample` namespace)."
    )


class CreateEvalLogsDataSourceConfig(BaseModel):
    """Items from the project's stored Responses, graded by `responses` runs."""

    model_config = _WIRE

    type: Literal["logs"] = Field(description="Always `logs`.")
    metadata: dict[str, str] | None = Field(
        None, description="Only the stored responses whose metadata has these pairs."
    )


class CreateEvalStoredCompletionsDataSourceConfig(BaseModel):
    """Items from stored chat completions (refused: Whetstone stores none)."""

    model_config = ConfigDict(extra="allow", strict=True)

    type: Literal["stored_completions"] = Field(description="Always `stored_completions`.")
    metadata: WireJSONObject | None = Field(None, description="Filters on the metadata.")


CreateEvalDataSourceConfig = Annotated[
    CreateEvalCustomDataSourceConfig
    | CreateEvalLogsDataSourceConfig
    | CreateEvalStoredCompletionsDataSourceConfig,
    Field(discriminator="type"),
]


class EvalCustomDataSourceConfig(BaseModel):
    """The JSON schema of the `item` (and `sample`) namespaces of the eval's runs."""

    type: Literal["custom"] = Field("custom", description="Always `custom`.")
    schema_: WireJSONObject = Field(
        alias="schema", serialization_alias="schema", description="The namespaces' schema."
    )


class EvalLogsDataSourceConfig(BaseModel):
    """The `item` (a stored response's input) and `sample` (its output) of a logs eval."""

    type: Literal["logs"] = Field("logs", description="Always `logs`.")
    metadata: dict[str, str] | None = Field(
        None, exclude_if=_is_none, description="The metadata filter of the eval's responses."
    )
    schema_: WireJSONObject = Field(
        alias="schema", serialization_alias="schema", description="The namespaces' schema."
    )


# ----- evals -----


class CreateEvalRequest(JsonBody):
    """The body of POST /v1/evals."""

    model_config = ConfigDict(extra="forbid", strict=True)

    name: str | None = Field(None, max_length=1024, description="The name of the eval.")
    metadata: Metadata | None = Field(None, description="Up to 16 key-value pairs.")
    data_source_config: CreateEvalDataSourceConfig = Field(
        description="The schema of the data the eval's runs grade."
    )
    testing_criteria: list[TestingCriterion] = Field(
        min_length=1, description="The graders every item is scored with."
    )


class UpdateEvalRequest(JsonBody):
    """The body of POST /v1/evals/{eval_id}."""

    model_config = ConfigDict(extra="forbid", strict=True)

    name: str | None = Field(None, max_length=1024, description="Rename the eval.")
    metadata: Metadata | None = Field(None, description="Replace the key-value pairs.")


class Eval(BaseModel):
    """An eval: a data source config and testing criteria."""

    object: Literal["eval"] = Field("eval", description="Always `eval`.")
    id: str = Field(description="The eval's identifier, `eval_...`.")
    name: str = Field(description="The name of the eval.")
    data_source_config: EvalCustomDataSourceConfig | EvalLogsDataSourceConfig = Field(
        description="The schema of the data the eval's runs grade."
    )
    testing_criteria: list[TestingCriterion] = Field(description="The testing criteria.")
    created_at: int = Field(description="Unix seconds when the eval was created.")
    metadata: dict[str, str] | None = Field(description="The eval's key-value pairs.")


class EvalList(ListPage[Eval]):
    """A page of evals."""


class EvalDeleted(BaseModel):
    """The answer to DELETE /v1/evals/{eval_id}."""

    object: Literal["eval.deleted"] = Field("eval.deleted", description="Always `eval.deleted`.")
    deleted: bool = Field(description="Whether the eval was deleted.")
    eval_id: str = Field(description="The deleted eval's identifier.")


# ----- run data sources -----


class ContentRow(BaseModel):
    """One item, and optionally a ready-made sample."""

    model_config = ConfigDict(extra="forbid", strict=True)

    item: WireJSONObject = Field(description="The `item` namespace.")
    sample: WireJSONObject | None = Field(
        None, description="The `sample` namespace (`output_text`, ...), when already made."
    )


class EvalJsonlFileContentSource(BaseModel):
    """Items given inline."""

    model_config = _WIRE

    type: Literal["file_content"] = Field(description="Always `file_content`.")
    content: list[ContentRow] = Field(description="The items (the lines of a JSONL file).")


class EvalJsonlFileIdSource(BaseModel):
    """Items in an uploaded JSONL file, one `{"item": ..., "sample": ...}` per line."""

    model_config = _WIRE

    type: Literal["file_id"] = Field(description="Always `file_id`.")
    id: str = Field(description="The file's identifier.")


class EvalStoredCompletionsSource(BaseModel):
    """Items from stored chat completions (refused: Whetstone stores none)."""

    model_config = ConfigDict(extra="allow", strict=True)

    type: Literal["stored_completions"] = Field(description="Always `stored_completions`.")


JsonlSource = Annotated[
    EvalJsonlFileContentSource | EvalJsonlFileIdSource, Field(discriminator="type")
]
CompletionsSource = Annotated[
    EvalJsonlFileContentSource | EvalJsonlFileIdSource | EvalStoredCompletionsSource,
    Field(discriminator="type"),
]


class CreateEvalJsonlRunDataSource(BaseModel):
    """Items (and optional samples) from JSONL, graded as they are."""

    model_config = _WIRE

    type: Literal["jsonl"] = Field(description="Always `jsonl`.")
    source: JsonlSource = Field(description="What fills the `item` namespace.")


class TemplateInputMessages(BaseModel):
    """Messages with `{{item.*}}` templates."""

    model_config = _WIRE

    type: Literal["template"] = Field(description="Always `template`.")
    template: list[EvalItem] = Field(min_length=1, description="The messages, with templates.")


class ItemReferenceInputMessages(BaseModel):
    """The messages are a list in each item, e.g. `item.input_trajectory`."""

    model_config = _WIRE

    type: Literal["item_reference"] = Field(description="Always `item_reference`.")
    item_reference: str = Field(description="A variable of the `item` namespace.")


class RunSamplingParams(BaseModel):
    """How the evaluated model samples."""

    model_config = _WIRE

    temperature: float | None = Field(None, ge=0, le=2, description="Sampling temperature (1).")
    max_completion_tokens: int | None = Field(None, ge=1, description="Most tokens per reply.")
    top_p: float | None = Field(None, ge=0, le=1, description="Nucleus sampling mass (1).")
    seed: int | None = Field(None, description="Seed of the sampling (default 42).")
    reasoning_effort: str | None = Field(None, description="Refused: no reasoning models.")
    response_format: WireJSONObject | None = Field(
        None, description="As chat completions' `response_format`."
    )
    tools: list[WireJSONObject] | None = Field(None, description="As chat completions' `tools`.")


class CreateEvalCompletionsRunDataSource(BaseModel):
    """Samples a Whetstone-served model on each item, then grades the reply."""

    model_config = _WIRE

    type: Literal["completions"] = Field(description="Always `completions`.")
    model: str | None = Field(
        None, description="A served model: a base name or alias, an `ft:` or checkpoint name."
    )
    input_messages: (
        Annotated[TemplateInputMessages | ItemReferenceInputMessages, Field(discriminator="type")]
        | None
    ) = Field(None, description="The messages sent to the model.")
    sampling_params: RunSamplingParams | None = Field(None, description="Sampling parameters.")
    source: CompletionsSource = Field(description="What fills the `item` namespace.")


class EvalResponsesSource(BaseModel):
    """The project's stored Responses (completed or incomplete), newest first, filtered."""

    model_config = _WIRE

    type: Literal["responses"] = Field(description="Always `responses`.")
    limit: int | None = Field(
        None,
        ge=1,
        le=2**53,
        description="At most this many responses, the newest (OpenAI's notebooks).",
    )
    model: str | None = Field(None, description="Only responses of this model (as requested).")
    metadata: WireJSONObject | None = Field(
        None, description="Only responses whose metadata has these pairs."
    )
    # Bounded so that any value fits the databases' 64-bit integers.
    created_after: int | None = Field(
        None, ge=0, le=2**53, description="Created at or after (Unix s)."
    )
    created_before: int | None = Field(
        None, ge=0, le=2**53, description="Created at or before (Unix s)."
    )
    instructions_search: str | None = Field(
        None, description="Only responses whose instructions contain this text."
    )
    users: list[str] | None = Field(None, description="Only responses of these `user`s.")
    temperature: float | None = Field(None, description="Only responses with this temperature.")
    top_p: float | None = Field(None, description="Only responses with this top_p.")
    reasoning_effort: str | None = Field(
        None, description="Only responses of a reasoning model with this effort."
    )
    tools: list[str] | None = Field(None, description="Refused: a 400 naming it.")


ResponsesSource = Annotated[
    EvalJsonlFileContentSource | EvalJsonlFileIdSource | EvalResponsesSource,
    Field(discriminator="type"),
]


class ResponsesRunSamplingParams(BaseModel):
    """How the evaluated model samples, when a `responses` run samples one."""

    model_config = _WIRE

    temperature: float | None = Field(None, ge=0, le=2, description="Sampling temperature (1).")
    max_completion_tokens: int | None = Field(None, ge=1, description="Most tokens per reply.")
    top_p: float | None = Field(None, ge=0, le=1, description="Nucleus sampling mass (1).")
    seed: int | None = Field(None, description="Seed of the sampling (default 42).")
    reasoning_effort: str | None = Field(None, description="Refused: no reasoning is done.")
    text: WireJSONObject | None = Field(
        None, description="`format`: text, json_object or json_schema, as the Responses API's."
    )
    tools: list[WireJSONObject] | None = Field(
        None, description="Function tools, as the Responses API takes them."
    )


class CreateEvalResponsesRunDataSource(BaseModel):
    """Grades stored Responses as they are, or (with `model` and `input_messages`) samples a
    served model on each item again, as a `completions` run does."""

    model_config = _WIRE

    type: Literal["responses"] = Field(description="Always `responses`.")
    source: ResponsesSource = Field(description="What fills the `item` namespace.")
    model: str | None = Field(None, description="A served model to sample on each item.")
    input_messages: (
        Annotated[TemplateInputMessages | ItemReferenceInputMessages, Field(discriminator="type")]
        | None
    ) = Field(None, description="The messages sent to `model`.")
    sampling_params: ResponsesRunSamplingParams | None = Field(
        None, description="Sampling parameters of `model`."
    )


RunDataSource = Annotated[
    CreateEvalJsonlRunDataSource
    | CreateEvalCompletionsRunDataSource
    | CreateEvalResponsesRunDataSource,
    Field(discriminator="type"),
]


# ----- runs -----


class CreateEvalRunRequest(JsonBody):
    """The body of POST /v1/evals/{eval_id}/runs."""

    model_config = ConfigDict(extra="forbid", strict=True)

    name: str | None = Field(None, max_length=1024, description="The name of the run.")
    metadata: Metadata | None = Field(None, description="Up to 16 key-value pairs.")
    data_source: RunDataSource = Field(description="The items, and how samples are made.")


class EvalApiError(BaseModel):
    """Why a run or a sample failed."""

    code: str = Field(description="The error code.")
    message: str = Field(description="The error message.")


class EvalRunResultCounts(BaseModel):
    """How the run's output items came out."""

    total: int = Field(description="Output items graded so far.")
    errored: int = Field(description="Items whose sample or grading errored.")
    failed: int = Field(description="Items that failed a testing criterion.")
    passed: int = Field(description="Items that passed every testing criterion.")


class EvalRunModelUsage(BaseModel):
    """Tokens one model used during the run."""

    model_name: str = Field(description="The model.")
    invocation_count: int = Field(description="Times it was called.")
    prompt_tokens: int = Field(description="Prompt tokens.")
    completion_tokens: int = Field(description="Generated tokens.")
    total_tokens: int = Field(description="Prompt and generated tokens.")
    cached_tokens: int = Field(0, description="Always 0: no prompt cache is kept.")


class EvalRunCriterionResult(BaseModel):
    """How the items fared on one testing criterion."""

    testing_criteria: str = Field(description="The criterion's name.")
    passed: int = Field(description="Items that passed it.")
    failed: int = Field(description="Items that did not (errors included).")


class EvalRun(BaseModel):
    """A run of an eval."""

    object: Literal["eval.run"] = Field("eval.run", description="Always `eval.run`.")
    id: str = Field(description="The run's identifier, `evalrun_...`.")
    eval_id: str = Field(description="The eval it runs.")
    status: RunStatus = Field(description="`queued`, `in_progress` or how it ended.")
    model: str | None = Field(description="The sampled model; null for a `jsonl` run.")
    name: str = Field(description="The name of the run.")
    created_at: int = Field(description="Unix seconds when the run was created.")
    report_url: str = Field(description="The run's page on this server's dashboard.")
    result_counts: EvalRunResultCounts = Field(description="How the items came out.")
    per_model_usage: list[EvalRunModelUsage] = Field(description="Tokens per model.")
    per_testing_criteria_results: list[EvalRunCriterionResult] = Field(
        description="Passes and failures per testing criterion."
    )
    data_source: WireJSONObject = Field(description="The run's data source, as created.")
    metadata: dict[str, str] | None = Field(description="The run's key-value pairs.")
    error: EvalApiError | None = Field(description="Why the run failed; null otherwise.")


class EvalRunList(ListPage[EvalRun]):
    """A page of runs."""


class EvalRunDeleted(BaseModel):
    """The answer to DELETE /v1/evals/{eval_id}/runs/{run_id}."""

    object: Literal["eval.run.deleted"] = Field(
        "eval.run.deleted", description="Always `eval.run.deleted`."
    )
    deleted: bool = Field(description="Whether the run was deleted.")
    run_id: str = Field(description="The deleted run's identifier.")


class EvalRunOutputItemResult(BaseModel):
    """One testing criterion's verdict on an item."""

    model_config = ConfigDict(extra="allow")

    name: str = Field(description="The criterion's name.")
    type: str = Field(description="The grader type (`string_check`, ...).")
    score: float = Field(description="The grader's reward.")
    passed: bool = Field(description="Whether it reached the criterion's pass threshold.")
    sample: WireJSONObject | None = Field(None, description="The grader's error flags, if any.")


class SampleMessage(BaseModel):
    """A message of a sample."""

    role: str = Field(description="The role.")
    content: str = Field(description="The text.")


class SampleUsage(BaseModel):
    """Tokens the sample took."""

    total_tokens: int = Field(description="Prompt and generated tokens.")
    completion_tokens: int = Field(description="Generated tokens.")
    prompt_tokens: int = Field(description="Prompt tokens.")
    cached_tokens: int = Field(0, description="Always 0.")


class EvalRunOutputItemSample(BaseModel):
    """What the model was asked and answered."""

    input: list[SampleMessage] = Field(description="The messages sent.")
    output: list[SampleMessage] = Field(description="The reply.")
    finish_reason: str = Field(description="`stop` or `length` (empty when it errored).")
    model: str = Field(description="The sampled model (empty for a ready-made sample).")
    usage: SampleUsage = Field(description="Tokens of the sample.")
    error: EvalApiError | None = Field(description="Why sampling failed; null otherwise.")
    temperature: float = Field(description="The sampling temperature.")
    max_completion_tokens: int = Field(description="The token limit of the reply.")
    top_p: float = Field(description="The nucleus sampling mass.")
    seed: int = Field(description="The sampling seed.")


class EvalRunOutputItem(BaseModel):
    """One graded item of a run."""

    object: Literal["eval.run.output_item"] = Field(
        "eval.run.output_item", description="Always `eval.run.output_item`."
    )
    id: str = Field(description="The output item's identifier, `outputitem_...`.")
    run_id: str = Field(description="The run.")
    eval_id: str = Field(description="The eval.")
    created_at: int = Field(description="Unix seconds when the item was graded.")
    status: Literal["pass", "fail", "error"] = Field(description="`pass`, `fail` or `error`.")
    datasource_item_id: int = Field(description="The item's index in the data source.")
    datasource_item: WireJSONObject = Field(description="The item.")
    results: list[EvalRunOutputItemResult] = Field(description="One result per criterion.")
    sample: EvalRunOutputItemSample = Field(description="The sample that was graded.")


class EvalRunOutputItemList(ListPage[EvalRunOutputItem]):
    """A page of output items."""
