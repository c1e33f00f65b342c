"""/v1/chat/completions in-process: wire shape, SSE framing, determinism, refusals, limits."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from tests.contract.openai_schema import (
    schema_errors,
    stream_chunk_pointer,
    validate_response,
)
from tests.inference.fixtures import BASE, serving_client, shared_models_dir

MESSAGES = [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Hello"}]


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    """One app per module: the engine loads the emulator once."""
    data_dir = Path(tmp_path_factory.mktemp("chat"))
    with serving_client(data_dir, shared_models_dir(tmp_path_factory)) as test_client:
        yield test_client


def create(client: TestClient, **body: object) -> dict:
    """POST /v1/chat/completions (asserting 200) and return the JSON body."""
    response = client.post(
        "/v1/chat/completions", json={"model": BASE, "messages": MESSAGES, **body}
    )
    assert response.status_code == 200, response.text
    return response.json()


def events(client: TestClient, **body: object) -> list[str]:
    """The raw `data:` payloads of a streamed completion, checking the SSE framing exactly."""
    response = client.post(
        "/v1/chat/completions", json={"model": BASE, "messages": MESSAGES, "stream": True, **body}
    )
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/event-stream")
    frames = response.text.split("\n\n")
    assert frames[-1] == ""  # every frame, [DONE] included, ends with a blank line
    payloads = [frame.removeprefix("data: ") for frame in frames[:-1] if not frame.startswith(":")]
    assert all(frame.startswith("data: ") for frame in frames[:-1] if not frame.startswith(":"))
    assert payloads[-1] == "[DONE]"
    return payloads[:-1]


def test_completion_matches_the_schema_and_counts_tokens(client: TestClient) -> None:
    body = create(client, max_tokens=6, temperature=0, logprobs=True, top_logprobs=2, n=2)
    validate_response("/chat/completions", "post", 200, body)
    assert [c["index"] for c in body["choices"]] == [0, 1]
    assert body["choices"][0]["message"] == body["choices"][1]["message"]  # greedy
    assert body["choices"][0]["finish_reason"] in ("stop", "length")
    usage = body["usage"]
    assert usage["total_tokens"] == usage["prompt_tokens"] + usage["completion_tokens"]
    assert usage["completion_tokens"] <= 12
    logprobs = body["choices"][0]["logprobs"]["content"]
    assert logprobs and all(len(t["top_logprobs"]) == 2 for t in logprobs)
    assert body["system_fingerprint"].startswith("fp_")


def test_streamed_text_equals_unstreamed_text_at_temperature_zero(client: TestClient) -> None:
    whole = create(client, max_tokens=12, temperature=0)
    payloads = events(client, max_tokens=12, temperature=0, stream_options={"include_usage": True})
    chunks = [json.loads(p) for p in payloads]
    pointer = stream_chunk_pointer("/chat/completions", "post")
    assert all(not schema_errors(pointer, chunk) for chunk in chunks)
    assert chunks[0]["choices"][0]["delta"] == {"role": "assistant", "content": ""}
    text = "".join(c["choices"][0]["delta"].get("content", "") for c in chunks if c["choices"])
    assert text == whole["choices"][0]["message"]["content"]
    assert chunks[-1]["choices"] == [] and chunks[-1]["usage"] == whole["usage"]
    assert all("usage" not in c for c in chunks[:-1])
    finishes = [c["choices"][0]["finish_reason"] for c in chunks if c["choices"]]
    assert finishes[-1] == whole["choices"][0]["finish_reason"]


def test_without_include_usage_no_chunk_carries_usage(client: TestClient) -> None:
    chunks = [json.loads(p) for p in events(client, max_tokens=3)]
    assert all("usage" not in c and c["choices"] for c in chunks)


def test_same_seed_same_sample(client: TestClient) -> None:
    first = create(client, max_tokens=10, temperature=1.0, seed=1234)
    again = create(client, max_tokens=10, temperature=1.0, seed=1234)
    assert first["choices"][0]["message"] == again["choices"][0]["message"]


def test_stop_sequence_is_cut_from_the_reply(client: TestClient) -> None:
    full = create(client, max_tokens=16, temperature=0)["choices"][0]["message"]["content"]
    stop = full[4:6]
    body = create(client, max_tokens=16, temperature=0, stop=[stop])
    assert body["choices"][0]["message"]["content"] == full[: full.index(stop)]
    assert body["choices"][0]["finish_reason"] == "stop"


@pytest.mark.parametrize(
    ("field", "value", "param"),
    [
        ("tool_choice", "required", "tool_choice"),
        ("audio", {"voice": "alloy", "format": "mp3"}, "audio"),
        ("prediction", {"type": "content", "content": "x"}, "prediction"),
        ("web_search_options", {}, "web_search_options"),
        ("reasoning_effort", "low", "reasoning_effort"),
        ("store", True, "store"),
        ("stop", ["a", "b", "c", "d", "e"], "stop"),
        ("top_logprobs", 2, "top_logprobs"),
        (
            "messages",
            [{"role": "user", "content": [{"type": "image_url"}]}],
            "messages[0].content[0]",
        ),
        ("not_a_field", 1, "not_a_field"),
    ],
)
def test_what_cannot_be_honoured_is_a_400_naming_the_param(
    client: TestClient, field: str, value: object, param: str
) -> None:
    body = {"model": BASE, "messages": MESSAGES, field: value}
    response = client.post("/v1/chat/completions", json=body)
    assert response.status_code == 400, response.text
    assert response.json()["error"]["param"] == param


def test_prompt_plus_max_tokens_beyond_the_context_is_a_400(client: TestClient) -> None:
    response = client.post(
        "/v1/chat/completions", json={"model": BASE, "messages": MESSAGES, "max_tokens": 5000}
    )
    assert response.status_code == 400
    assert response.json()["error"]["param"] == "max_tokens"
    assert response.json()["error"]["code"] == "context_length_exceeded"
    long = [{"role": "user", "content": "word " * 3000}]
    response = client.post("/v1/chat/completions", json={"model": BASE, "messages": long})
    assert response.status_code == 400 and response.json()["error"]["param"] == "messages"
