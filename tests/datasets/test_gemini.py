"""Vertex AI's Gemini lines: translated to chat and preference lines, refused by line and key."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from service.datasets.chat import validate_chat_file
from service.datasets.errors import DatasetError
from service.datasets.loading import load_examples
from service.datasets.preference import load_preference_pairs, validate_preference_file


def supervised(i: int = 0) -> dict[str, Any]:
    """A Gemini supervised line with a system instruction and two parts in the reply."""
    return {
        "systemInstruction": {"role": "system", "parts": [{"text": "Be brief."}]},
        "contents": [
            {"role": "user", "parts": [{"text": f"Question {i}"}]},
            {"role": "model", "parts": [{"text": "Whetstone "}, {"text": "says hello."}]},
        ],
    }


def preference(i: int = 0) -> dict[str, Any]:
    """A Gemini preference line: the reply scored 0 first, to show order does not matter."""
    return {
        "system_instruction": {"parts": [{"text": "Be brief."}]},
        "contents": [{"role": "user", "parts": [{"text": f"Tell me ({i})."}]}],
        "completions": [
            {"score": 0, "completion": {"role": "model", "parts": [{"text": "No."}]}},
            {"score": 1, "completion": {"role": "model", "parts": [{"text": "The owl."}]}},
        ],
    }


def jsonl(lines: list[Any]) -> bytes:
    """JSONL bytes of `lines`."""
    return "\n".join(json.dumps(line) for line in lines).encode()


def refused_supervised(bad: Any, at: int = 4) -> DatasetError:
    """The error of a supervised file whose line `at` (1-based) is `bad`."""
    lines: list[Any] = [supervised(i) for i in range(12)]
    lines[at - 1] = bad
    with pytest.raises(DatasetError) as caught:
        validate_chat_file([jsonl(lines)])
    assert caught.value.line == at and f"Line {at}" in caught.value.message
    return caught.value


def refused_preference(bad: Any, at: int = 3) -> DatasetError:
    """The error of a preference file whose line `at` (1-based) is `bad`."""
    lines: list[Any] = [preference(i) for i in range(12)]
    lines[at - 1] = bad
    with pytest.raises(DatasetError) as caught:
        validate_preference_file([jsonl(lines)])
    assert caught.value.line == at and f"Line {at}" in caught.value.message
    return caught.value


def test_a_gemini_supervised_file_validates_as_chat() -> None:
    report = validate_chat_file([jsonl([supervised(i) for i in range(10)])])
    assert report.format == "chat" and report.n_examples == 10
    # system, user, model: the system instruction became a message.
    assert report.n_messages == 30 and report.n_assistant_messages == 10


def test_gemini_lines_train_on_the_model_turn(tmp_path: Path, tokenizer: Any) -> None:
    path = tmp_path / "train.jsonl"
    path.write_bytes(jsonl([supervised(i) for i in range(3)]))
    examples, report = load_examples(path, tokenizer, context_length=256)
    assert report.n_examples == 3
    trained = [
        t for t, label in zip(examples[0].input_ids, examples[0].labels, strict=True) if label >= 0
    ]
    assert "Whetstone says hello." in tokenizer.decode(trained)
    assert "Question 0" not in tokenizer.decode(trained)


@pytest.mark.parametrize(
    ("bad", "named"),
    [
        ({"contents": []}, '"contents"'),
        ({"contents": [{"role": "assistant", "parts": [{"text": "x"}]}]}, "contents[0]"),
        (
            {"contents": [{"role": "user", "parts": [{"inlineData": {"mimeType": "image/png"}}]}]},
            'key "contents[0].parts[0]": only text parts are trained here, not "inlineData"',
        ),
        ({"contents": [{"role": "user", "parts": [{"text": 3}]}]}, "parts[0].text"),
        ({"contents": [{"role": "user", "parts": [{"text": "only a question"}]}]}, "assistant"),
        (
            {"systemInstruction": "Be brief.", "contents": supervised()["contents"]},
            "systemInstruction",
        ),
        (preference(), "preference"),
    ],
)
def test_a_bad_supervised_line_is_refused_naming_its_line_and_key(bad: Any, named: str) -> None:
    assert named in refused_supervised(bad).message


def test_a_gemini_preference_file_becomes_chosen_and_rejected(
    tmp_path: Path, tokenizer: Any
) -> None:
    assert validate_preference_file([jsonl([preference(i) for i in range(10)])]).n_examples == 10
    path = tmp_path / "pref.jsonl"
    path.write_bytes(jsonl([preference(0)]))
    (pair,), _ = load_preference_pairs(path, tokenizer, context_length=256)
    chosen = [
        t for t, label in zip(pair.chosen.input_ids, pair.chosen.labels, strict=True) if label >= 0
    ]
    rejected = [
        t
        for t, label in zip(pair.rejected.input_ids, pair.rejected.labels, strict=True)
        if label >= 0
    ]
    assert "The owl." in tokenizer.decode(chosen) and "No." in tokenizer.decode(rejected)


@pytest.mark.parametrize(
    ("change", "named"),
    [
        (lambda line: line["completions"].pop(), '"completions"'),
        (lambda line: line["completions"][0].update(score=1), "score"),
        (lambda line: line["contents"].append({"role": "model", "parts": [{"text": "x"}]}), "user"),
        (lambda line: line["completions"][1]["completion"].update(role="user"), '"model"'),
    ],
)
def test_a_bad_preference_line_is_refused_naming_its_line_and_key(change: Any, named: str) -> None:
    bad = preference()
    change(bad)
    assert named in refused_preference(bad).message
