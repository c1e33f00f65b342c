"""/v1/evals in-process: evals, runs on the emulator (jsonl and completions), output items,
OpenAI's response schemas, the 400s naming the field, cancel, delete, resume and tenancy."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from service.core.tables import EvalRow, EvalRunOutputItemRow, WebhookDeliveryRow
from service.evals.operations import chat_sampling_fields
from tests.evals.fixtures import validate_eval_object
from tests.inference.fixtures import BASE, serving_client, shared_models_dir

ITEM_SCHEMA = {
    "type": "object",
    "properties": {"question": {"type": "string"}, "answer": {"type": "string"}},
    "required": ["question", "answer"],
}
STRING_CHECK = {
    "type": "string_check",
    "name": "exact",
    "input": "{{sample.output_text}}",
    "reference": "{{item.answer}}",
    "operation": "eq",
}
SIMILAR = {
    "type": "text_similarity",
    "name": "similar",
    "input": "{{sample.output_text}}",
    "reference": "{{item.answer}}",
    "evaluation_metric": "fuzzy_match",
    "pass_threshold": 0.5,
}
ROWS = [
    {
        "item": {"question": "capital of France?", "answer": "Paris"},
        "sample": {"output_text": "Paris"},
    },
    {"item": {"question": "2+2?", "answer": "4"}, "sample": {"output_text": "five"}},
    {"item": {"question": "sky?", "answer": "blue"}, "sample": {"output_text": "blue!"}},
]


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    """One app for the module (the engine loads the emulator once)."""
    models_dir = shared_models_dir(tmp_path_factory)
    data_dir = Path(tmp_path_factory.mktemp("evals"))
    with serving_client(data_dir, models_dir) as test_client:
        yield test_client


def ok(response: Any, path: str, method: str) -> dict[str, Any]:
    """The JSON of a success, validated against OpenAI's schema of the operation."""
    status = 201 if method == "post" and path in ("/evals", "/evals/{eval_id}/runs") else 200
    assert response.status_code == status, response.text
    body = response.json()
    validate_eval_object(path, method, body, status)
    return body


def error_of(response: Any, status: int = 400) -> dict[str, Any]:
    """The envelope of an error."""
    assert response.status_code == status, response.text
    return response.json()["error"]


def new_eval(client: TestClient, *criteria: dict[str, Any], **config: Any) -> dict[str, Any]:
    """POST /v1/evals with a custom config."""
    body = {
        "name": "qa",
        "metadata": {"team": "ml"},
        "data_source_config": {"type": "custom", "item_schema": ITEM_SCHEMA, **config},
        "testing_criteria": list(criteria or [STRING_CHECK]),
    }
    return ok(client.post("/v1/evals", json=body), "/evals", "post")


def wait_run(client: TestClient, eval_id: str, run_id: str) -> dict[str, Any]:
    """Poll the run until it ends."""
    deadline = time.monotonic() + 60
    while True:
        run = ok(
            client.get(f"/v1/evals/{eval_id}/runs/{run_id}"),
            "/evals/{eval_id}/runs/{run_id}",
            "get",
        )
        if run["status"] not in ("queued", "in_progress"):
            return run
        assert time.monotonic() < deadline, run
        time.sleep(0.05)


def new_run(client: TestClient, eval_id: str, data_source: dict[str, Any]) -> dict[str, Any]:
    """POST a run, returning it."""
    response = client.post(f"/v1/evals/{eval_id}/runs", json={"data_source": data_source})
    return ok(response, "/evals/{eval_id}/runs", "post")


def test_eval_crud(client: TestClient) -> None:
    created = new_eval(client, include_sample_schema=True)
    assert created["object"] == "eval" and created["id"].startswith("eval_")
    schema = created["data_source_config"]["schema"]
    assert schema["properties"]["item"] == ITEM_SCHEMA
    assert schema["required"] == ["item", "sample"]
    assert created["testing_criteria"] == [STRING_CHECK]
    path = f"/v1/evals/{created['id']}"
    assert ok(client.get(path), "/evals/{eval_id}", "get") == created
    updated = ok(
        client.post(path, json={"name": "renamed", "metadata": {"a": "b"}}),
        "/evals/{eval_id}",
        "post",
    )
    assert (updated["name"], updated["metadata"]) == ("renamed", {"a": "b"})
    page = ok(client.get("/v1/evals", params={"order": "desc", "limit": 1}), "/evals", "get")
    assert page["data"][0]["id"] == created["id"]
    deleted = ok(client.delete(path), "/evals/{eval_id}", "delete")
    assert deleted == {"object": "eval.deleted", "deleted": True, "eval_id": created["id"]}
    assert error_of(client.get(path), 404)["param"] == "eval_id"


