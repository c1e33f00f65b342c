"""Streamed completions match the event schema of Whetstone's own document, read two ways: by
tests/contract/whetstone_schema.py and by schemathesis' response_schema_conformance."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import schemathesis
from fastapi.testclient import TestClient
from schemathesis.core.failures import FailureGroup
from schemathesis.specs.openapi.checks import response_schema_conformance

from tests.contract.whetstone_schema import event_errors, spec, sse_events
from tests.inference.fixtures import serving_client, shared_models_dir

CHAT = "/v1/chat/completions"
COMPLETIONS = "/v1/completions"
MESSAGES = [{"role": "user", "content": "Hello"}]
CHUNK = {
    "id": "chatcmpl-1",
    "object": "chat.completion.chunk",
    "created": 1,
    "model": "m",
    "system_fingerprint": "fp_1",
    "choices": [{"index": 0, "delta": {"content": "hi"}, "finish_reason": None}],
}
ERROR = {"error": {"message": "gone", "type": "server_error", "param": None, "code": None}}


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    """The app in-process with the emulator; the engine loads it once for the module."""
    data_dir = Path(tmp_path_factory.mktemp("event-schema"))
    with serving_client(data_dir, shared_models_dir(tmp_path_factory)) as test_client:
        yield test_client


def errors_of(path: str, data: str) -> list[str]:
    """What Whetstone's event schema of `POST path` says about one `data:` payload."""
    return [error.message for error in event_errors(path, "post", {"data": data})]


def test_sse_events_are_read_as_an_event_source_reads_them() -> None:
    body = b": ping\r\ndata: a\r\ndata: b\r\n\r\nevent: x\nid: 7\ndata: c\n\ndata: unfinished\n"
    assert sse_events(body) == [
        {"data": "a\nb", "event": "message"},
        {"data": "c", "event": "x", "id": "7"},
    ]


def test_the_event_schema_admits_chunks_errors_and_done() -> None:
    assert errors_of(CHAT, json.dumps(CHUNK)) == []
    assert errors_of(CHAT, json.dumps(ERROR)) == []
    assert errors_of(CHAT, "[DONE]") == []
    assert errors_of(CHAT, "DONE") != []  # not JSON
    assert errors_of(CHAT, json.dumps({**CHUNK, "object": "text_completion"})) != []
    assert errors_of(COMPLETIONS, json.dumps(CHUNK)) != []  # a chat chunk is no Completion
    assert event_errors(CHAT, "post", {"event": "message"}) != []  # an event carries data


def test_both_streamed_operations_describe_their_events() -> None:
    for path in (CHAT, COMPLETIONS):
        schema = spec()["paths"][path]["post"]["responses"]["200"]["content"]
        assert schema["text/event-stream"]["schema"]["required"] == ["data"]


def stream(client: TestClient, path: str, body: dict[str, Any]) -> Any:
    """POST a streamed request; the whole response, asserting a 200 event stream."""
    response = client.post(path, json={**body, "stream": True})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/event-stream")
    return response


STREAMS = [
    (
        CHAT,
        {
            "model": "gpt-4o-mini-2024-07-18",
            "messages": MESSAGES,
            "max_tokens": 4,
            "n": 2,
            "logprobs": True,
            "top_logprobs": 2,
            "stream_options": {"include_usage": True},
        },
    ),
    (
        COMPLETIONS,
        {
            "model": "babbage-002",
            "prompt": ["Once", "Twice"],
            "max_tokens": 4,
            "logprobs": 1,
            "echo": False,
            "stream_options": {"include_usage": True},
        },
    ),
]


@pytest.mark.parametrize(("path", "body"), STREAMS, ids=["chat", "completions"])
def test_real_streams_match_the_event_schema(
    client: TestClient, path: str, body: dict[str, Any]
) -> None:
    events = sse_events(stream(client, path, body).content)
    assert events[-1]["data"] == "[DONE]"
    assert len(events) > 3
    for index, event in enumerate(events):
        assert [e.message for e in event_errors(path, "post", event)] == [], f"event {index}"


@pytest.mark.parametrize(("path", "body"), STREAMS, ids=["chat", "completions"])
def test_schemathesis_validates_real_streams_against_the_document(
    client: TestClient, path: str, body: dict[str, Any]
) -> None:
    # The check that found `{"type": "string"}` wanting: it reads each event against the
    # schema, and must now pass a real stream and fail a broken one.
    schema = schemathesis.openapi.from_dict(spec())
    case = schema[path]["POST"].Case(body={**body, "stream": True})
    conformance = [response_schema_conformance]
    response = stream(client, path, body)
    case.validate_response(response, checks=conformance)
    broken = httpx.Response(
        200,
        headers=response.headers,
        content=response.content.replace(b'"system_fingerprint"', b'"fingerprint"'),
        request=response.request,
    )
    broken.elapsed = response.elapsed
    with pytest.raises(FailureGroup, match="1 distinct failure") as failed:
        case.validate_response(broken, checks=conformance)
    assert "SSE event violates schema" in str(failed.value.exceptions[0])
