"""/v1/completions in-process: wire shape, prompts as lists and tokens, echo, stream, limits."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from tests.contract.openai_schema import validate_response
from tests.inference.fixtures import serving_client, shared_models_dir

MODEL = "babbage-002"


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    """One app per module: the engine loads the emulator once."""
    data_dir = Path(tmp_path_factory.mktemp("completions"))
    with serving_client(data_dir, shared_models_dir(tmp_path_factory)) as test_client:
        yield test_client


def create(client: TestClient, **body: object) -> dict:
    """POST /v1/completions (asserting 200) and return the JSON body."""
    response = client.post("/v1/completions", json={"model": MODEL, **body})
    assert response.status_code == 200, response.text
    return response.json()


def test_prompts_as_texts_and_tokens_with_logprobs(client: TestClient) -> None:
    body = create(
        client, prompt=["Once upon", "The quick"], max_tokens=5, temperature=0, logprobs=2, n=2
    )
    validate_response("/completions", "post", 200, body)
    assert [c["index"] for c in body["choices"]] == [0, 1, 2, 3]
    assert body["choices"][0]["text"] == body["choices"][1]["text"]
    logprobs = body["choices"][0]["logprobs"]
    assert (
        len(logprobs["tokens"]) == len(logprobs["token_logprobs"]) == len(logprobs["text_offset"])
    )
    assert all(len(top) <= 2 for top in logprobs["top_logprobs"])
    tokens = client.app.state.container.inference._tokenizers  # type: ignore[attr-defined]
    ids = next(iter(tokens.values()))("Once upon", add_special_tokens=False)["input_ids"]
    by_ids = create(client, prompt=ids, max_tokens=5, temperature=0)
    assert by_ids["choices"][0]["text"] == body["choices"][0]["text"]


def test_echo_and_streaming(client: TestClient) -> None:
    whole = create(client, prompt="Hello", max_tokens=6, temperature=0, echo=True)
    assert whole["choices"][0]["text"].startswith("Hello")
    response = client.post(
        "/v1/completions",
        json={
            "model": MODEL,
            "prompt": "Hello",
            "max_tokens": 6,
            "temperature": 0,
            "echo": True,
            "stream": True,
            "stream_options": {"include_usage": True},
        },
    )
    frames = [
        f.removeprefix("data: ") for f in response.text.split("\n\n") if f.startswith("data: ")
    ]
    assert frames[-1] == "[DONE]"
    chunks = [json.loads(f) for f in frames[:-1]]
    assert all(c["object"] == "text_completion" for c in chunks)
    assert (
        "".join(c["choices"][0]["text"] for c in chunks if c["choices"])
        == whole["choices"][0]["text"]
    )
    assert chunks[-1]["usage"] == whole["usage"]


@pytest.mark.parametrize(
    ("body", "param"),
    [
        ({"suffix": "end"}, "suffix"),
        ({"best_of": 3}, "best_of"),
        ({"echo": True, "logprobs": 1}, "echo"),
        ({"logprobs": 6}, "logprobs"),
        ({"max_tokens": 4000}, "max_tokens"),
        ({"prompt": "word " * 3000}, "prompt"),
        ({"prompt": [10**9]}, "prompt"),
        ({"logit_bias": {"x": 1}}, "logit_bias"),
    ],
)
def test_what_cannot_be_honoured_is_a_400_naming_the_param(
    client: TestClient, body: dict, param: str
) -> None:
    response = client.post("/v1/completions", json={"model": MODEL, "prompt": "Hi", **body})
    assert response.status_code == 400, response.text
    assert response.json()["error"]["param"] == param
