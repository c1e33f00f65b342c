"""The grading core: every grader type, the checks before a run, and the error flags."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from pydantic import ValidationError

from service.core.errors import InvalidRequestError
from service.graders.grading import (
    GraderResult,
    GradingContext,
    check_grader,
    grade,
    model_references,
    parse_label,
    parse_score,
)
from service.graders.model_sampler import ModelSamplingError
from service.graders.sandbox import PythonSandbox
from service.graders.schemas import AnyGrader, parse_grader
from service.graders.similarity import similarity
from service.graders.templates import Sample
from tests.graders.fixtures import (
    ScriptedSampler,
    label_model,
    multi,
    needs_sandbox,
    score_model,
    string_check,
)

ITEM = {"label": "Paris", "reference": "The capital of France is Paris."}


def run(
    grader: dict[str, Any] | AnyGrader,
    sample: str = "Paris",
    item: Any = None,
    *,
    sampler: ScriptedSampler | None = None,
    python: PythonSandbox | None = None,
) -> GraderResult:
    """Check and grade one sample."""
    parsed = parse_grader(grader) if isinstance(grader, dict) else grader
    check_grader(parsed)
    context = GradingContext(sampler=sampler, python=python)
    return asyncio.run(
        grade(parsed, Sample.from_text(sample), ITEM if item is None else item, context)
    )


def flags(result: GraderResult) -> set[str]:
    """The error flags that are set."""
    return {name for name, value in result.errors if value is True}


@pytest.mark.parametrize(
    ("operation", "sample", "reward"),
    [
        ("eq", "Paris", 1.0),
        ("eq", "paris", 0.0),
        ("ne", "Rome", 1.0),
        ("ne", "Paris", 0.0),
        ("like", "It is Paris.", 1.0),
        ("like", "It is paris.", 0.0),
        ("ilike", "It is PARIS.", 1.0),
        ("ilike", "It is Rome.", 0.0),
    ],
)
def test_string_check_operations(operation: str, sample: str, reward: float) -> None:
    result = run(string_check(operation), sample)
    assert result.reward == reward and not flags(result)
    assert result.name == "exact" and result.type == "string_check"
    assert result.token_usage is None and result.sampled_model_name is None


@pytest.mark.parametrize(
    "metric", ["fuzzy_match", "bleu", "gleu", "meteor", "rouge_1", "rouge_3", "rouge_l"]
)
def test_text_similarity_renders_then_scores(metric: str) -> None:
    grader = {
        "type": "text_similarity",
        "name": "similar",
        "input": "{{sample.output_text}}",
        "reference": "{{item.reference}}",
        "evaluation_metric": metric,
    }
    sample = "Paris is the capital of France."
    result = run(grader, sample)
    assert result.reward == pytest.approx(similarity(metric, sample, ITEM["reference"]))
    assert not flags(result)


def test_text_similarity_refuses_cosine() -> None:
    grader = parse_grader(
        {"type": "text_similarity", "name": "c", "input": "a", "reference": "b"}
        | {"evaluation_metric": "cosine"}
    )
    with pytest.raises(InvalidRequestError) as caught:
        check_grader(grader)
    assert caught.value.param == "grader.evaluation_metric" and "embeddings" in caught.value.message


def test_texts_over_the_limit_are_other_errors() -> None:
    grader = {
        "type": "text_similarity",
        "name": "long",
        "input": "{{sample.output_text}}",
        "reference": "x",
        "evaluation_metric": "bleu",
    }
    result = run(grader, "word " * 5000)
    assert flags(result) == {"other_error"} and result.reward == 0.0


@pytest.mark.parametrize(
    ("template", "flag"),
    [
        ("{{sample.output_json.city}}", "sample_parse_error"),
        ("{{item.nope}}", "invalid_variable_error"),
    ],
)
def test_template_failures_set_their_flag_and_reward_zero(template: str, flag: str) -> None:
    result = run(string_check("ne", input=template), "not json")
    assert flags(result) == {flag} and result.reward == 0.0


def test_output_json_drives_a_grader() -> None:
    result = run(string_check(input="{{sample.output_json.city}}"), '{"city": "Paris"}')
    assert result.reward == 1.0 and not flags(result)


@needs_sandbox
def test_python_grader(sandbox: PythonSandbox) -> None:
    source = (
        "def grade(sample, item):\n"
        "    data = sample['output_json'] or {}\n"
        "    return 0.5 * (data.get('city') == item['label']) + 0.5 * len(sample['output_tools'])\n"
    )
    grader = {"type": "python", "name": "py", "source": source, "image_tag": "2025-05-08"}
    assert run(grader, '{"city": "Paris"}', python=sandbox).reward == 0.5


@needs_sandbox
def test_python_grader_runtime_error_has_details(sandbox: PythonSandbox) -> None:
    grader = {"type": "python", "name": "py", "source": "def grade(s, i):\n    return 1 / 0\n"}
    result = run(grader, python=sandbox)
    assert flags(result) == {"python_grader_runtime_error"} and result.reward == 0.0
    assert "ZeroDivisionError" in (result.errors.python_grader_runtime_error_details or "")


def test_python_grader_without_a_sandbox_is_a_server_error() -> None:
    grader = {"type": "python", "name": "py", "source": "def grade(s, i):\n    return 1\n"}
    result = run(grader, python=None)
    assert flags(result) == {"python_grader_server_error"}
    assert result.errors.python_grader_server_error_type == "python_graders_disabled"


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("def grade(s, i):\n  return (\n", "does not parse (line"),
        ("def score(s, i):\n    return 1\n", "must define a function grade"),
        ("x = '" + "a" * (300 * 1024) + "'\ndef grade(s, i): return 1\n", "over 256 KiB"),
    ],
)
def test_python_sources_that_cannot_run_are_refused(source: str, message: str) -> None:
    grader = parse_grader({"type": "python", "name": "py", "source": source})
    with pytest.raises(InvalidRequestError) as caught:
        check_grader(grader)
    assert caught.value.param == "grader.source" and message in caught.value.message


def test_python_graders_can_be_turned_off() -> None:
    grader = parse_grader({"type": "python", "name": "py", "source": "def grade(s, i): return 1"})
    with pytest.raises(InvalidRequestError) as caught:
        check_grader(grader, python_enabled=False)
    assert caught.value.param == "grader.type" and caught.value.code == "python_graders_disabled"


def test_score_model_renders_messages_samples_greedily_and_reports_usage(
    sampler: ScriptedSampler,
) -> None:
    sampler.reply = '{"steps": [], "result": 0.75}'
    result = run(score_model(), sampler=sampler)
    assert result.reward == 0.75 and not flags(result)
    (request,) = sampler.requests
    assert request.model == "gpt-4o-mini-2024-07-18"
    assert request.messages == [
        {"role": "system", "content": "Score from 0 to 1."},
        {"role": "user", "content": "Reference: Paris. Answer: Paris"},
    ]
    assert (request.temperature, request.top_p, request.seed, request.max_tokens) == (
        0.0,
        1.0,
        None,
        256,
    )
    assert result.token_usage == 10 and result.sampled_model_name == "gpt-4o-mini-2024-07-18"
    assert result.usage["gpt-4o-mini-2024-07-18"].as_dict() == {
        "prompt_tokens": 7,
        "completion_tokens": 3,
        "total_tokens": 10,
        "cached_tokens": 0,
    }


def test_score_model_sampling_params_and_range(sampler: ScriptedSampler) -> None:
    sampler.reply = "I would give it 7 out of 10."
    params = {"temperature": 0.7, "top_p": 0.9, "seed": 3, "max_completions_tokens": 12}
    result = run(score_model(range=[0, 10], sampling_params=params), sampler=sampler)
    assert result.reward == 7.0
    request = sampler.requests[0]
    assert (request.temperature, request.top_p, request.seed, request.max_tokens) == (
        0.7,
        0.9,
        3,
        12,
    )


@pytest.mark.parametrize(
    ("reply", "finish", "expected"),
    [
        ("no number at all", "stop", {"model_grader_parse_error"}),
        ("1.5", "stop", {"model_grader_parse_error"}),  # out of the [0, 1] range
        ("The score is", "length", {"model_grader_parse_error", "truncated_observation_error"}),
    ],
)
def test_score_model_replies_without_a_score_in_range(
    sampler: ScriptedSampler, reply: str, finish: str, expected: set[str]
) -> None:
    sampler.reply, sampler.finish_reason = reply, finish
    result = run(score_model(), sampler=sampler)
    assert flags(result) == expected and result.reward == 0.0
    assert result.token_usage == 10  # the tokens were spent all the same


def test_a_model_that_cannot_answer_is_a_server_error(sampler: ScriptedSampler) -> None:
    sampler.error = ModelSamplingError("This model's maximum context length is 1024 tokens.")
    result = run(score_model(), sampler=sampler)
    assert flags(result) == {"model_grader_server_error"}
    assert "maximum context length" in (result.errors.model_grader_server_error_details or "")
    sampler.error = RuntimeError("engine crashed")
    details = run(score_model(), sampler=sampler).errors.model_grader_server_error_details
    assert details == "RuntimeError: engine crashed"


@pytest.mark.parametrize(
    ("reply", "reward", "failed"),
    [
        ("positive", 1.0, False),
        ('"Positive."', 1.0, False),
        ('{"result": "negative"}', 0.0, False),
        ("I think this is neutral overall.", 0.0, False),
        ("positive or negative, hard to say", 0.0, True),
        ("unsure", 0.0, True),
    ],
)
def test_label_model(sampler: ScriptedSampler, reply: str, reward: float, failed: bool) -> None:
    sampler.reply = reply
    result = run(label_model(), sampler=sampler)
    assert sampler.requests[0].max_tokens == 64  # label_model takes no sampling_params
    assert result.reward == reward
    assert flags(result) == ({"model_grader_parse_error"} if failed else set())


def test_a_model_grader_without_input_is_refused_as_the_document_says() -> None:
    # minItems 1 in the document, so the refusal is schema validation, naming `input`.
    with pytest.raises(ValidationError) as caught:
        parse_grader(label_model(input=[]))
    assert caught.value.errors()[0]["loc"][-1] == "input"


@pytest.mark.parametrize(
    ("fields", "param"),
    [
        ({"passing_labels": ["great"]}, "grader.passing_labels"),
        ({"labels": []}, "grader.labels"),
        ({"labels": ["a", "a"], "passing_labels": ["a"]}, "grader.labels"),
    ],
)
def test_label_model_checks(fields: dict[str, Any], param: str) -> None:
    with pytest.raises(InvalidRequestError) as caught:
        check_grader(parse_grader(label_model(**fields)))
    assert caught.value.param == param


@pytest.mark.parametrize(
    ("fields", "param"),
    [
        ({"range": [1, 0]}, "grader.range"),
        ({"range": [0, 1, 2]}, "grader.range"),
        (
            {"sampling_params": {"reasoning_effort": "high"}},
            "grader.sampling_params.reasoning_effort",
        ),
        (
            {"input": [{"role": "user", "content": [{"type": "input_image", "image_url": "x"}]}]},
            "grader.input[0].content[0]",
        ),
        (
            {
                "input": [
                    {
                        "role": "user",
                        "content": {
                            "type": "input_audio",
                            "input_audio": {"data": "", "format": "wav"},
                        },
                    }
                ]
            },
            "grader.input[0].content",
        ),
        ({"input": [{"role": "user", "content": "{{ bogus.x }}"}]}, "grader.input[0].content"),
    ],
)
def test_score_model_checks(fields: dict[str, Any], param: str) -> None:
    with pytest.raises(InvalidRequestError) as caught:
        check_grader(parse_grader(score_model(**fields)))
    assert caught.value.param == param


def test_multi_combines_sub_rewards_with_the_formula(sampler: ScriptedSampler) -> None:
    grader = multi(
        "0.5 * exact + 0.5 * max(judge, fuzzy)",
        exact=string_check(),
        judge=score_model(),
        fuzzy={
            "type": "text_similarity",
            "name": "f",
            "input": "{{sample.output_text}}",
            "reference": "Pari",
            "evaluation_metric": "fuzzy_match",
        },
    )
    result = run(grader, sampler=sampler)
    fuzzy = similarity("fuzzy_match", "Paris", "Pari")
    assert result.sub_rewards == {"exact": 1.0, "judge": 0.5, "fuzzy": fuzzy}
    assert result.reward == pytest.approx(0.5 + 0.5 * max(0.5, fuzzy))
    assert result.type == "multi" and not flags(result)
    assert result.token_usage == 10 and result.sampled_model_name == "gpt-4o-mini-2024-07-18"


def test_multi_with_one_grader_names_it_by_its_name() -> None:
    grader = {
        "type": "multi",
        "name": "one",
        "graders": string_check(name="exact"),
        "calculate_output": "2 * exact",
    }
    assert run(grader).reward == 2.0


def test_multi_propagates_sub_grader_flags_and_formula_failures(sandbox: PythonSandbox) -> None:
    failing = {
        "type": "python",
        "name": "p",
        "source": "def grade(s, i):\n    raise KeyError('x')\n",
    }
    result = run(multi("exact + p", exact=string_check(), p=failing), python=sandbox)
    assert result.sub_rewards == {"exact": 1.0, "p": 0.0} and result.reward == 1.0
    assert flags(result) == {"python_grader_runtime_error"}
    assert "KeyError" in (result.errors.python_grader_runtime_error_details or "")
    divided = run(multi("exact / (exact - 1)", exact=string_check()))
    assert flags(divided) == {"formula_parse_error"} and divided.reward == 0.0


def test_multi_usage_adds_up_per_model(sampler: ScriptedSampler) -> None:
    grader = multi(
        "a + b", a=score_model(), b=label_model(model="ft:gpt-4o-mini-2024-07-18:personal:x:1")
    )
    sampler.reply = "positive 1"
    result = run(grader, sampler=sampler)
    assert set(result.usage) == {"gpt-4o-mini-2024-07-18", "ft:gpt-4o-mini-2024-07-18:personal:x:1"}
    assert result.token_usage == 20 and result.sampled_model_name is None


@pytest.mark.parametrize(
    ("formula", "message"),
    [
        ("__import__('os')", "only these functions"),
        ("exact.real", "Attribute is not allowed"),
        ("exact + other", "'other' is not one of the graders"),
        ("exact +", "not an arithmetic expression"),
    ],
)
def test_multi_formulas_are_checked_before_running(formula: str, message: str) -> None:
    with pytest.raises(InvalidRequestError) as caught:
        check_grader(parse_grader(multi(formula, exact=string_check())))
    assert caught.value.param == "grader.calculate_output" and message in caught.value.message


def test_multi_checks_its_graders_naming_them() -> None:
    grader = multi("a", a=string_check(input="{{nowhere.x}}"))
    with pytest.raises(InvalidRequestError) as caught:
        check_grader(parse_grader(grader))
    assert caught.value.param == "grader.graders.a.input"
    with pytest.raises(InvalidRequestError) as caught:
        check_grader(
            parse_grader(
                multi(
                    "1",
                )
            )
        )
    assert caught.value.param == "grader.graders"


def test_model_references_name_each_model_field() -> None:
    grader = parse_grader(multi("a + b", a=score_model(), b=label_model(model="other")))
    assert model_references(grader) == [
        ("grader.graders.a.model", "gpt-4o-mini-2024-07-18"),
        ("grader.graders.b.model", "other"),
    ]


@pytest.mark.parametrize(
    ("reply", "score"),
    [
        ("0.8", 0.8),
        ('{"result": 1}', 1.0),
        ('Reasoning... {"steps": [{"description": "x"}], "result": 0.25} done', 0.25),
        ("Score: -3e-1", -0.3),
        ("nothing", None),
        ('{"result": "high"}', None),
    ],
)
def test_parse_score(reply: str, score: float | None) -> None:
    assert parse_score(reply) == score


def test_parse_label_prefers_exact_answers() -> None:
    labels = ["yes", "no"]
    assert parse_label(" YES ", labels) == "yes"
    assert parse_label("**no**", labels) == "no"
    assert parse_label("yesterday", labels) is None
