"""The data report over planted problems, in each line format, streamed in small chunks."""

from __future__ import annotations

import json
from typing import Any

import pytest

from service.reports.analysis import DataReport, build_report, detect_format, normalised_text

SYSTEM = {"role": "system", "content": "You answer questions about geography."}


def chat(question: str, answer: str, *, system: bool = True, **extra: Any) -> dict[str, Any]:
    """A chat example, with the system prompt unless told otherwise."""
    messages = [{"role": "user", "content": question}, {"role": "assistant", "content": answer}]
    return {"messages": [SYSTEM, *messages] if system else messages, **extra}


def report_of(lines: list[Any], tokenizer: Any, *, context_length: int = 1024) -> DataReport:
    """The report of these lines (dicts as JSON, bytes as they are), in 7-byte chunks."""
    data = b"\n".join(
        line if isinstance(line, bytes) else json.dumps(line).encode() for line in lines
    )
    chunks = [data[i : i + 7] for i in range(0, len(data), 7)]
    return build_report(chunks, tokenizer, model="whetstone-tiny", context_length=context_length)


def findings(report: DataReport) -> dict[str, list[int]]:
    """Each finding's code and lines."""
    return {finding.code: finding.lines for finding in report.findings}


def test_a_chat_file_names_each_planted_problem_with_its_line(tokenizer: Any) -> None:
    lines = [
        chat("What is the capital of France?", "The capital of France is Paris."),  # 1
        chat("What is the capital of Spain?", "The capital of Spain is Madrid."),  # 2
        chat("What is the capital of France?", "The capital of France is Paris."),  # 3: exact
        chat("what is the capital of  France", "The capital of France is Paris!"),  # 4: near
        chat("Hi.", "Hello."),  # 5: short reply
        chat("Describe Italy.", "Italy " * 400),  # 6: too long
        chat("Where is Lima?", "Lima is the capital of Peru.", system=False),  # 7
        b"{not json",  # 8
    ]
    report = report_of(lines, tokenizer, context_length=256)
    assert report.format == "chat"
    assert report.n_examples == 7 and report.n_lines == 8
    assert findings(report) == {
        "invalid_line": [8],
        "longer_than_context": [6],
        "exact_duplicate": [3],
        "near_duplicate": [4],
        "short_reply": [5],
        "missing_system_prompt": [7],
    }
    stats = report.tokens_per_example
    assert stats is not None
    assert stats.min <= stats.p50 <= stats.p95 <= stats.max and stats.max > 256
    assert stats.mean * 7 == pytest.approx(report.n_tokens, abs=0.1)
    assert report.role_sequences == {"system > user > assistant": 6, "user > assistant": 1}
    summary = report.summary()
    assert summary is not None and "(lines 3)" in summary and "(lines 6)" in summary


def test_untrained_assistant_messages_are_named(tokenizer: Any) -> None:
    trained = chat("What is the capital of Chile?", "It is Santiago, in the centre.")
    untrained = {
        "messages": [
            SYSTEM,
            {"role": "user", "content": "And of Peru?"},
            {"role": "assistant", "content": "Lima.", "weight": 0},
            {"role": "user", "content": "And of Bolivia?"},
            {"role": "assistant", "content": "Sucre is its constitutional capital."},
        ]
    }
    report = report_of([trained, untrained], tokenizer)
    # The untrained "Lima." is not a short reply: it teaches nothing either way.
    assert findings(report) == {"untrained_assistant_message": [2]}


def test_a_preference_file_names_identical_replies(tokenizer: Any) -> None:
    def pair(question: str, good: str, bad: str) -> dict[str, Any]:
        return {
            "input": {"messages": [SYSTEM, {"role": "user", "content": question}]},
            "preferred_output": [{"role": "assistant", "content": good}],
            "non_preferred_output": [{"role": "assistant", "content": bad}],
        }

    lines = [
        pair("Capital of Peru?", "Lima is the capital of Peru.", "Peru has no capital."),
        pair("Capital of Chile?", "Santiago is the capital.", "Santiago is the capital."),
    ]
    report = report_of(lines, tokenizer)
    assert report.format == "preference" and report.n_examples == 2
    assert findings(report) == {"identical_preference": [2]}
    assert report.role_sequences == {"system > user": 2}


def test_a_reinforcement_file_counts_prompt_tokens(tokenizer: Any) -> None:
    lines = [
        {"messages": [{"role": "user", "content": "Name a prime."}], "answer": "7"},
        {"messages": [SYSTEM, {"role": "user", "content": "Name an even prime."}], "answer": "2"},
    ]
    report = report_of(lines, tokenizer)
    assert report.format == "reinforcement" and report.n_examples == 2
    assert findings(report) == {"missing_system_prompt": [1]}
    assert report.n_tokens > 0


def test_a_completion_file_and_the_round_trip_through_json(tokenizer: Any) -> None:
    lines = [
        {"prompt": "The capital of France is", "completion": " Paris, on the Seine."},
        {"prompt": "The capital of Spain is", "completion": "OK"},
    ]
    report = report_of(lines, tokenizer)
    assert report.format == "completion"
    assert findings(report) == {"short_reply": [2]}
    assert DataReport.from_json(json.loads(json.dumps(report.to_json()))) == report


def test_format_detection_and_normalisation() -> None:
    assert detect_format({"messages": [{"role": "user", "content": "x"}]}) == "reinforcement"
    assert detect_format({"prompt": "a", "completion": "b"}) == "completion"
    assert normalised_text(["Hello,   World!", "OK."]) == "hello world ok"


def test_tokens_are_those_training_encodes(tokenizer: Any) -> None:
    # Batched counting must agree with the encoders the recipes train on, in every format.
    from service.datasets.preference import encode_preference
    from service.datasets.reinforcement import encode_prompt
    from service.datasets.tokenize import encode_example

    unlimited = 1 << 30
    chats = [chat("Where is Lima?", "In Peru, on the coast."), chat("Hi", "Hello.", system=False)]
    completions = [{"prompt": "Lima is in", "completion": " Peru."}]
    pairs = [
        {
            "input": {"messages": [{"role": "user", "content": "Capital of Peru?"}]},
            "preferred_output": [{"role": "assistant", "content": "Lima."}],
            "non_preferred_output": [{"role": "assistant", "content": "Cusco, I think."}],
        }
    ]
    prompts = [{"messages": [{"role": "user", "content": "Name a prime."}]}]

    def pair_tokens(line: dict[str, Any]) -> int:
        pair = encode_preference(line, tokenizer, context_length=unlimited)
        return len(pair.chosen.input_ids) + len(pair.rejected.input_ids)

    expected = {
        "chat": sum(
            len(encode_example(c, tokenizer, context_length=unlimited).input_ids) for c in chats
        ),
        "completion": len(
            encode_example(completions[0], tokenizer, context_length=unlimited).input_ids
        ),
        "preference": pair_tokens(pairs[0]),
        "reinforcement": len(encode_prompt(prompts[0], tokenizer)),
    }
    files = {
        "chat": chats,
        "completion": completions,
        "preference": pairs,
        "reinforcement": prompts,
    }
    for fmt, lines in files.items():
        report = report_of(lines, tokenizer)
        assert (report.format, report.n_tokens) == (fmt, expected[fmt])
