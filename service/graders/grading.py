"""The grading core: check a grader, then grade one sample with it. Knows nothing of HTTP.

`check_grader` refuses, with a 400 naming the field, what the shape alone allows but no run
could honour: `cosine`, a template that names no namespace, python graders where they are off,
a python source that does not parse, images and audio for the text-only models, a score range
that is not two increasing numbers, passing labels that are not labels, a formula that is not
arithmetic over the graders' names. `grade` never raises for what a sample or a model does:
every failure is an error flag of the result, with reward 0, as OpenAI reports them.

Reinforcement fine-tuning reuses both: a worker grades its samples with `grade`, passing its
own ModelSampler for score_model and label_model graders.
"""

from __future__ import annotations

import ast
import asyncio
import json
import logging
import math
import re
import time
from dataclasses import dataclass, field

from service.core.errors import InvalidRequestError
from service.core.wire import JSONValue
from service.graders import similarity, templates
from service.graders.formula import Formula, FormulaError
from service.graders.model_sampler import ChatRequest, ModelSampler, ModelSamplingError
from service.graders.sandbox import PythonSandbox
from service.graders.schemas import (
    AnyGrader,
    EvalItem,
    EvalItemContentOutputText,
    InputTextContent,
    LabelModelGrader,
    MultiGrader,
    PythonGrader,
    RunGraderErrors,
    ScoreModelGrader,
    StringCheckGrader,
    SubGrader,
    TextSimilarityGrader,
)
from service.graders.templates import Sample, TemplateError

logger = logging.getLogger("whetstone.graders")

MAX_PYTHON_SOURCE_BYTES = 256 * 1024  # OpenAI's limit on a python grader's source
# Longer texts are not compared: BLEU's n-gram counting is Python, about a second per 3,000
# tokens, and would hold the server's interpreter.
MAX_SIMILARITY_CHARS = 20_000
DEFAULT_MAX_COMPLETION_TOKENS = 256
# label_model takes no sampling_params; a label, even wrapped in a sentence, is short.
LABEL_MAX_COMPLETION_TOKENS = 64
DEFAULT_RANGE = (0.0, 1.0)


@dataclass
class TokenUsage:
    """Tokens one grader model used."""

    prompt_tokens: int = 0
    completion_tokens: int = 0

    def as_dict(self) -> dict[str, int]:
        """OpenAI's per-model usage object."""
        return {
            "prompt_tokens": self.prompt_tokens,
            "completion_tokens": self.completion_tokens,
            "total_tokens": self.prompt_tokens + self.completion_tokens,
            "cached_tokens": 0,
        }


@dataclass
class GraderResult:
    """The reward of one sample, and what happened while computing it."""

    name: str
    type: str
    reward: float = 0.0
    errors: RunGraderErrors = field(default_factory=RunGraderErrors)
    execution_time: float = 0.0
    # A multi grader's sub-graders' rewards, by name.
    sub_rewards: dict[str, float] = field(default_factory=dict)
    usage: dict[str, TokenUsage] = field(default_factory=dict)

    @property
    def token_usage(self) -> int | None:
        """Tokens of every grader model together; None when no model was sampled."""
        if not self.usage:
            return None
        return sum(u.prompt_tokens + u.completion_tokens for u in self.usage.values())

    @property
    def sampled_model_name(self) -> str | None:
        """The grader model, when exactly one was sampled."""
        return next(iter(self.usage)) if len(self.usage) == 1 else None

    def fail(self, flag: str, **details: str | None) -> GraderResult:
        """Set an error flag (and its details); the reward is 0."""
        setattr(self.errors, flag, True)
        for key, value in details.items():
            setattr(self.errors, key, value)
        self.reward = 0.0
        return self


@dataclass(frozen=True)
class GradingContext:
    """What graders beyond pure functions of the text need."""

    # Samples score_model and label_model graders; None: no model graders here.
    sampler: ModelSampler | None = None
    # Runs python graders; None: python graders are disabled.
    python: PythonSandbox | None = None


# ----- checking -----


def _refuse(param: str, message: str, code: str = "invalid_value") -> InvalidRequestError:
    return InvalidRequestError(message, param=param, code=code)


def sub_graders(grader: MultiGrader) -> dict[str, SubGrader]:
    """A multi grader's graders by the names its formula uses (one grader: its `name`)."""
    if isinstance(grader.graders, dict):
        return dict(grader.graders)
    return {grader.graders.name: grader.graders}


def _sub_param(grader: MultiGrader, param: str, name: str) -> str:
    return f"{param}.graders.{name}" if isinstance(grader.graders, dict) else f"{param}.graders"


