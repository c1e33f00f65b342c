"""Validating a file in its method's format: each method reads its own lines, and names the
format a line of another method's is in."""

from __future__ import annotations

import json

import pytest

from service.datasets.chat import ChatReport
from service.datasets.errors import DatasetError
from service.datasets.formats import validate_file
from service.datasets.preference import PreferenceReport
from service.datasets.reinforcement import ReinforcementReport

CHAT = {"messages": [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hey"}]}
PREFERENCE = {
    "input": {"messages": [{"role": "user", "content": "Hi"}]},
    "preferred_output": [{"role": "assistant", "content": "Hello!"}],
    "non_preferred_output": [{"role": "assistant", "content": "What?"}],
}
PROMPT = {"messages": [{"role": "user", "content": "2 + 2?"}], "answer": "4"}


def jsonl(line: object, count: int = 10) -> list[bytes]:
    return [b"\n".join(json.dumps(line).encode() for _ in range(count))]


@pytest.mark.parametrize(
    ("method", "line", "report"),
    [
        ("supervised", CHAT, ChatReport),
        ("dpo", PREFERENCE, PreferenceReport),
        ("reinforcement", PROMPT, ReinforcementReport),
    ],
)
def test_each_method_validates_its_own_format(method: str, line: object, report: type) -> None:
    result = validate_file(jsonl(line), method=method)
    assert isinstance(result, report) and result.n_examples == 10


def test_a_line_of_another_method_fails_with_its_number() -> None:
    with pytest.raises(DatasetError) as caught:
        validate_file(jsonl(CHAT), method="dpo", param="validation_file", min_examples=1)
    assert caught.value.line == 1 and caught.value.code == "invalid_validation_file"
    assert "is a chat example" in caught.value.message
