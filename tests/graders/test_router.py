"""/v1/fine_tuning/alpha/graders/{run,validate} in-process: every grader type, OpenAI's response
schemas, the 400s naming the field, model graders on the emulator (base and `ft:`), tenancy."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from service.app import create_app
from service.core.config import Settings
from service.graders.grading import parse_score
from tests.contract.openai_schema import validate_response
from tests.graders.fixtures import (
    RFT_COOKBOOK_MODEL_GRADER,
    RFT_COOKBOOK_MULTI_GRADER,
    label_model,
    multi,
    needs_sandbox,
    score_model,
    string_check,
)
from tests.inference.fixtures import (
    BASE,
    add_fine_tuned_model,
    emulator_dir,
    lora_adapter,
    serving_client,
    shared_models_dir,
)

RUN = "/v1/fine_tuning/alpha/graders/run"
VALIDATE = "/v1/fine_tuning/alpha/graders/validate"
PYTHON = {
    "type": "python",
    "name": "py",
    "source": "def grade(sample, item):\n"
    "    return 1.0 if sample['output_text'] == item['label'] else 0.0\n",
}
SIMILARITY = {
    "type": "text_similarity",
    "name": "similar",
    "input": "{{sample.output_text}}",
    "reference": "{{item.label}}",
    "evaluation_metric": "rouge_l",
}


@pytest.fixture(scope="module")
def models_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The session's shared emulator."""
    return shared_models_dir(tmp_path_factory)


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory, models_dir: Path) -> Iterator[TestClient]:
    """One app for the module: the engine loads the emulator once."""
    data_dir = Path(tmp_path_factory.mktemp("graders"))
    with serving_client(data_dir, models_dir, python_grader_timeout_seconds=1.0) as test_client:
        yield test_client


def run(client: TestClient, grader: dict[str, Any], sample: str = "Paris", **body: Any) -> Any:
    """POST /run, returning the response."""
    body.setdefault("item", {"label": "Paris"})
    return client.post(RUN, json={"grader": grader, "model_sample": sample, **body})


def reward_of(
    client: TestClient, grader: dict[str, Any], sample: str = "Paris", **body: Any
) -> dict:
    """POST /run, asserting a 200 that matches OpenAI's RunGraderResponse."""
    response = run(client, grader, sample, **body)
    assert response.status_code == 200, response.text
    validate_response("/fine_tuning/alpha/graders/run", "post", 200, response.json())
    return response.json()


def error_of(response: Any) -> dict[str, Any]:
    """The envelope of a 400."""
    assert response.status_code == 400, response.text
    assert set(response.json()) == {"error"}
    return response.json()["error"]


@pytest.mark.parametrize(
    ("grader", "reward"),
    [
        (string_check(), 1.0),
        (string_check("ilike", reference="{{item.label}}"), 1.0),
        (SIMILARITY, 1.0),
        pytest.param(PYTHON, 1.0, marks=needs_sandbox),
        pytest.param(
            multi("(exact + py) / 2", exact=string_check(), py=PYTHON), 1.0, marks=needs_sandbox
        ),
        (multi("2 * exact", exact=string_check()) | {"graders": string_check()}, 2.0),
    ],
)
def test_run_answers_run_grader_response(
    client: TestClient, grader: dict[str, Any], reward: float
) -> None:
    body = reward_of(client, grader)
    assert body["reward"] == reward
    metadata = body["metadata"]
    assert metadata["name"] == grader["name"] and metadata["type"] == grader["type"]
    assert not any(v for k, v in metadata["errors"].items())
    assert metadata["execution_time"] >= 0 and metadata["token_usage"] is None
    assert body["model_grader_token_usage_per_model"] == {}
    if grader["type"] == "multi":
        assert body["sub_rewards"] == metadata["scores"] and len(body["sub_rewards"]) >= 1


def test_item_may_be_omitted(client: TestClient) -> None:
    response = client.post(
        RUN, json={"grader": string_check(reference="Paris"), "model_sample": "Paris"}
    )
    assert response.status_code == 200 and response.json()["reward"] == 1.0


@needs_sandbox
def test_error_flags_come_back_in_metadata(client: TestClient) -> None:
    body = reward_of(client, string_check(input="{{sample.output_json.city}}"), "not json")
    assert body["reward"] == 0 and body["metadata"]["errors"]["sample_parse_error"] is True
    failing = PYTHON | {"source": "def grade(sample, item):\n    while True:\n        pass\n"}
    errors = reward_of(client, failing)["metadata"]["errors"]
    assert errors["python_grader_runtime_error"] is True
    assert "limit of 1 s" in errors["python_grader_runtime_error_details"]