def check_grader(grader: AnyGrader, *, param: str = "grader", python_enabled: bool = True) -> None:
    """400 naming the field when the grader cannot be run here."""
    if isinstance(grader, StringCheckGrader | TextSimilarityGrader):
        templates.check_template(grader.input, f"{param}.input")
        templates.check_template(grader.reference, f"{param}.reference")
    if isinstance(grader, TextSimilarityGrader) and grader.evaluation_metric == "cosine":
        raise _refuse(
            f"{param}.evaluation_metric",
            "The evaluation metric 'cosine' needs an embeddings model, which Whetstone does not "
            f"serve; use one of {', '.join(similarity.SUPPORTED_METRICS)}.",
            "unsupported_value",
        )
    if isinstance(grader, PythonGrader):
        _check_python(grader, param, python_enabled)
    if isinstance(grader, ScoreModelGrader | LabelModelGrader):
        _check_messages(grader.input, f"{param}.input")
    if isinstance(grader, ScoreModelGrader):
        _check_score_model(grader, param)
    if isinstance(grader, LabelModelGrader):
        _check_labels(grader, param)
    if isinstance(grader, MultiGrader):
        graders = sub_graders(grader)
        if not graders:
            raise _refuse(f"{param}.graders", "A multi grader needs at least one grader.")
        for name, sub in graders.items():
            check_grader(sub, param=_sub_param(grader, param, name), python_enabled=python_enabled)
        formula(grader, param)


def formula(grader: MultiGrader, param: str = "grader") -> Formula:
    """The multi grader's checked calculate_output; 400 naming it when it is refused."""
    try:
        return Formula(grader.calculate_output, sub_graders(grader))
    except FormulaError as exc:
        raise _refuse(f"{param}.calculate_output", f"Invalid 'calculate_output': {exc}.") from None


def _check_python(grader: PythonGrader, param: str, enabled: bool) -> None:
    if not enabled:
        raise _refuse(
            f"{param}.type",
            "Python graders are disabled on this server (WHETSTONE_PYTHON_GRADERS_ENABLED).",
            "python_graders_disabled",
        )
    if len(grader.source.encode()) > MAX_PYTHON_SOURCE_BYTES:
        raise _refuse(
            f"{param}.source", f"The source is over {MAX_PYTHON_SOURCE_BYTES // 1024} KiB."
        )
    try:
        # Parsing builds a syntax tree and runs nothing; CPython's parser bounds its nesting.
        tree = ast.parse(grader.source, filename="grader.py")
    except (SyntaxError, ValueError, MemoryError, RecursionError) as exc:
        where = f" (line {exc.lineno})" if isinstance(exc, SyntaxError) and exc.lineno else ""
        reason = exc.msg if isinstance(exc, SyntaxError) else type(exc).__name__
        raise _refuse(f"{param}.source", f"The source does not parse{where}: {reason}.") from None
    defines_grade = any(
        (isinstance(node, ast.FunctionDef) and node.name == "grade")
        or (
            isinstance(node, ast.Assign)
            and any(isinstance(t, ast.Name) and t.id == "grade" for t in node.targets)
        )
        for node in tree.body
    )
    if not defines_grade:
        raise _refuse(
            f"{param}.source", "The source must define a function grade(sample, item) -> float."
        )


def _check_messages(messages: list[EvalItem], param: str) -> None:
    if not messages:
        raise _refuse(param, f"'{param}' needs at least one message.")
    for i, message in enumerate(messages):
        content = message.content
        parts = content if isinstance(content, list) else [content]
        for j, part in enumerate(parts):
            where = f"{param}[{i}].content" + (f"[{j}]" if isinstance(content, list) else "")
            if isinstance(part, str):
                templates.check_template(part, where)
            elif isinstance(part, InputTextContent | EvalItemContentOutputText):
                templates.check_template(part.text, f"{where}.text")
            else:
                raise _refuse(
                    where,
                    f"'{part.type}' content is not available: the served models read text only.",
                    "unsupported_value",
                )


def _check_score_model(grader: ScoreModelGrader, param: str) -> None:
    if grader.range is not None:
        bounds = grader.range
        if len(bounds) != 2 or not all(map(math.isfinite, bounds)) or bounds[0] >= bounds[1]:
            raise _refuse(
                f"{param}.range", "'range' must be two finite numbers, the lower one first."
            )
    params = grader.sampling_params
    if params is not None and params.reasoning_effort not in (None, "none"):
        raise _refuse(
            f"{param}.sampling_params.reasoning_effort",
            "'reasoning_effort' is not supported by Whetstone: the served models are not "
            "reasoning models.",
            "unsupported_parameter",
        )


