"""Streaming validation of supervised (chat and prompt-completion) files: every way a line
can be wrong, and big files."""

from __future__ import annotations

import json
import tracemalloc
from collections.abc import Iterator
from typing import Any

import pytest

from service.datasets.chat import ChatReport, validate_chat_file
from service.datasets.errors import DatasetError


def chat(user: str = "Hi", reply: str = "Hello!", **extra: Any) -> dict[str, Any]:
    return {
        "messages": [{"role": "user", "content": user}, {"role": "assistant", "content": reply}],
        **extra,
    }


def jsonl(examples: list[Any]) -> bytes:
    return b"".join(json.dumps(example).encode() + b"\n" for example in examples)


def validate(data: bytes, **kwargs: Any) -> ChatReport:
    return validate_chat_file([data], **kwargs)


def fail(data: bytes, **kwargs: Any) -> DatasetError:
    with pytest.raises(DatasetError) as caught:
        validate(data, **kwargs)
    return caught.value


def with_bad_line(bad: bytes, at: int = 4, total: int = 12) -> bytes:
    """A file of valid chat lines whose line `at` (1-based) is `bad`."""
    lines = [json.dumps(chat(f"q{i}")).encode() for i in range(total)]
    lines[at - 1] = bad
    return b"\n".join(lines) + b"\n"


# valid files


def test_valid_chat_file_reports_counts() -> None:
    examples = [chat(f"question {i}") for i in range(11)]
    examples.append(
        {
            "messages": [
                {"role": "system", "content": [{"type": "text", "text": "Be brief."}]},
                {"role": "developer", "content": "Use tools."},
                {"role": "user", "content": "Weather?"},
                {
                    "role": "assistant",
                    "weight": 0,
                    "tool_calls": [
                        {
                            "id": "call_1",
                            "type": "function",
                            "function": {"name": "weather", "arguments": '{"city": "Paris"}'},
                        }
                    ],
                },
                {"role": "tool", "tool_call_id": "call_1", "content": "sunny"},
                {"role": "assistant", "content": "Sunny.", "weight": 1},
            ],
            "tools": [{"type": "function", "function": {"name": "weather", "parameters": {}}}],
            "parallel_tool_calls": False,
        }
    )
    report = validate(jsonl(examples))
    assert report.format == "chat"
    assert report.n_examples == 12
    assert report.n_lines == 12
    assert report.n_messages == 11 * 2 + 6
    assert report.n_assistant_messages == 13
    assert report.n_trainable_messages == 12
    assert report.n_examples_with_tools == 1
    assert report.warnings == []


def test_valid_completion_file() -> None:
    examples = [{"prompt": f"Say {i}:", "completion": f" {i}"} for i in range(10)]
    report = validate(jsonl(examples))
    assert (report.format, report.n_examples) == ("completion", 10)


def test_legacy_function_messages_are_accepted() -> None:
    example = {
        "messages": [
            {"role": "user", "content": "Add 1 and 2"},
            {
                "role": "assistant",
                "content": None,
                "function_call": {"name": "add", "arguments": '{"a": 1, "b": 2}'},
            },
            {"role": "function", "name": "add", "content": "3"},
            {"role": "assistant", "content": "3"},
        ],
        "functions": [{"name": "add", "parameters": {"type": "object"}}],
    }
    assert validate(jsonl([example] * 10)).n_examples == 10


def test_unknown_top_level_key_warns_once() -> None:
    report = validate(jsonl([chat(f"q{i}", metadata={"id": i}) for i in range(10)]))
    assert report.warnings == ['Line 1: key "metadata" is not part of the chat format; ignored.']


def test_utf8_bom_and_crlf_file_is_valid() -> None:
    data = b"\xef\xbb\xbf" + jsonl([chat(f"q{i}") for i in range(10)]).replace(b"\n", b"\r\n")
    assert validate(data).n_examples == 10