def test_a_jsonl_run_grades_ready_made_samples(client: TestClient) -> None:
    evaluation = new_eval(client, STRING_CHECK, SIMILAR)
    run = new_run(
        client,
        evaluation["id"],
        {"type": "jsonl", "source": {"type": "file_content", "content": ROWS}},
    )
    assert run["status"] in ("queued", "in_progress", "completed")
    assert run["report_url"].endswith(f"/dashboard/evals/{evaluation['id']}/runs/{run['id']}")
    run = wait_run(client, evaluation["id"], run["id"])
    assert run["status"] == "completed"
    assert run["result_counts"] == {"total": 3, "errored": 0, "failed": 2, "passed": 1}
    assert run["per_testing_criteria_results"] == [
        {"testing_criteria": "exact", "passed": 1, "failed": 2},
        {"testing_criteria": "similar", "passed": 2, "failed": 1},
    ]
    items_path = f"/v1/evals/{evaluation['id']}/runs/{run['id']}/output_items"
    items = ok(client.get(items_path), "/evals/{eval_id}/runs/{run_id}/output_items", "get")
    by_index = {item["datasource_item_id"]: item for item in items["data"]}
    assert [by_index[i]["status"] for i in range(3)] == ["pass", "fail", "fail"]
    assert by_index[0]["results"][0] == {
        "name": "exact",
        "type": "string_check",
        "score": 1.0,
        "passed": True,
        "sample": None,
    }
    assert by_index[1]["datasource_item"] == ROWS[1]["item"]
    failed = ok(
        client.get(items_path, params={"status": "fail"}),
        "/evals/{eval_id}/runs/{run_id}/output_items",
        "get",
    )
    assert {item["datasource_item_id"] for item in failed["data"]} == {1, 2}
    one = ok(
        client.get(f"{items_path}/{by_index[0]['id']}"),
        "/evals/{eval_id}/runs/{run_id}/output_items/{output_item_id}",
        "get",
    )
    assert one == by_index[0]


def test_a_completions_run_samples_the_served_model(client: TestClient) -> None:
    evaluation = new_eval(client)
    content = [{"item": row["item"]} for row in ROWS]
    run = new_run(
        client,
        evaluation["id"],
        {
            "type": "completions",
            "model": BASE,
            "input_messages": {
                "type": "template",
                "template": [
                    {"role": "system", "content": "Answer in one word."},
                    {"role": "user", "content": "{{item.question}}"},
                ],
            },
            "sampling_params": {"temperature": 0, "max_completion_tokens": 4, "seed": 7},
            "source": {"type": "file_content", "content": content},
        },
    )
    assert run["model"] == BASE
    run = wait_run(client, evaluation["id"], run["id"])
    assert run["status"] == "completed"
    # The emulator's random base weights answer noise: nothing passes, nothing errors.
    assert run["result_counts"] == {"total": 3, "errored": 0, "failed": 3, "passed": 0}
    (usage,) = run["per_model_usage"]
    assert usage["model_name"] == BASE and usage["invocation_count"] == 3
    assert usage["completion_tokens"] <= 12 and usage["prompt_tokens"] > 0
    items = client.get(f"/v1/evals/{evaluation['id']}/runs/{run['id']}/output_items").json()
    sample = items["data"][0]["sample"]
    assert sample["input"][1]["content"] in {row["item"]["question"] for row in ROWS}
    assert sample["model"] == BASE and sample["temperature"] == 0 and sample["seed"] == 7
    assert sample["max_completion_tokens"] == 4 and sample["output"][0]["role"] == "assistant"


