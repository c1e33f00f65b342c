"""Wire models of /v1/fine_tuning/alpha/graders, named after OpenAI's objects (StringCheckGrader,
ScoreModelGrader, RunGraderResponse, ...).

A grader is parsed by `parse_grader`, which the request models call too: pydantic's errors on a
union name its branch (`grader.string_check.operation`), so they are re-raised with the path a
client wrote (`grader.operation`), found by walking the input along the error's location.
The rules that need more than the shape (a metric Whetstone cannot compute, a formula naming an
unknown grader, a model the caller cannot use) are checked by service/graders/grading.py.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    Tag,
    TypeAdapter,
    ValidationError,
    ValidatorFunctionWrapHandler,
    field_validator,
)
from pydantic_core import ErrorDetails, InitErrorDetails, PydanticCustomError

from service.core.wire import WireJSONObject

# strict: JSON `true` is no number and `1` no string, as OpenAI refuses them; an integer is
# still a valid number (`range: [0, 10]`).
_WIRE = ConfigDict(extra="forbid", strict=True)

SimilarityMetric = Literal[
    "cosine",
    "fuzzy_match",
    "bleu",
    "gleu",
    "meteor",
    "rouge_1",
    "rouge_2",
    "rouge_3",
    "rouge_4",
    "rouge_5",
    "rouge_l",
]


def _is_none(value: object) -> bool:
    return value is None


class StringCheckGrader(BaseModel):
    """A StringCheckGrader object that performs a string comparison between input and reference
    using a specified operation."""

    model_config = _WIRE

    type: Literal["string_check"] = Field(description="The object type, always `string_check`.")
    name: str = Field(description="The name of the grader.")
    input: str = Field(description="The input text. This may include template strings.")
    reference: str = Field(description="The reference text. This may include template strings.")
    operation: Literal["eq", "ne", "like", "ilike"] = Field(
        description="`eq`, `ne`, `like` (input contains reference) or `ilike` (ignoring case)."
    )


class TextSimilarityGrader(BaseModel):
    """A TextSimilarityGrader object which grades text based on similarity metrics."""

    model_config = _WIRE

    type: Literal["text_similarity"] = Field(description="The type of grader.")
    name: str = Field(description="The name of the grader.")
    input: str = Field(description="The text being graded. This may include template strings.")
    reference: str = Field(description="The text being graded against; may include templates.")
    evaluation_metric: SimilarityMetric = Field(
        description="The evaluation metric (`cosine` is refused: it needs an embeddings model)."
    )


class PythonGrader(BaseModel):
    """A PythonGrader object that runs a python script on the input."""

    model_config = _WIRE

    type: Literal["python"] = Field(description="The object type, always `python`.")
    name: str = Field(description="The name of the grader.")
    source: str = Field(description="Source defining `grade(sample: dict, item: dict) -> float`.")
    image_tag: str | None = Field(
        None,
        exclude_if=_is_none,
        description="Accepted and echoed; every grader runs on the server's own Python.",
    )


class InputTextContent(BaseModel):
    """A text input to the model."""

    model_config = _WIRE

    type: Literal["input_text"] = Field(description="Always `input_text`.")
    text: str = Field(description="The text input to the model; may include template strings.")
    prompt_cache_breakpoint: WireJSONObject | None = Field(
        None, exclude_if=_is_none, description="Accepted; no prompt cache is kept."
    )


class EvalItemContentOutputText(BaseModel):
    """A text output from the model."""

    model_config = _WIRE

    type: Literal["output_text"] = Field(description="Always `output_text`.")
    text: str = Field(description="The text output from the model; may include templates.")


class EvalItemInputImage(BaseModel):
    """An image input block (refused: the served models read text only)."""

    model_config = _WIRE

    type: Literal["input_image"] = Field(description="Always `input_image`.")
    image_url: str = Field(description="The URL of the image input.")
    detail: str | None = Field(None, exclude_if=_is_none, description="`high`, `low` or `auto`.")


class InputAudioData(BaseModel):
    """Base64-encoded audio and its format."""

    model_config = _WIRE

    data: str = Field(description="Base64-encoded audio data.")
    format: Literal["mp3", "wav"] = Field(description="`mp3` or `wav`.")


class InputAudio(BaseModel):
    """An audio input (refused: the served models read text only)."""

    model_config = _WIRE

    type: Literal["input_audio"] = Field(description="Always `input_audio`.")
    input_audio: InputAudioData = Field(description="The audio.")


EvalItemContentObject = Annotated[
    InputTextContent | EvalItemContentOutputText | EvalItemInputImage | InputAudio,
    Field(discriminator="type"),
]


def _content_kind(value: object) -> str | None:
    # By JSON type rather than pydantic's smart union, whose errors would come from every branch.
    if isinstance(value, str):
        return "string"
    if isinstance(value, dict):
        return "object"
    if isinstance(value, list):
        return "array"
    return None


EvalItemContentItem = Annotated[
    Annotated[str, Tag("string")] | Annotated[EvalItemContentObject, Tag("object")],
    Discriminator(
        _content_kind,
        custom_error_type="invalid_content",
        custom_error_message="Input should be a string or a content object",
    ),
]
EvalItemContent = Annotated[
    Annotated[str, Tag("string")]
    | Annotated[EvalItemContentObject, Tag("object")]
    | Annotated[list[EvalItemContentItem], Tag("array")],
    Discriminator(
        _content_kind,
        custom_error_type="invalid_content",
        custom_error_message="Input should be a string, a content object or an array of them",
    ),
]


class EvalItem(BaseModel):
    """A message input to the model with a role indicating instruction following hierarchy."""

    model_config = _WIRE

    role: Literal["user", "assistant", "system", "developer"] = Field(
        description="`user`, `assistant`, `system` or `developer`."
    )
    content: EvalItemContent = Field(
        description="Text, or text parts (`input_text`, `output_text`), with template strings."
    )
    type: Literal["message"] | None = Field(
        None, exclude_if=_is_none, description="Always `message`."
    )


class ScoreModelSamplingParams(BaseModel):
    """The sampling parameters of a score_model grader's model."""

    model_config = _WIRE

    seed: int | None = Field(None, description="Seed of the sampling (same seed, same reply).")
    top_p: float | None = Field(None, ge=0, le=1, description="Nucleus sampling mass (default 1).")
    temperature: float | None = Field(
        None, ge=0, le=2, description="Sampling temperature; default 0 (greedy)."
    )
    max_completions_tokens: int | None = Field(
        None, ge=1, description="Most tokens the grader model may generate (default 256)."
    )
    reasoning_effort: str | None = Field(
        None, description="Refused unless null: the served models are not reasoning models."
    )