def test_score_model_samples_the_emulator_as_chat_completions_would(client: TestClient) -> None:
    params = {"max_completions_tokens": 6, "temperature": 0}
    grader = score_model(range=[0, 10], sampling_params=params)
    body = reward_of(client, grader)
    metadata = body["metadata"]
    assert metadata["sampled_model_name"] == BASE
    usage = body["model_grader_token_usage_per_model"][BASE]
    assert usage["completion_tokens"] >= 1 and usage["prompt_tokens"] > 10
    assert metadata["token_usage"] == usage["total_tokens"]
    # The same messages through /v1/chat/completions give the reply the grader parsed.
    chat = client.post(
        "/v1/chat/completions",
        json={
            "model": BASE,
            "messages": [
                {"role": "system", "content": "Score from 0 to 1."},
                {"role": "user", "content": "Reference: Paris. Answer: Paris"},
            ],
            "max_completion_tokens": 6,
            "temperature": 0,
        },
    ).json()
    assert chat["usage"]["total_tokens"] == usage["total_tokens"]
    score = parse_score(chat["choices"][0]["message"]["content"])
    if score is not None and 0 <= score <= 10:
        assert body["reward"] == score and not metadata["errors"]["model_grader_parse_error"]
    else:
        assert body["reward"] == 0 and metadata["errors"]["model_grader_parse_error"]
    again = reward_of(client, grader)  # greedy: the same grade every time
    assert (again["reward"], again["model_grader_token_usage_per_model"]) == (
        body["reward"],
        body["model_grader_token_usage_per_model"],
    )


def test_a_prompt_over_the_context_is_a_model_grader_server_error(client: TestClient) -> None:
    grader = score_model(sampling_params={"max_completions_tokens": 5000})
    errors = reward_of(client, grader)["metadata"]["errors"]
    assert errors["model_grader_server_error"] is True
    assert "maximum context length" in errors["model_grader_server_error_details"]


def test_label_model_and_fine_tuned_grader_models(
    client: TestClient, models_dir: Path, tmp_path: Path
) -> None:
    adapter = lora_adapter(emulator_dir(models_dir), tmp_path / "adapter", seed=3)
    mine, _ = add_fine_tuned_model(client, adapter)
    theirs, _ = add_fine_tuned_model(client, adapter, project="proj_other")
    body = reward_of(client, label_model(model=mine))
    assert body["metadata"]["sampled_model_name"] == mine
    assert body["model_grader_token_usage_per_model"][mine]["total_tokens"] > 0
    error = error_of(run(client, multi("a", a=score_model(model=theirs))))
    assert error["param"] == "grader.graders.a.model" and error["code"] == "model_not_found"


@pytest.mark.parametrize(
    ("grader", "param"),
    [
        (string_check("equals"), "grader.operation"),
        ({k: v for k, v in string_check().items() if k != "input"}, "grader.input"),
        (string_check() | {"pass_threshold": 0.5}, "grader.pass_threshold"),
        (string_check(input=3), "grader.input"),
        ({"type": "regex", "name": "x"}, "grader.type"),
        ({"name": "x"}, "grader.type"),
        (SIMILARITY | {"evaluation_metric": "cosine"}, "grader.evaluation_metric"),
        (SIMILARITY | {"evaluation_metric": "bertscore"}, "grader.evaluation_metric"),
        (SIMILARITY | {"input": "{{output}}"}, "grader.input"),
        (PYTHON | {"source": "def grade(:"}, "grader.source"),
        (score_model(model="no-such-model"), "grader.model"),
        (score_model(range=[0]), "grader.range"),
        (score_model(range=[0, "1"]), "grader.range[1]"),
        (
            score_model(sampling_params={"max_completions_tokens": 0}),
            "grader.sampling_params.max_completions_tokens",
        ),
        (score_model(sampling_params={"temperature": 3}), "grader.sampling_params.temperature"),
        (
            score_model(sampling_params={"reasoning_effort": "low"}),
            "grader.sampling_params.reasoning_effort",
        ),
        (score_model(sampling_params={"top_k": 3}), "grader.sampling_params.top_k"),
        (score_model(input=[{"role": "tool", "content": "x"}]), "grader.input[0].role"),
        (
            score_model(input=[{"role": "user", "content": {"type": "input_txt", "text": "x"}}]),
            "grader.input[0].content.type",
        ),
        (
            score_model(input=[{"role": "user", "content": [{"type": "input_text"}]}]),
            "grader.input[0].content[0].text",
        ),
        (
            score_model(
                input=[
                    {
                        "role": "user",
                        "content": [{"type": "input_image", "image_url": "https://x/y.png"}],
                    }
                ]
            ),
            "grader.input[0].content[0]",
        ),
        (score_model(input=[{"role": "user", "content": 5}]), "grader.input[0].content"),
        (label_model(passing_labels=["great"]), "grader.passing_labels"),
        (multi("a", a=string_check("equals")), "grader.graders.a.operation"),
        (
            multi("a", a={"type": "multi", "name": "m", "graders": {}, "calculate_output": "1"}),
            "grader.graders.a.type",
        ),
        (multi("a + b", a=string_check()), "grader.calculate_output"),
        (multi("a.__class__", a=string_check()), "grader.calculate_output"),
        (multi("a") | {"graders": 3}, "grader.graders"),
    ],
)
def test_a_malformed_grader_is_a_400_naming_the_field(
    client: TestClient, grader: dict[str, Any], param: str
) -> None:
    for path, body in (
        (RUN, {"grader": grader, "model_sample": "x"}),
        (VALIDATE, {"grader": grader}),
    ):
        error = error_of(client.post(path, json=body))
        assert error["param"] == param, error
        assert error["type"] == "invalid_request_error" and error["message"]