def test_refusals_name_the_field(client: TestClient) -> None:
    def create(**overrides: Any) -> dict[str, Any]:
        body = {
            "data_source_config": {"type": "custom", "item_schema": ITEM_SCHEMA},
            "testing_criteria": [STRING_CHECK],
            **overrides,
        }
        return error_of(client.post("/v1/evals", json=body))

    unknown_filter = create(data_source_config={"type": "logs", "where": {}})
    assert unknown_filter["param"].endswith(".where")
    stored = create(data_source_config={"type": "stored_completions"})
    assert "stored_completions" in stored["message"]
    cosine = {**SIMILAR, "evaluation_metric": "cosine"}
    assert create(testing_criteria=[cosine])["param"].startswith("testing_criteria[0]")
    no_threshold = {k: v for k, v in SIMILAR.items() if k != "pass_threshold"}
    assert "pass_threshold" in create(testing_criteria=[no_threshold])["param"]

    evaluation = new_eval(client)
    runs = f"/v1/evals/{evaluation['id']}/runs"
    responses = error_of(client.post(runs, json={"data_source": {"type": "responses"}}))
    assert responses["param"].endswith(".source")  # missing (pydantic names the union's branch)
    by_tools = {"type": "responses", "source": {"type": "responses", "tools": ["get_weather"]}}
    tools = error_of(client.post(runs, json={"data_source": by_tools}))
    assert (tools["param"], tools["code"]) == ("data_source.source.tools", "unsupported_parameter")
    source = {"type": "file_content", "content": [{"item": {"question": "q"}}]}
    mismatch = error_of(
        client.post(runs, json={"data_source": {"type": "jsonl", "source": source}})
    )
    assert mismatch["param"] == "data_source.source" and "Item 0" in mismatch["message"]
    unknown = {
        "type": "completions",
        "model": "ft:gpt-4o-mini-2024-07-18:personal:x:Nope1234",
        "input_messages": {"type": "template", "template": [{"role": "user", "content": "hi"}]},
        "source": {"type": "file_content", "content": [{"item": ROWS[0]["item"]}]},
    }
    refused = error_of(client.post(runs, json={"data_source": unknown}))
    assert (refused["param"], refused["code"]) == ("data_source.model", "model_not_found")
    stored_source = {**unknown, "model": BASE, "source": {"type": "stored_completions"}}
    assert error_of(client.post(runs, json={"data_source": stored_source}))["param"] == (
        "data_source.source.type"
    )


def test_cancel_and_delete_a_run(client: TestClient) -> None:
    evaluation = new_eval(client)
    content = [{"item": ROWS[0]["item"]}] * 40
    run = new_run(
        client,
        evaluation["id"],
        {
            "type": "completions",
            "model": BASE,
            "input_messages": {
                "type": "template",
                "template": [{"role": "user", "content": "{{item.question}}"}],
            },
            "sampling_params": {"max_completion_tokens": 64},
            "source": {"type": "file_content", "content": content},
        },
    )
    path = f"/v1/evals/{evaluation['id']}/runs/{run['id']}"
    # The SDKs' path; OpenAI's description's (a POST on the run) is checked below.
    canceled = ok(client.post(f"{path}/cancel"), "/evals/{eval_id}/runs/{run_id}", "post")
    assert canceled["status"] == "canceled"
    time.sleep(0.3)
    after = wait_run(client, evaluation["id"], run["id"])
    assert after["status"] == "canceled" and after["result_counts"]["total"] < 40
    assert error_of(client.post(path))["param"] == "run_id"
    listed = ok(
        client.get(f"/v1/evals/{evaluation['id']}/runs", params={"status": "canceled"}),
        "/evals/{eval_id}/runs",
        "get",
    )
    assert [r["id"] for r in listed["data"]] == [run["id"]]
    assert client.delete(path).json() == {
        "object": "eval.run.deleted",
        "deleted": True,
        "run_id": run["id"],
    }
    assert error_of(client.get(path), 404)["param"] == "run_id"


