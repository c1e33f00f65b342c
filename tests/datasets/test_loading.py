"""Loading a local JSONL file into encoded examples with a data report."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from service.datasets.errors import DatasetError
from service.datasets.loading import load_examples


def write(path: Path, examples: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(example) + "\n\n" for example in examples))
    return path


def chat(user: str, reply: str) -> dict[str, Any]:
    return {
        "messages": [{"role": "user", "content": user}, {"role": "assistant", "content": reply}]
    }


def test_report_counts_tokens_and_warns_on_truncation(tokenizer: Any, tmp_path: Path) -> None:
    path = write(
        tmp_path / "train.jsonl",
        [chat("Hi", "Hello."), chat("Tell me a story", "Once " * 80), chat("Bye", "Goodbye.")],
    )
    warnings: list[str] = []
    examples, report = load_examples(path, tokenizer, context_length=40, warn=warnings.append)
    assert warnings == ["Example on line 3 was truncated to 40 tokens"]
    assert (report.n_examples, report.n_truncated, report.n_skipped) == (3, 1, 0)
    assert report.n_tokens == sum(len(example.input_ids) for example in examples)
    assert report.n_trainable_tokens == sum(example.n_trainable for example in examples)
    assert [example.truncated for example in examples] == [False, True, False]


def test_example_cut_before_its_reply_is_skipped(tokenizer: Any, tmp_path: Path) -> None:
    path = write(tmp_path / "train.jsonl", [chat("word " * 50, "Reply."), chat("Hi", "Hello.")])
    warnings: list[str] = []
    examples, report = load_examples(path, tokenizer, context_length=20, warn=warnings.append)
    assert len(examples) == 1 and report.n_skipped == 1
    assert warnings[1].startswith("Example on line 1 has no trained tokens within the first 20")


def test_bad_line_raises_with_the_param(tokenizer: Any, tmp_path: Path) -> None:
    path = tmp_path / "valid.jsonl"
    path.write_text(json.dumps(chat("a", "b")) + "\nnot json\n")
    with pytest.raises(DatasetError) as caught:
        load_examples(path, tokenizer, context_length=64, param="validation_file")
    assert (caught.value.code, caught.value.line) == ("invalid_validation_file", 2)
