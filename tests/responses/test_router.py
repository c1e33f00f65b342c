"""/v1/responses in-process: same text as chat, events in OpenAI's order, storage, refusals."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path

import jsonschema
import pytest
from fastapi.testclient import TestClient

from tests.completions.test_structured_and_tools import TOOLS, WEATHER
from tests.contract.openai_schema import validate_response, validator_for
from tests.inference.fixtures import BASE, serving_client, shared_models_dir

RESPONSE_TOOLS = [{"type": "function", **tool["function"]} for tool in TOOLS]
EVENT = "/components/schemas/ResponseStreamEvent"


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    """One app per module: the engine loads the emulator once."""
    data_dir = Path(tmp_path_factory.mktemp("responses"))
    with serving_client(data_dir, shared_models_dir(tmp_path_factory)) as test_client:
        yield test_client


def create(client: TestClient, **body: object) -> dict:
    """POST /v1/responses (asserting 200 and OpenAI's Response schema)."""
    response = client.post("/v1/responses", json={"model": BASE, **body})
    assert response.status_code == 200, response.text
    validate_response("/responses", "post", 200, response.json())
    return response.json()


def stream(client: TestClient, **body: object) -> list[dict]:
    """The events of a streamed response, each named by its type and valid for OpenAI."""
    response = client.post("/v1/responses", json={"model": BASE, "stream": True, **body})
    assert response.status_code == 200, response.text
    events = []
    for frame in response.text.split("\n\n"):
        lines = [line for line in frame.splitlines() if not line.startswith(":")]
        if not lines:
            continue
        fields = dict(line.split(": ", 1) for line in lines)
        event = json.loads(fields["data"])
        assert fields["event"] == event["type"]
        errors = list(validator_for(EVENT).iter_errors(event))
        assert not errors, (event["type"], errors[0].message)
        events.append(event)
    assert [e["sequence_number"] for e in events] == list(range(len(events)))
    return events


def test_same_greedy_text_as_chat_whole_and_streamed(client: TestClient) -> None:
    chat = client.post(
        "/v1/chat/completions",
        json={
            "model": BASE,
            "messages": [
                {"role": "system", "content": "Be brief."},
                {"role": "user", "content": "Hi"},
            ],
            "temperature": 0,
            "max_tokens": 10,
        },
    ).json()
    text = chat["choices"][0]["message"]["content"]
    body = create(client, input="Hi", instructions="Be brief.", temperature=0, max_output_tokens=10)
    assert body["status"] in ("completed", "incomplete")
    assert body["output"][0]["content"][0]["text"] == text
    assert body["usage"]["input_tokens"] == chat["usage"]["prompt_tokens"]
    events = stream(
        client, input="Hi", instructions="Be brief.", temperature=0, max_output_tokens=10
    )
    kinds = [e["type"] for e in events]
    assert kinds[:4] == [
        "response.created",
        "response.in_progress",
        "response.output_item.added",
        "response.content_part.added",
    ]
    assert kinds[-4:] == [
        "response.output_text.done",
        "response.content_part.done",
        "response.output_item.done",
        f"response.{body['status']}",
    ]
    deltas = "".join(e["delta"] for e in events if e["type"] == "response.output_text.delta")
    assert deltas == text == events[-1]["response"]["output"][0]["content"][0]["text"]


def test_stored_responses_continue_list_and_delete(client: TestClient) -> None:
    first = create(client, input="Hello", temperature=0, max_output_tokens=5, metadata={"k": "v"})
    assert client.get(f"/v1/responses/{first['id']}").json() == first
    second = create(
        client,
        previous_response_id=first["id"],
        input=[{"role": "user", "content": [{"type": "input_text", "text": "More"}]}],
        temperature=0,
        max_output_tokens=5,
    )
    # The earlier turn is replayed: the prompt holds both user turns and the first reply.
    assert (
        second["usage"]["input_tokens"]
        > first["usage"]["input_tokens"] + first["usage"]["output_tokens"]
    )
    items = client.get(f"/v1/responses/{second['id']}/input_items").json()
    validate_response("/responses/{response_id}/input_items", "get", 200, items)
    assert [i["content"][0]["text"] for i in items["data"]] == ["More"]
    cancel = client.post(f"/v1/responses/{second['id']}/cancel")
    assert cancel.status_code == 400
    assert client.delete(f"/v1/responses/{first['id']}").json()["deleted"] is True
    assert client.get(f"/v1/responses/{first['id']}").status_code == 404
    again = client.post(
        "/v1/responses", json={"model": BASE, "input": "x", "previous_response_id": first["id"]}
    )
    assert again.status_code == 404 and again.json()["error"]["param"] == "previous_response_id"
    unstored = create(client, input="Hi", store=False, max_output_tokens=2)
    assert client.get(f"/v1/responses/{unstored['id']}").status_code == 404


def test_forced_calls_stream_as_function_call_items(client: TestClient) -> None:
    events = stream(
        client,
        input="Weather in Paris?",
        tools=RESPONSE_TOOLS,
        tool_choice={"type": "function", "name": "get_weather"},
        temperature=0,
        max_output_tokens=200,
    )
    done = [e for e in events if e["type"] == "response.function_call_arguments.done"]
    assert len(done) == 1 and done[0]["name"] == "get_weather"
    jsonschema.validate(json.loads(done[0]["arguments"]), WEATHER)
    (call,) = events[-1]["response"]["output"]
    assert call["type"] == "function_call" and call["arguments"] == done[0]["arguments"]
    answered = create(
        client,
        previous_response_id=events[-1]["response"]["id"],
        input=[{"type": "function_call_output", "call_id": call["call_id"], "output": "sunny"}],
        max_output_tokens=3,
    )
    assert answered["output"][0]["type"] == "message"


def test_text_format_json_schema_constrains_the_output(client: TestClient) -> None:
    fmt = {"type": "json_schema", "name": "weather", "schema": WEATHER, "strict": True}
    body = create(
        client, input="Weather?", text={"format": fmt}, temperature=0, max_output_tokens=200
    )
    jsonschema.validate(json.loads(body["output"][0]["content"][0]["text"]), WEATHER)
    assert body["text"]["format"]["name"] == "weather"


@pytest.mark.parametrize(
    ("field", "value", "param"),
    [
        ("tools", [{"type": "web_search"}], "tools[0].type"),
        ("tools", [{"type": "mcp", "server_label": "x"}], "tools[0].type"),
        ("reasoning", {"effort": "low"}, "reasoning"),
        ("stream", True, "background"),
        (
            "input",
            [{"role": "user", "content": [{"type": "input_image", "image_url": "x"}]}],
            "input[0].content[0]",
        ),
        ("input", [{"type": "input_file", "file_id": "file-x"}], "input[0].type"),
        ("include", ["message.output_text.logprobs"], "include"),
        ("truncation", "auto", "truncation"),
    ],
)
def test_what_cannot_be_honoured_is_a_400_naming_the_param(
    client: TestClient, field: str, value: object, param: str
) -> None:
    body = {"model": BASE, "input": "Hi", "background": field == "stream", field: value}
    response = client.post("/v1/responses", json=body)
    assert response.status_code == 400, response.text
    assert response.json()["error"]["param"] == param


def test_background_responses_are_polled_and_cancelled(client: TestClient) -> None:
    queued = create(client, input="Hi", background=True, temperature=0, max_output_tokens=4)
    assert queued["status"] == "queued" and queued["background"] is True
    deadline = time.monotonic() + 60
    while (done := client.get(f"/v1/responses/{queued['id']}").json())["status"] in (
        "queued",
        "in_progress",
    ):
        assert time.monotonic() < deadline
        time.sleep(0.05)
    validate_response("/responses/{response_id}", "get", 200, done)
    assert done["status"] == "incomplete" and done["output"][0]["type"] == "message"
    assert client.post(f"/v1/responses/{queued['id']}/cancel").json() == done
    endless = create(client, input="Hi", background=True)
    cancelled = client.post(f"/v1/responses/{endless['id']}/cancel")
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    # The run stops at its next check, and its end never overwrites the cancel.
    assert client.get(f"/v1/responses/{endless['id']}").json()["status"] == "cancelled"


def test_a_reasoning_alias_takes_reasoning_and_answers_with_empty_reasoning(
    client: TestClient,
) -> None:
    # The RFT cookbook's call: an o4-mini alias, an effort and a summary.
    reasoning = {"effort": "medium", "summary": "detailed"}
    body = create(client, model="o4-mini-2025-04-16", input="Hi", reasoning=reasoning)
    assert body["reasoning"] == reasoning
    first, *rest = body["output"]
    assert first["type"] == "reasoning" and first["id"].startswith("rs_")
    assert first["summary"] == []
    assert rest and rest[0]["type"] in ("message", "function_call")
    assert body["usage"]["output_tokens_details"]["reasoning_tokens"] == 0
    # The same text as the model with no reasoning asked (greedy), its effort OpenAI's default.
    plain = create(client, model="o4-mini", input="Hi", temperature=0, max_output_tokens=8)
    assert plain["reasoning"] == {"effort": "medium", "summary": None}
    asked = create(
        client,
        model="o4-mini",
        input="Hi",
        temperature=0,
        max_output_tokens=8,
        reasoning={"effort": "low"},
    )
    assert asked["output"][1:] == [
        {**item, "id": asked["output"][1]["id"]} for item in plain["output"][1:]
    ]
    # Streamed, the reasoning item is added and done before the message.
    kinds = [e["type"] for e in stream(client, model="o4-mini", input="Hi", reasoning=reasoning)]
    assert kinds[2:5] == [
        "response.output_item.added",
        "response.output_item.done",
        "response.output_item.added",
    ]
    # Its output passed back as input (as clients managing their context do) is accepted.
    again = create(
        client,
        model="o4-mini",
        input=[{"role": "user", "content": "Hi"}, first],
        reasoning=reasoning,
    )
    assert again["status"] in ("completed", "incomplete")
    # A model that is no reasoning alias still refuses it, naming the param.
    refused = client.post(
        "/v1/responses", json={"model": BASE, "input": "Hi", "reasoning": reasoning}
    )
    assert refused.status_code == 400 and refused.json()["error"]["param"] == "reasoning"
    bad = client.post(
        "/v1/responses", json={"model": "o4-mini", "input": "Hi", "reasoning": {"effort": "huge"}}
    )
    assert bad.status_code == 400 and bad.json()["error"]["param"] == "reasoning.effort"