def test_a_run_resumes_with_the_items_not_yet_graded(client: TestClient) -> None:
    evaluation = new_eval(client)
    runner = client.app.state.container.evals  # type: ignore[attr-defined]
    portal = client.portal  # type: ignore[attr-defined]
    portal.call(runner.stop)  # as if the server went down before the run started
    try:
        source = {"type": "file_content", "content": ROWS}
        run = new_run(client, evaluation["id"], {"type": "jsonl", "source": source})
        db = client.app.state.container.db  # type: ignore[attr-defined]
        with db.session() as session:
            # One item was graded before the restart; it must be neither regraded nor lost.
            session.add(
                EvalRunOutputItemRow(
                    id="outputitem_before_restart",
                    run_id=run["id"],
                    eval_id=evaluation["id"],
                    project="proj_local",
                    created_at=0,
                    status="pass",
                    datasource_item_id=1,
                    datasource_item=ROWS[1]["item"],
                    results=[
                        {
                            "name": "exact",
                            "type": "string_check",
                            "score": 1.0,
                            "passed": True,
                            "sample": None,
                        }
                    ],
                    sample={},
                    usage={},
                )
            )
    finally:
        portal.call(runner.start)
    run = wait_run(client, evaluation["id"], run["id"])
    assert run["status"] == "completed"
    # Item 1 would fail if regraded ("five" is not "4"): the row written before counts.
    assert run["result_counts"] == {"total": 3, "errored": 0, "failed": 1, "passed": 2}


def test_another_projects_eval_is_a_404(client: TestClient) -> None:
    evaluation = new_eval(client)
    container = client.app.state.container  # type: ignore[attr-defined]
    with container.db.session() as session:
        row = session.query(EvalRow).filter_by(id=evaluation["id"]).one()
        row.project = "proj_other"
    assert error_of(client.get(f"/v1/evals/{evaluation['id']}"), 404)["param"] == "eval_id"
    assert error_of(client.get(f"/v1/evals/{evaluation['id']}/runs"), 404)["param"] == "eval_id"


def test_a_finished_run_writes_its_webhook_event(client: TestClient) -> None:
    endpoint = client.post(
        "/v1/webhook_endpoints",
        json={
            "name": "evals",
            "url": "http://127.0.0.1:9/hook",
            "event_types": ["eval.run.succeeded", "eval.run.canceled"],
        },
    )
    assert endpoint.status_code == 200, endpoint.text
    evaluation = new_eval(client)
    source = {"type": "file_content", "content": ROWS}
    run = wait_run(
        client,
        evaluation["id"],
        new_run(client, evaluation["id"], {"type": "jsonl", "source": source})["id"],
    )
    container = client.app.state.container  # type: ignore[attr-defined]
    with container.db.session() as session:
        deliveries = session.query(WebhookDeliveryRow).filter_by(endpoint_id=endpoint.json()["id"])
        events = [(row.event_type, json.loads(row.payload)["data"]["id"]) for row in deliveries]
    assert events == [("eval.run.succeeded", run["id"])]