# every kind of bad line, each with its line number


@pytest.mark.parametrize(
    ("bad", "expected"),
    [
        (b'{"messages": [', "Line 4 is not valid JSON"),
        (b"[1, 2]", "Line 4 must be a JSON object, not an array"),
        (b'{"text": "hi"}', 'Line 4, key "messages": missing'),
        (b'{"messages": []}', 'Line 4, key "messages": must be a non-empty list'),
        (b'{"messages": "hi"}', 'Line 4, key "messages": must be a non-empty list'),
        (b'{"messages": ["hi"]}', "Line 4, message 1: must be an object"),
        (b'{"messages": [{"content": "hi"}]}', 'Line 4, message 1: missing "role"'),
        (
            b'{"messages": [{"role": "robot", "content": "hi"}]}',
            'Line 4, message 1: unknown role "robot"',
        ),
        (
            b'{"messages": [{"role": "user", "content": 42}, '
            b'{"role": "assistant", "content": "x"}]}',
            'Line 4, message 1, key "content": must be a string or a non-empty list of text parts',
        ),
        (
            b'{"messages": [{"role": "user", "content": "q"}, '
            b'{"role": "assistant", "content": {"text": "x"}}]}',
            'Line 4, message 2, key "content": must be a string',
        ),
        (
            b'{"messages": [{"role": "user", "content": [{"type": "image_url", '
            b'"image_url": {"url": "https://x"}}]}, {"role": "assistant", "content": "x"}]}',
            'part 1 is of type "image_url"',
        ),
        (
            b'{"messages": [{"role": "user", "content": "q"}, '
            b'{"role": "assistant", "content": "a", "weight": 2}]}',
            'Line 4, message 2, key "weight": must be 0 or 1',
        ),
        (
            b'{"messages": [{"role": "user", "content": "q"}, '
            b'{"role": "assistant", "content": "a", "weight": true}]}',
            'Line 4, message 2, key "weight": must be 0 or 1',
        ),
        (
            b'{"messages": [{"role": "user", "content": "q", "weight": 1}, '
            b'{"role": "assistant", "content": "a"}]}',
            'Line 4, message 1, key "weight": only assistant messages may carry a weight',
        ),
        (
            b'{"messages": [{"role": "user", "content": "q"}, '
            b'{"role": "assistant", "content": "a", "weight": 0}]}',
            "Line 4: no assistant message to train on",
        ),
        (
            b'{"messages": [{"role": "system", "content": "s"}, {"role": "user", "content": "q"}]}',
            "Line 4: no assistant message to train on",
        ),
        (
            b'{"messages": [{"role": "user", "content": "q"}, {"role": "assistant"}]}',
            'Line 4, message 2: an assistant message needs "content", "tool_calls"',
        ),
        (
            b'{"messages": [{"role": "user", "content": "q"}, {"role": "assistant", '
            b'"tool_calls": [{"type": "function", "function": {"name": "f", "arguments": {}}}]}]}',
            '"arguments" must be a string of JSON',
        ),
        (
            b'{"messages": [{"role": "tool", "content": "r"}, {"role": "assistant", '
            b'"content": "a"}]}',
            'Line 4, message 1: a tool message needs a string "tool_call_id"',
        ),
        (
            b'{"messages": [{"role": "user", "content": "q"}, {"role": "assistant", '
            b'"content": "a"}], "tools": [{"type": "function"}]}',
            'Line 4, key "tools": tool 1 must be',
        ),
        (
            b'{"messages": [{"role": "user", "content": "q"}, {"role": "assistant", '
            b'"content": "a"}], "parallel_tool_calls": "yes"}',
            'Line 4, key "parallel_tool_calls": must be true or false',
        ),
        (b'{"prompt": "p", "completion": "c"}', "Line 4 is in the prompt-completion format"),
        (b'{"messages": [{"role": "user", "content": "caf\xe9"}]}', "Line 4 is not valid UTF-8"),
        (
            b'{"input": {"messages": [{"role": "user", "content": "q"}]}, '
            b'"preferred_output": [], "non_preferred_output": []}',
            "Line 4 is a preference (DPO) example",
        ),
    ],
)
def test_bad_line_is_reported_with_its_number(bad: bytes, expected: str) -> None:
    error = fail(with_bad_line(bad))
    assert expected in error.message
    assert error.message.startswith("Invalid file format. Line 4")
    assert (error.code, error.param, error.line) == ("invalid_training_file", "training_file", 4)