@pytest.mark.parametrize(
    ("body", "param"),
    [
        ({"grader": string_check()}, "model_sample"),
        ({"grader": string_check(), "model_sample": 3}, "model_sample"),
        ({"grader": string_check(), "model_sample": "x", "item": [1]}, "item"),
        (
            {"grader": string_check(), "model_sample": "x", "reference_answer": "x"},
            "reference_answer",
        ),
        ({"model_sample": "x"}, "grader"),
        ({"grader": "string_check", "model_sample": "x"}, "grader"),
    ],
)
def test_a_malformed_run_request_is_a_400_naming_the_field(
    client: TestClient, body: dict[str, Any], param: str
) -> None:
    assert error_of(client.post(RUN, json=body))["param"] == param


@pytest.mark.parametrize(
    "grader",
    [
        string_check(),
        SIMILARITY,
        PYTHON | {"image_tag": "2025-05-08"},
        score_model(range=[0, 5], sampling_params={"seed": 1, "temperature": 0.2}),
        multi("x", x=string_check()) | {"graders": string_check(name="x")},
    ],
)
def test_validate_echoes_the_grader_in_openai_s_schema(
    client: TestClient, grader: dict[str, Any]
) -> None:
    response = client.post(VALIDATE, json={"grader": grader})
    assert response.status_code == 200, response.text
    validate_response("/fine_tuning/alpha/graders/validate", "post", 200, response.json())
    assert response.json() == {"grader": grader}


def test_validate_accepts_the_guide_s_map_of_graders_and_top_level_label_models(
    client: TestClient,
) -> None:
    for grader in (multi("(a + b) / 2", a=string_check(), b=SIMILARITY), label_model()):
        response = client.post(VALIDATE, json={"grader": grader})
        assert response.status_code == 200 and response.json() == {"grader": grader}


def test_without_a_key_it_is_401(client: TestClient) -> None:
    response = client.post(VALIDATE, json={"grader": string_check()}, headers={"Authorization": ""})
    assert response.status_code == 401


def test_python_graders_can_be_turned_off(data_dir: Path) -> None:
    settings = Settings(data_dir=data_dir, scheduler_enabled=False, python_graders_enabled=False)
    with TestClient(create_app(settings), headers={"Authorization": "Bearer sk-test"}) as tc:
        error = error_of(tc.post(VALIDATE, json={"grader": multi("py", py=PYTHON)}))
        assert error["param"] == "grader.graders.py.type"
        assert error["code"] == "python_graders_disabled"
        assert tc.post(RUN, json={"grader": string_check(), "model_sample": "x"}).status_code == 200


def test_the_rft_cookbook_s_graders_validate_and_run_as_sent(client: TestClient) -> None:
    item = {"reference_answer": "paris"}
    # A score_model grader's pass_threshold is accepted and echoed.
    validated = client.post(VALIDATE, json={"grader": RFT_COOKBOOK_MODEL_GRADER})
    assert validated.status_code == 200, validated.text
    validate_response("/fine_tuning/alpha/graders/validate", "post", 200, validated.json())
    assert validated.json() == {"grader": RFT_COOKBOOK_MODEL_GRADER}
    ran = run(client, RFT_COOKBOOK_MODEL_GRADER, item=item)
    assert ran.status_code == 200, ran.text
    assert ran.json()["metadata"]["name"] == "gpt41_score_model_2"
    # A multi grader with no name is named `multi` (its map of graders is the guide's form,
    # which OpenAI's description lacks, so the echo is not checked against it).
    validated = client.post(VALIDATE, json={"grader": RFT_COOKBOOK_MULTI_GRADER})
    assert validated.status_code == 200, validated.text
    assert validated.json() == {"grader": {**RFT_COOKBOOK_MULTI_GRADER, "name": "multi"}}
    ran = run(client, RFT_COOKBOOK_MULTI_GRADER, sample="Paris", item=item)
    assert ran.status_code == 200, ran.text
    body = ran.json()
    assert body["metadata"]["name"] == "multi" and body["metadata"]["type"] == "multi"
    assert body["sub_rewards"]["clinical_phrase"] == 1.0
    judged = body["sub_rewards"]["judge"]
    assert body["reward"] == pytest.approx(0.85 + 0.15 * judged)