def test_a_logs_eval_grades_the_stored_responses(client: TestClient) -> None:
    """The DPO cookbook's eval: a `logs` config, a score_model judge with a pass_threshold,
    and a run over the newest stored Responses (`source: {type: responses, limit}`)."""
    created, questions = [], ("Say hi", "Say bye", "Say yes")
    for question in questions:
        response = client.post(
            "/v1/responses",
            json={
                "model": BASE,
                "input": question,
                "instructions": "Be brief.",
                "max_output_tokens": 6,
                "temperature": 0,
                "metadata": {"suite": "logs"},
            },
        )
        assert response.status_code == 200, response.text
        created.append(response.json())
    judge = {
        "type": "score_model",
        "name": "General Evaluator",
        "model": "gpt-4.1-2025-04-14",
        "input": [
            {"role": "system", "content": "Score the reply from 0 to 4."},
            {"role": "user", "content": "{{item.input}}\n\n{{sample.output_text}}"},
        ],
        "range": [0, 4],
        "pass_threshold": 2,
    }
    said = {**STRING_CHECK, "name": "said", "reference": "{{item.id}}", "operation": "ne"}
    body = {
        "name": "logs",
        "data_source_config": {"type": "logs"},
        "testing_criteria": [judge, said],
    }
    evaluation = ok(client.post("/v1/evals", json=body), "/evals", "post")
    config = evaluation["data_source_config"]
    assert config["type"] == "logs" and set(config["schema"]["required"]) == {"item", "sample"}
    assert evaluation["testing_criteria"][0]["pass_threshold"] == 2

    source = {"type": "responses", "limit": 2, "metadata": {"suite": "logs"}}
    run = new_run(client, evaluation["id"], {"type": "responses", "source": source})
    assert run["model"] is None
    run = wait_run(client, evaluation["id"], run["id"])
    assert run["status"] == "completed", run
    counts = run["result_counts"]
    # The emulator judge may answer no score: that item is `error`, as OpenAI counts it.
    assert counts["total"] == 2
    assert counts["passed"] + counts["failed"] + counts["errored"] == 2
    items = ok(
        client.get(f"/v1/evals/{evaluation['id']}/runs/{run['id']}/output_items?order=asc"),
        "/evals/{eval_id}/runs/{run_id}/output_items",
        "get",
    )["data"]
    items.sort(key=lambda item: item["datasource_item_id"])
    # The two newest responses, newest first, each graded as it was stored.
    newest = created[:0:-1]
    assert [item["datasource_item"]["id"] for item in items] == [r["id"] for r in newest]
    for item, response, question in zip(items, newest, questions[:0:-1], strict=True):
        text = response["output"][0]["content"][0]["text"]
        assert item["datasource_item"]["input"] == [
            {"role": "system", "content": "Be brief."},
            {"role": "user", "content": question},
        ]
        assert item["sample"]["output"] == [{"role": "assistant", "content": text}]
        assert item["sample"]["model"] == BASE
        assert item["sample"]["usage"]["completion_tokens"] == response["usage"]["output_tokens"]
        judged, checked = item["results"]
        assert judged["name"] == "General Evaluator"
        errored = judged.get("sample") is not None
        assert judged["passed"] == (not errored and judged["score"] >= 2)
        assert (checked["name"], checked["score"], checked["passed"]) == ("said", 1.0, True)
        expected = "error" if errored else "pass" if judged["passed"] else "fail"
        assert item["status"] == expected

    # With a model and input_messages, the stored inputs are sampled again.
    again = {
        "type": "responses",
        "source": {"type": "responses", "limit": 1, "model": BASE},
        "input_messages": {"type": "item_reference", "item_reference": "item.input"},
        "model": "gpt-4.1-2025-04-14",
        "sampling_params": {"temperature": 0, "max_completion_tokens": 6},
    }
    run = wait_run(client, evaluation["id"], new_run(client, evaluation["id"], again)["id"])
    assert run["status"] == "completed" and run["result_counts"]["total"] == 1, run
    assert run["model"] == "gpt-4.1-2025-04-14"
    (item,) = client.get(f"/v1/evals/{evaluation['id']}/runs/{run['id']}/output_items").json()[
        "data"
    ]
    assert item["sample"]["model"] == "gpt-4.1-2025-04-14"
    assert item["sample"]["input"] == item["datasource_item"]["input"]

    # No stored response matches: a 400 naming the source.
    none = {"type": "responses", "source": {"type": "responses", "model": "gpt-3.5-turbo"}}
    refused = error_of(
        client.post(f"/v1/evals/{evaluation['id']}/runs", json={"data_source": none})
    )
    assert refused["param"] == "data_source.source"


def test_a_responses_run_s_sampling_params_are_translated_to_chat_s() -> None:
    schema = {"type": "object", "properties": {"ok": {"type": "boolean"}}}
    responses_form = {
        "temperature": 0,
        "text": {"format": {"type": "json_schema", "name": "reply", "schema": schema}},
        "tools": [{"type": "function", "name": "f", "parameters": {"type": "object"}}],
    }
    assert chat_sampling_fields(responses_form, responses_form=True) == {
        "response_format": {
            "type": "json_schema",
            "json_schema": {"name": "reply", "schema": schema},
        },
        "tools": [
            {"type": "function", "function": {"name": "f", "parameters": {"type": "object"}}}
        ],
    }
    plain = {"text": {"format": {"type": "text"}}}
    assert chat_sampling_fields(plain, responses_form=True) == {}
    chat_form = {"response_format": {"type": "json_object"}, "tools": None}
    assert chat_sampling_fields(chat_form, responses_form=False) == {
        "response_format": {"type": "json_object"}
    }
