"""OpenAI's reinforcement format: each line a prompt ending on a user or developer turn."""

from __future__ import annotations

import json
from typing import Any

import pytest

from service.datasets.errors import DatasetError
from service.datasets.reinforcement import validate_reinforcement_file


def prompt(i: int, **extra: Any) -> dict[str, Any]:
    return {"messages": [{"role": "user", "content": f"Question {i}?"}], "answer": "42", **extra}


def validate(lines: list[Any], **options: Any) -> Any:
    data = b"\n".join(json.dumps(line).encode() for line in lines)
    return validate_reinforcement_file([data], **options)


def test_a_valid_file_with_tools_and_grader_keys() -> None:
    tool = {"type": "function", "function": {"name": "f", "parameters": {"type": "object"}}}
    lines = [prompt(i) for i in range(9)] + [prompt(9, tools=[tool])]
    lines[3]["messages"] = [
        {"role": "system", "content": "Be brief."},
        {"role": "user", "content": "Hi"},
        {"role": "assistant", "content": "Hello."},
        {"role": "developer", "content": "Now answer."},
    ]
    report = validate(lines)
    assert report.n_examples == 10 and report.n_examples_with_tools == 1


@pytest.mark.parametrize(
    ("line", "says"),
    [
        (
            {"messages": [{"role": "user", "content": "Q"}, {"role": "assistant", "content": "A"}]},
            'the last message has role "assistant"',
        ),
        (
            {
                "input": {"messages": [{"role": "user", "content": "Q"}]},
                "preferred_output": [{"role": "assistant", "content": "A"}],
                "non_preferred_output": [{"role": "assistant", "content": "B"}],
            },
            "is a preference (DPO) example",
        ),
        ({"prompt": "Q", "completion": "A"}, "is a prompt-completion pair"),
        ({"answer": "42"}, 'key "messages": missing'),
        ({"messages": []}, "non-empty list"),
        ({"messages": [{"role": "robot", "content": "Q"}]}, "unknown role"),
    ],
)
def test_a_bad_line_fails_with_its_number_and_what_is_wrong(line: Any, says: str) -> None:
    lines: list[Any] = [prompt(i) for i in range(12)]
    lines[4] = line
    with pytest.raises(DatasetError) as caught:
        validate(lines)
    assert caught.value.code == "invalid_training_file" and caught.value.line == 5
    assert "Line 5" in caught.value.message and says in caught.value.message


def test_too_few_prompts() -> None:
    with pytest.raises(DatasetError) as caught:
        validate([prompt(i) for i in range(3)])
    assert caught.value.code == "invalid_n_examples"


def test_a_validation_file_names_itself() -> None:
    with pytest.raises(DatasetError) as caught:
        validate([{"answer": 1}], param="validation_file", min_examples=1)
    assert caught.value.code == "invalid_validation_file"