class ScoreModelGrader(BaseModel):
    """A ScoreModelGrader object that uses a model to assign a score to the input."""

    model_config = _WIRE

    type: Literal["score_model"] = Field(description="The object type, always `score_model`.")
    name: str = Field(description="The name of the grader.")
    model: str = Field(description="A served model: a catalog name or alias, or an `ft:` name.")
    input: list[EvalItem] = Field(
        min_length=1, description="The messages sent to the model, with templates."
    )
    range: list[float] | None = Field(
        None, exclude_if=_is_none, description="The range of the score. Defaults to `[0, 1]`."
    )
    sampling_params: ScoreModelSamplingParams | None = Field(
        None, exclude_if=_is_none, description="The sampling parameters for the model."
    )
    # OpenAI's description gives pass_threshold to eval criteria only; its API takes it on any
    # score_model grader (its RFT cookbook sends one), so it is accepted and echoed everywhere.
    pass_threshold: float | None = Field(
        None,
        exclude_if=_is_none,
        description="The score at or above which a sample passes (in evals; default 1).",
    )


class LabelModelGrader(BaseModel):
    """A LabelModelGrader object which uses a model to assign labels to each item."""

    model_config = _WIRE

    type: Literal["label_model"] = Field(description="The object type, always `label_model`.")
    name: str = Field(description="The name of the grader.")
    model: str = Field(description="A served model: a catalog name or alias, or an `ft:` name.")
    input: list[EvalItem] = Field(
        min_length=1, description="The messages sent to the model, with templates."
    )
    labels: list[str] = Field(description="The labels the model may answer.")
    passing_labels: list[str] = Field(description="The labels that pass (a subset of labels).")