def test_mixing_formats_names_both_lines() -> None:
    data = jsonl([{"prompt": "p", "completion": "c"}] * 2 + [chat()] * 10)
    error = fail(data)
    assert error.message == (
        "Invalid file format. Line 3 is in the chat format, but line 1 is in the "
        "prompt-completion format; every line of a file must use the same format."
    )


@pytest.mark.parametrize(
    ("bad", "expected"),
    [
        (b'{"prompt": "p"}', 'Line 4, key "completion": missing'),
        (b'{"prompt": 1, "completion": "c"}', 'Line 4, key "prompt": must be a string'),
        (b'{"prompt": "p", "completion": ""}', 'Line 4, key "completion": must not be empty'),
    ],
)
def test_bad_completion_lines(bad: bytes, expected: str) -> None:
    lines = [b'{"prompt": "p", "completion": "c"}'] * 12
    lines[3] = bad
    error = fail(b"\n".join(lines))
    assert expected in error.message
    assert error.line == 4


def test_validation_file_errors_name_the_validation_file() -> None:
    error = fail(with_bad_line(b"nope", at=2), param="validation_file", min_examples=1)
    assert error.code == "invalid_validation_file"
    assert (error.param, error.line) == ("validation_file", 2)


def test_line_numbers_count_blank_lines() -> None:
    data = jsonl([chat()] * 3) + b"\n\n" + b"{oops}\n"
    assert fail(data).line == 6


def test_too_few_examples_is_invalid_n_examples() -> None:
    error = fail(jsonl([chat()] * 9) + b"\n\n")
    assert error.code == "invalid_n_examples"
    assert error.param == "training_file"
    assert error.line is None
    assert error.message == "Training file has 9 example(s), but must have at least 10 examples"


def test_empty_file_is_invalid_n_examples() -> None:
    error = fail(b"")
    assert (error.code, error.param) == ("invalid_n_examples", "training_file")


def test_validation_file_minimum_is_the_callers() -> None:
    assert validate(jsonl([chat()]), param="validation_file", min_examples=1).n_examples == 1
    error = fail(b"\n", param="validation_file", min_examples=1)
    assert (error.code, error.param) == ("invalid_n_examples", "validation_file")


# streaming: a big file never sits in memory whole


def test_large_file_is_validated_in_bounded_memory() -> None:
    line = json.dumps(chat("Summarize: " + "lorem ipsum dolor " * 200, "Short.")).encode() + b"\n"
    n_lines = (50 * 1024 * 1024) // len(line) + 1

    def chunks() -> Iterator[bytes]:
        block = line * 256  # about 1 MB, like ArtifactStore.iter_chunks; offset so lines straddle
        remaining = n_lines
        yield line[:100]
        carry = line[100:]
        while remaining > 1:
            count = min(256, remaining - 1)
            data = carry + (block if count == 256 else line * count)
            yield data[: -len(line) + 100]
            carry = data[-len(line) + 100 :]
            remaining -= count
        yield carry

    tracemalloc.start()
    try:
        report = validate_chat_file(chunks())
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert report.n_examples == n_lines
    assert report.n_bytes == n_lines * len(line)
    assert report.n_bytes > 50 * 1024 * 1024
    assert peak < 8 * 1024 * 1024, f"peak {peak} bytes while validating a 50 MB file"