def _check_labels(grader: LabelModelGrader, param: str) -> None:
    if not grader.labels:
        raise _refuse(f"{param}.labels", "'labels' needs at least one label.")
    if len(set(grader.labels)) != len(grader.labels):
        raise _refuse(f"{param}.labels", "'labels' must not repeat a label.")
    unknown = [label for label in grader.passing_labels if label not in grader.labels]
    if unknown:
        raise _refuse(
            f"{param}.passing_labels",
            f"'passing_labels' must be a subset of 'labels'; not labels: {', '.join(unknown)}.",
        )


def model_references(grader: AnyGrader, param: str = "grader") -> list[tuple[str, str]]:
    """(param, model name) of every score_model and label_model grader in `grader`."""
    if isinstance(grader, ScoreModelGrader | LabelModelGrader):
        return [(f"{param}.model", grader.model)]
    if isinstance(grader, MultiGrader):
        return [
            reference
            for name, sub in sub_graders(grader).items()
            for reference in model_references(sub, _sub_param(grader, param, name))
        ]
    return []


# ----- grading -----


async def grade(
    grader: AnyGrader, sample: Sample, item: JSONValue, context: GradingContext
) -> GraderResult:
    """The reward of `sample` (with `item`) by a checked grader, and how it came about."""
    started = time.perf_counter()
    result = GraderResult(name=grader.name, type=grader.type)
    if isinstance(grader, StringCheckGrader):
        _string_check(grader, sample, item, result)
    elif isinstance(grader, TextSimilarityGrader):
        await _text_similarity(grader, sample, item, result)
    elif isinstance(grader, PythonGrader):
        await _python(grader, sample, item, context, result)
    elif isinstance(grader, ScoreModelGrader | LabelModelGrader):
        await _model(grader, sample, item, context, result)
    else:
        await _multi(grader, sample, item, context, result)
    result.execution_time = time.perf_counter() - started
    return result


def _render(text: str, sample: Sample, item: JSONValue, result: GraderResult) -> str | None:
    try:
        return templates.render(text, sample, item)
    except TemplateError as exc:
        result.fail(exc.flag)
        return None


def _string_check(
    grader: StringCheckGrader, sample: Sample, item: JSONValue, result: GraderResult
) -> None:
    text = _render(grader.input, sample, item, result)
    reference = _render(grader.reference, sample, item, result)
    if text is None or reference is None:
        return
    passed = {
        "eq": text == reference,
        "ne": text != reference,
        "like": reference in text,
        "ilike": reference.casefold() in text.casefold(),
    }[grader.operation]
    result.reward = 1.0 if passed else 0.0


async def _text_similarity(
    grader: TextSimilarityGrader, sample: Sample, item: JSONValue, result: GraderResult
) -> None:
    text = _render(grader.input, sample, item, result)
    reference = _render(grader.reference, sample, item, result)
    if text is None or reference is None:
        return
    if max(len(text), len(reference)) > MAX_SIMILARITY_CHARS:
        result.fail("other_error")
        return
    # Off the event loop: BLEU and METEOR are Python loops over the tokens.
    result.reward = await asyncio.to_thread(
        similarity.similarity, grader.evaluation_metric, text, reference
    )


async def _python(
    grader: PythonGrader,
    sample: Sample,
    item: JSONValue,
    context: GradingContext,
    result: GraderResult,
) -> None:
    if context.python is None:
        result.fail(
            "python_grader_server_error", python_grader_server_error_type="python_graders_disabled"
        )
        return
    outcome = await context.python.run(grader.source, sample.as_dict(), item)
    if outcome.error == "server":
        # The reason is the operator's to fix (a kernel without user namespaces, ...).
        logger.warning("python grader not run: %s", outcome.details)
        result.fail(
            "python_grader_server_error", python_grader_server_error_type=outcome.server_error_type
        )
    elif outcome.error is not None or outcome.score is None:
        result.fail(
            "python_grader_runtime_error", python_grader_runtime_error_details=outcome.details
        )
    else:
        result.reward = outcome.score


def _message_text(
    message: EvalItem, sample: Sample, item: JSONValue, result: GraderResult
) -> str | None:
    content = message.content
    parts = content if isinstance(content, list) else [content]
    texts = []
    for part in parts:
        text = part if isinstance(part, str) else getattr(part, "text", "")
        rendered = _render(text, sample, item, result)
        if rendered is None:
            return None
        texts.append(rendered)
    # As chat completions join a message's text parts.
    return "".join(texts)