SubGrader = Annotated[
    StringCheckGrader | TextSimilarityGrader | PythonGrader | ScoreModelGrader | LabelModelGrader,
    Field(discriminator="type"),
]


def _graders_kind(value: object) -> str | None:
    # OpenAI's description makes `graders` one grader; its guide and API take a map from the
    # names used in calculate_output to graders. A `type` string tells the two apart.
    if isinstance(value, dict):
        return "grader" if isinstance(value.get("type"), str) else "map"
    return None


# The name of a multi grader sent without one, as OpenAI's API accepts it (its description
# requires `name`; its RFT cookbook sends none).
DEFAULT_MULTI_GRADER_NAME = "multi"


class MultiGrader(BaseModel):
    """A MultiGrader object combines the output of multiple graders to produce a single score."""

    model_config = _WIRE

    type: Literal["multi"] = Field(description="The object type, always `multi`.")
    name: str = Field(
        DEFAULT_MULTI_GRADER_NAME,
        description="The name of the grader (default `multi`, when none is given).",
    )
    graders: Annotated[
        Annotated[SubGrader, Tag("grader")] | Annotated[dict[str, SubGrader], Tag("map")],
        Discriminator(
            _graders_kind,
            custom_error_type="invalid_graders",
            custom_error_message="Input should be a grader, or an object mapping names to graders",
        ),
    ] = Field(
        description="The graders: a map from the names used in `calculate_output` to graders, "
        "or one grader, named by its `name`."
    )
    calculate_output: str = Field(
        description="Arithmetic over the graders' names: + - * / ^, parentheses, min, max, abs, "
        "sqrt, log, exp, floor, ceil."
    )


Grader = Annotated[
    StringCheckGrader
    | TextSimilarityGrader
    | PythonGrader
    | ScoreModelGrader
    | LabelModelGrader
    | MultiGrader,
    Field(discriminator="type"),
]
AnyGrader = (
    StringCheckGrader
    | TextSimilarityGrader
    | PythonGrader
    | ScoreModelGrader
    | LabelModelGrader
    | MultiGrader
)

_GRADER: TypeAdapter[AnyGrader] = TypeAdapter(Grader)
_TYPE_DISCRIMINATED = ("union_tag_invalid", "union_tag_not_found")


def _client_path(raw: object, loc: tuple[int | str, ...], kind: str) -> tuple[int | str, ...]:
    """The location as the client wrote it: pydantic's branch tags dropped (a part that is no
    key or index of the input at that point), `.type` added where a discriminator failed."""
    path: list[int | str] = []
    node = raw
    for i, part in enumerate(loc):
        # Two branches, so that the type checker knows `part` indexes a list as an int.
        if isinstance(node, dict) and part in node:  # noqa: SIM114
            path.append(part)
            node = node[part]
        elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
            path.append(part)
            node = node[part]
        elif kind == "missing" and i == len(loc) - 1:
            path.append(part)  # a missing field: the last part, absent from the input
    if kind in _TYPE_DISCRIMINATED:
        path.append("type")
    return tuple(path)


def _client_error(error: ErrorDetails, raw: object) -> InitErrorDetails:
    loc = _client_path(raw, tuple(error["loc"]), error["type"])
    if error["type"] == "union_tag_not_found":
        return {"type": "missing", "loc": loc, "input": raw}
    if error["type"] == "union_tag_invalid":
        expected = error.get("ctx", {}).get("expected_tags", "")
        return {
            "type": "literal_error",
            "loc": loc,
            "input": error["input"],
            "ctx": {"expected": expected},
        }
    details: InitErrorDetails = {"type": error["type"], "loc": loc, "input": error["input"]}
    if "ctx" in error:
        details["ctx"] = error["ctx"]
    if error["type"] in ("invalid_content", "invalid_graders"):
        details["type"] = PydanticCustomError(error["type"], error["msg"])
        details.pop("ctx", None)
    return details


def parse_grader(raw: object) -> AnyGrader:
    """A grader from its JSON; a ValidationError whose locations are the client's paths."""
    try:
        return _GRADER.validate_python(raw)
    except ValidationError as exc:
        errors = [_client_error(error, raw) for error in exc.errors()]
        raise ValidationError.from_exception_data("Grader", errors) from None


