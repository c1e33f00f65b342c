"""Chat completions with response_format and tools, in-process on the base emulator."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import jsonschema
import pytest
from fastapi.testclient import TestClient

from tests.completions.test_chat import MESSAGES, events
from tests.contract.openai_schema import schema_errors, stream_chunk_pointer, validate_response
from tests.inference.fixtures import BASE, serving_client, shared_models_dir

WEATHER = {
    "type": "object",
    "properties": {
        "city": {"type": "string", "maxLength": 10},
        "unit": {"enum": ["c", "f"]},
    },
    "required": ["city", "unit"],
    "additionalProperties": False,
}
TOOLS = [
    {
        "type": "function",
        "function": {"name": "get_weather", "description": "Weather", "parameters": WEATHER},
    },
    {
        "type": "function",
        "function": {
            "name": "noop",
            "parameters": {"type": "object", "properties": {}, "additionalProperties": False},
        },
    },
]
SCHEMA_FORMAT = {
    "type": "json_schema",
    "json_schema": {"name": "weather", "schema": WEATHER, "strict": True},
}


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    """One app per module: the engine loads the emulator once."""
    data_dir = Path(tmp_path_factory.mktemp("tools"))
    with serving_client(data_dir, shared_models_dir(tmp_path_factory)) as test_client:
        yield test_client


def create(client: TestClient, **body: object) -> dict:
    """POST /v1/chat/completions (asserting 200 and OpenAI's schema)."""
    response = client.post(
        "/v1/chat/completions", json={"model": BASE, "messages": MESSAGES, **body}
    )
    assert response.status_code == 200, response.text
    validate_response("/chat/completions", "post", 200, response.json())
    return response.json()


def chunks(client: TestClient, **body: object) -> list[dict]:
    """The chunks of a streamed completion, each checked against OpenAI's chunk schema."""
    parsed = [json.loads(p) for p in events(client, **body)]
    pointer = stream_chunk_pointer("/chat/completions", "post")
    assert all(not schema_errors(pointer, chunk) for chunk in parsed)
    return parsed


def test_a_json_schema_constrains_every_choice(client: TestClient) -> None:
    body = create(client, response_format=SCHEMA_FORMAT, n=2, temperature=1.0, seed=5)
    for choice in body["choices"]:
        assert choice["finish_reason"] == "stop"
        jsonschema.validate(json.loads(choice["message"]["content"]), WEATHER)
    obj = create(client, response_format={"type": "json_object"}, temperature=0, max_tokens=8)
    # Cut by max_tokens mid-object: `length` is the only way out of an unfinished object.
    assert obj["choices"][0]["finish_reason"] == "length"
    assert obj["choices"][0]["message"]["content"].startswith("{")


def test_required_returns_a_valid_call_whole_and_streamed(client: TestClient) -> None:
    forced = {"tools": TOOLS, "tool_choice": "required", "parallel_tool_calls": False}
    body = create(client, **forced, temperature=0, max_tokens=300)
    choice = body["choices"][0]
    assert choice["finish_reason"] == "tool_calls" and choice["message"]["content"] is None
    calls = choice["message"]["tool_calls"]
    assert len(calls) == 1 and all(c["id"].startswith("call_") for c in calls)
    for call in calls:
        if call["function"]["name"] == "get_weather":
            jsonschema.validate(json.loads(call["function"]["arguments"]), WEATHER)
    streamed = chunks(client, **forced, temperature=0, max_tokens=300)
    parts = [
        part
        for c in streamed
        if c["choices"]
        for part in c["choices"][0]["delta"].get("tool_calls", [])
    ]
    assert (
        parts[0]["id"].startswith("call_")
        and parts[0]["function"]["name"] == calls[0]["function"]["name"]
    )
    first = "".join(p["function"].get("arguments", "") for p in parts if p["index"] == 0)
    assert first == calls[0]["function"]["arguments"]
    assert streamed[-1]["choices"][0]["finish_reason"] == "tool_calls"


def test_a_required_call_cut_short_is_never_content(client: TestClient) -> None:
    forced = {"tools": TOOLS, "tool_choice": "required", "max_tokens": 3, "seed": 1}
    choice = create(client, **forced)["choices"][0]
    assert choice["finish_reason"] == "length"
    assert choice["message"]["content"] is None and "tool_calls" not in choice["message"]
    streamed = [c["choices"][0] for c in chunks(client, **forced) if c["choices"]]
    assert not any(c["delta"].get("content") for c in streamed)
    assert streamed[-1]["finish_reason"] == "length"


def test_a_named_choice_streams_its_arguments(client: TestClient) -> None:
    named = {"type": "function", "function": {"name": "get_weather"}}
    body = create(client, tools=TOOLS, tool_choice=named, temperature=0, max_tokens=200)
    (call,) = body["choices"][0]["message"]["tool_calls"]
    assert call["function"]["name"] == "get_weather"
    arguments = json.loads(call["function"]["arguments"])
    jsonschema.validate(arguments, WEATHER)
    streamed = chunks(client, tools=TOOLS, tool_choice=named, temperature=0, max_tokens=200)
    parts = [
        p for c in streamed if c["choices"] for p in c["choices"][0]["delta"].get("tool_calls", [])
    ]
    assert len(parts) > 2  # the arguments come as they are generated
    assert json.loads("".join(p["function"].get("arguments", "") for p in parts)) == arguments


def test_auto_leaves_free_text_as_content(client: TestClient) -> None:
    body = create(client, tools=TOOLS, temperature=0, max_tokens=8)
    message = body["choices"][0]["message"]
    assert isinstance(message["content"], str) and "tool_calls" not in message


@pytest.mark.parametrize(
    ("field", "value", "param"),
    [
        ("tools", [{"type": "web_search"}], "tools[0].type"),
        ("tool_choice", "required", "tool_choice"),
        ("tool_choice", {"type": "function", "function": {"name": "nope"}}, "tool_choice"),
        ("response_format", {"type": "grammar"}, "response_format.type"),
        (
            "response_format",
            {"type": "json_schema", "json_schema": {"name": "x", "schema": {"if": {}}}},
            "response_format.json_schema.schema",
        ),
        ("functions", [{"name": "f"}], "functions"),
    ],
)
def test_what_cannot_be_honoured_is_a_400_naming_the_param(
    client: TestClient, field: str, value: object, param: str
) -> None:
    body = {"model": BASE, "messages": MESSAGES, field: value}
    response = client.post("/v1/chat/completions", json=body)
    assert response.status_code == 400, response.text
    assert response.json()["error"]["param"] == param