async def _model(
    grader: ScoreModelGrader | LabelModelGrader,
    sample: Sample,
    item: JSONValue,
    context: GradingContext,
    result: GraderResult,
) -> None:
    messages = []
    for message in grader.input:
        text = _message_text(message, sample, item, result)
        if text is None:
            return
        messages.append({"role": message.role, "content": text})
    if context.sampler is None:
        result.fail(
            "model_grader_server_error",
            model_grader_server_error_details="No model sampler is available here.",
        )
        return
    params = grader.sampling_params if isinstance(grader, ScoreModelGrader) else None
    request = ChatRequest(
        model=grader.model,
        messages=messages,
        max_tokens=(params and params.max_completions_tokens)
        or (
            DEFAULT_MAX_COMPLETION_TOKENS
            if isinstance(grader, ScoreModelGrader)
            else LABEL_MAX_COMPLETION_TOKENS
        ),
        # Greedy unless asked otherwise: a grader should give the same sample the same grade.
        temperature=params.temperature if params and params.temperature is not None else 0.0,
        top_p=params.top_p if params and params.top_p is not None else 1.0,
        seed=params.seed if params else None,
    )
    try:
        reply = await context.sampler.chat(request)
    except ModelSamplingError as exc:
        result.fail("model_grader_server_error", model_grader_server_error_details=str(exc))
        return
    except Exception as exc:  # a grade is always answered; the failure is logged and reported
        logger.exception("grader model %s failed", grader.model)
        result.fail(
            "model_grader_server_error",
            model_grader_server_error_details=f"{type(exc).__name__}: {exc}",
        )
        return
    usage = result.usage.setdefault(grader.model, TokenUsage())
    usage.prompt_tokens += reply.prompt_tokens
    usage.completion_tokens += reply.completion_tokens
    if isinstance(grader, ScoreModelGrader):
        low, high = grader.range or DEFAULT_RANGE
        score = parse_score(reply.text)
        if score is not None and low <= score <= high:
            result.reward = score
            return
    else:
        label = parse_label(reply.text, grader.labels)
        if label is not None:
            result.reward = 1.0 if label in grader.passing_labels else 0.0
            return
    result.fail("model_grader_parse_error")
    if reply.finish_reason == "length":
        result.errors.truncated_observation_error = True


_NUMBER = re.compile(r"[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?")
_JSON_OBJECT = re.compile(r"\{.*\}", re.DOTALL)


def _json_result(text: str) -> JSONValue:
    for candidate in (text, *(m.group(0) for m in _JSON_OBJECT.finditer(text))):
        try:
            value: JSONValue = json.loads(candidate)
        except (ValueError, RecursionError):
            continue
        if isinstance(value, dict) and "result" in value:
            return value["result"]
        if candidate is text:
            return value
    return None


def parse_score(text: str) -> float | None:
    """The score of a grader model's reply: `{"result": x}` as OpenAI's structured output
    has it, else the reply's first number; None when there is none."""
    value = _json_result(text.strip())
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value) if math.isfinite(value) else None
    match = _NUMBER.search(text)
    if match is None:
        return None
    number = float(match.group(0))
    return number if math.isfinite(number) else None


def parse_label(text: str, labels: list[str]) -> str | None:
    """The label of a grader model's reply: `{"result": label}`, the reply itself (case,
    quotes and end punctuation aside), or the one label it names as a word; else None."""
    by_folded = {label.casefold(): label for label in labels}
    value = _json_result(text.strip())
    if isinstance(value, str) and value.strip().casefold() in by_folded:
        return by_folded[value.strip().casefold()]
    bare = text.strip().strip("\"'`*").rstrip(".!").strip().casefold()
    if bare in by_folded:
        return by_folded[bare]
    named = [
        label
        for label in labels
        if re.search(rf"(?<!\w){re.escape(label)}(?!\w)", text, flags=re.IGNORECASE)
    ]
    return named[0] if len(named) == 1 else None


async def _multi(
    grader: MultiGrader,
    sample: Sample,
    item: JSONValue,
    context: GradingContext,
    result: GraderResult,
) -> None:
    graders = sub_graders(grader)
    names = list(graders)
    results = await asyncio.gather(*(grade(graders[name], sample, item, context) for name in names))
    for name, sub in zip(names, results, strict=True):
        result.sub_rewards[name] = sub.reward
        _merge_errors(result.errors, sub.errors)
        for model, usage in sub.usage.items():
            total = result.usage.setdefault(model, TokenUsage())
            total.prompt_tokens += usage.prompt_tokens
            total.completion_tokens += usage.completion_tokens
    try:
        result.reward = formula(grader).evaluate(result.sub_rewards)
    except (FormulaError, InvalidRequestError):
        result.fail("formula_parse_error")


def _merge_errors(into: RunGraderErrors, other: RunGraderErrors) -> None:
    for name, value in other:
        if value is True:
            setattr(into, name, True)
        elif isinstance(value, str) and getattr(into, name) is None:
            setattr(into, name, value)
