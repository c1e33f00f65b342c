"""Bedrock's training lines, translated line for line into the OpenAI lines we train on."""

from __future__ import annotations

import json
from typing import Any

import pytest

from service.datasets.bedrock import BedrockCustomization, to_openai_chunks
from service.datasets.errors import DatasetError
from service.datasets.formats import validate_file


def translated(lines: list[Any], customization: BedrockCustomization = "FINE_TUNING") -> list[str]:
    """The output lines for these input lines (dicts are JSON-encoded; strings are raw)."""
    raw = "\n".join(line if isinstance(line, str) else json.dumps(line) for line in lines)
    out = b"".join(
        to_openai_chunks([raw.encode()], customization=customization, param="training_file")
    )
    return out.decode().split("\n")[:-1]


def test_a_conversation_becomes_chat_messages_with_its_system_prompt() -> None:
    line = {
        "schemaVersion": "bedrock-conversation-2024",
        "system": [{"text": "Be brief."}],
        "messages": [
            {"role": "user", "content": [{"text": "Hi"}]},
            {"role": "assistant", "content": [{"text": "Hel"}, {"text": "lo"}]},
        ],
    }
    (out,) = translated([line])
    assert json.loads(out) == {
        "messages": [
            {"role": "system", "content": "Be brief."},
            {"role": "user", "content": "Hi"},
            {"role": "assistant", "content": "Hello"},
        ]
    }


def test_prompt_completion_stays_and_input_becomes_an_untemplated_pair() -> None:
    pair = {"prompt": "2+2=", "completion": "4"}
    assert [json.loads(x) for x in translated([pair])] == [pair]
    (text,) = translated([{"input": "Plain text."}], "CONTINUED_PRE_TRAINING")
    assert json.loads(text) == {"prompt": "", "completion": "Plain text."}


def test_blank_lines_keep_the_users_line_numbers() -> None:
    pair = {"prompt": "a", "completion": "b"}
    out = translated([pair, "", "", pair])
    assert out[1:3] == ["", ""] and json.loads(out[3]) == pair


@pytest.mark.parametrize(
    ("line", "customization", "match"),
    [
        ({"messages": [{"role": "system", "content": [{"text": "x"}]}]}, "FINE_TUNING", "role"),
        ({"messages": [{"role": "user", "content": "x"}]}, "FINE_TUNING", "content"),
        ({"messages": [{"role": "user", "content": [{"image": {}}]}]}, "FINE_TUNING", "text"),
        ({"schemaVersion": "v9", "messages": []}, "FINE_TUNING", "schemaVersion"),
        ({"text": "x"}, "FINE_TUNING", "expected a"),
        ({"text": "x"}, "CONTINUED_PRE_TRAINING", '"input"'),
    ],
)
def test_a_bad_line_fails_naming_its_number(
    line: dict[str, Any], customization: BedrockCustomization, match: str
) -> None:
    good = (
        {"input": "ok"}
        if customization == "CONTINUED_PRE_TRAINING"
        else {"prompt": "a", "completion": "b"}
    )
    with pytest.raises(DatasetError, match=match) as raised:
        translated([good, good, line], customization)
    assert raised.value.line == 3 and "Line 3" in raised.value.message
    assert raised.value.code == "invalid_training_file"


def test_validation_checks_the_translated_lines_as_openai_files() -> None:
    lines = [json.dumps({"input": f"Text {i}."}) for i in range(10)]
    report = validate_file(
        ["\n".join(lines).encode()],
        method="supervised",
        data_format="bedrock:CONTINUED_PRE_TRAINING",
    )
    assert report.n_examples == 10
    with pytest.raises(DatasetError, match="at least 10"):
        validate_file(
            ["\n".join(lines[:9]).encode()],
            method="supervised",
            data_format="bedrock:CONTINUED_PRE_TRAINING",
        )