def grader_field(value: object, handler: ValidatorFunctionWrapHandler) -> Any:
    """A `grader` field's wrap validator: errors located at the client's own paths."""
    if isinstance(value, BaseModel):
        return handler(value)
    # Raised inside the validator, the ValidationError's locations get the field's prefix
    # (`grader.operation`) and FastAPI's one handler renders it as every other 400.
    return parse_grader(value)


class RunGraderRequest(BaseModel):
    """POST /v1/fine_tuning/alpha/graders/run."""

    model_config = _WIRE

    grader: Grader = Field(description="The grader to run.")
    model_sample: str = Field(
        description="The model sample: `sample.output_text`, and `sample.output_json` when it "
        "is valid JSON."
    )
    item: WireJSONObject | None = Field(
        None, description="The dataset item: the `item` namespace of the templates."
    )

    @field_validator("grader", mode="wrap")
    @classmethod
    def _parse_grader(cls, value: object, handler: ValidatorFunctionWrapHandler) -> Any:
        return grader_field(value, handler)


class ValidateGraderRequest(BaseModel):
    """POST /v1/fine_tuning/alpha/graders/validate."""

    model_config = _WIRE

    grader: Grader = Field(description="The grader to validate.")

    @field_validator("grader", mode="wrap")
    @classmethod
    def _parse_grader(cls, value: object, handler: ValidatorFunctionWrapHandler) -> Any:
        return grader_field(value, handler)


class ValidateGraderResponse(BaseModel):
    """The grader, as validated."""

    grader: Grader = Field(description="The grader, echoed.")


class RunGraderErrors(BaseModel):
    """What went wrong while grading; every flag false when the reward is the grader's own."""

    formula_parse_error: bool = Field(False, description="calculate_output could not be computed.")
    sample_parse_error: bool = Field(
        False, description="A template read `sample.output_json` of a sample that is not JSON."
    )
    truncated_observation_error: bool = Field(
        False, description="The grader model's reply was cut at max_completions_tokens."
    )
    unresponsive_reward_error: bool = Field(False, description="Never set by Whetstone.")
    invalid_variable_error: bool = Field(
        False, description="A template names a variable the item or sample lacks."
    )
    other_error: bool = Field(False, description="Any other failure.")
    python_grader_server_error: bool = Field(
        False, description="The sandbox could not run the python grader."
    )
    python_grader_server_error_type: str | None = Field(
        None, description="Why the sandbox could not run it (e.g. `sandbox_unavailable`)."
    )
    python_grader_runtime_error: bool = Field(
        False, description="The python grader raised, returned no number, or hit a limit."
    )
    python_grader_runtime_error_details: str | None = Field(
        None, description="The exception, or the limit that was hit."
    )
    model_grader_server_error: bool = Field(False, description="The grader model could not answer.")
    model_grader_refusal_error: bool = Field(False, description="Never set: models never refuse.")
    model_grader_parse_error: bool = Field(
        False, description="The grader model's reply holds no score in range, or no label."
    )
    model_grader_server_error_details: str | None = Field(
        None, description="Why the grader model could not answer."
    )


class RunGraderMetadata(BaseModel):
    """What happened while grading."""

    name: str = Field(description="The grader's name.")
    type: str = Field(description="The grader's type.")
    errors: RunGraderErrors = Field(description="What went wrong, if anything.")
    execution_time: float = Field(description="Seconds the grading took.")
    scores: WireJSONObject = Field(description="A multi grader's sub-grader rewards, by name.")
    token_usage: int | None = Field(
        description="Tokens the grader models used (prompt and completion), or null."
    )
    sampled_model_name: str | None = Field(
        description="The grader model, when exactly one model was sampled."
    )


class RunGraderResponse(BaseModel):
    """The reward of one sample, and how it was computed."""

    reward: float = Field(description="The reward (0 when an error flag is set).")
    metadata: RunGraderMetadata = Field(description="What happened while grading.")
    sub_rewards: WireJSONObject = Field(description="A multi grader's sub-grader rewards.")
    model_grader_token_usage_per_model: WireJSONObject = Field(
        description="Per grader model: prompt_tokens, completion_tokens, total_tokens, "
        "cached_tokens."
    )
