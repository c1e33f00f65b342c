"""The bad-file corpus: every kind of bad training file ends in a clear failure.

Each row is one kind of bad file, with the code, param and line (where one applies) that
validation must report, and a fragment of the message. Validation must raise DatasetError and
nothing else. The worker's loader, which reads a file again before training, must report the
same line for every line-level kind. Then a few near misses that must stay valid.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from service.datasets.chat import validate_chat_file
from service.datasets.errors import DatasetError, DatasetParam
from service.datasets.lines import MAX_LINE_BYTES, MAX_NESTING_DEPTH
from service.datasets.loading import load_examples

TRAINING: DatasetParam = "training_file"
VALIDATION: DatasetParam = "validation_file"
USER = {"role": "user", "content": "q"}
REPLY = {"role": "assistant", "content": "a"}


def dumps(value: Any) -> bytes:
    """One JSON line, as json.dumps writes it (ASCII, surrogate pairs escaped)."""
    return json.dumps(value).encode()


def chat_line(i: int = 0) -> bytes:
    """A valid chat line."""
    return dumps({"messages": [{"role": "user", "content": f"q{i}"}, REPLY]})


def completion_line(i: int = 0) -> bytes:
    """A valid prompt-completion line."""
    return dumps({"prompt": f"Say {i}:", "completion": f" {i}"})


def lines(*items: bytes, end: bytes = b"\n") -> bytes:
    """A file of these lines."""
    return b"".join(item + end for item in items)


def bad_line(bad: bytes, *, at: int = 4, total: int = 12, good: Any = chat_line) -> bytes:
    """A file of `total` valid lines whose line `at` (1-based) is `bad`."""
    rows = [good(i) for i in range(total)]
    rows[at - 1] = bad
    return lines(*rows)


def bad_messages(*messages: Any, **extra: Any) -> bytes:
    """A file whose line 4 is a chat example with these messages (and top-level keys)."""
    return bad_line(dumps({"messages": list(messages), **extra}))


def with_call(**call: Any) -> bytes:
    """A file whose line 4 has an assistant tool call shaped as `call`."""
    return bad_messages(USER, {"role": "assistant", "tool_calls": [call]})


def nested(depth: int) -> bytes:
    """`depth` arrays inside one another."""
    return b"[" * depth + b"]" * depth


@dataclass(frozen=True)
class Kind:
    """One kind of bad file and the failure it must end in."""

    data: bytes
    code: str
    line: int | None
    fragment: str
    param: DatasetParam = TRAINING
    # False for faults only the whole file shows (formats mixed, too few examples), which
    # the worker's loader does not check again.
    per_line: bool = True


def line_fault(data: bytes, fragment: str, line: int = 4, param: DatasetParam = TRAINING) -> Kind:
    """A kind whose fault is one line's."""
    code = "invalid_training_file" if param == TRAINING else "invalid_validation_file"
    return Kind(data, code, line, fragment, param)


def too_few(data: bytes, fragment: str, param: DatasetParam = TRAINING) -> Kind:
    """A kind with too few examples."""
    return Kind(data, "invalid_n_examples", None, fragment, param, per_line=False)


FUNCTION_CALL = {"name": "f", "arguments": "{}"}
TOOL = {"type": "function", "function": {"name": "f", "parameters": {}}}

CORPUS: dict[str, Kind] = {
    # the file as a whole
    "empty file": too_few(b"", "has 0 example(s)"),
    "only blank lines": too_few(b"\n\n   \r\n\t\n\n", "has 0 example(s)"),
    "nine examples": too_few(lines(*[chat_line(i) for i in range(9)]), "has 9 example(s)"),
    "empty validation file": too_few(b"\n", "Validation file has 0", param=VALIDATION),
    # encoding and framing
    "UTF-16 file": line_fault(
        lines(*[chat_line(i) for i in range(12)]).decode().encode("utf-16"),
        "Line 1 is not valid UTF-8 (byte 1)",
        line=1,
    ),
    "BOM in the middle of the file": line_fault(
        bad_line(b"\xef\xbb\xbf" + chat_line()), "Line 4 is not valid JSON"
    ),
    "invalid UTF-8 byte": line_fault(
        bad_line(b'{"messages": [{"role": "user", "content": "caf\xe9"}]}'), "not valid UTF-8"
    ),
    "truncated UTF-8 sequence": line_fault(
        bad_line(b'{"messages": [{"role": "user", "content": "\xe2\x82"}]}'), "not valid UTF-8"
    ),
    "overlong UTF-8 encoding": line_fault(
        bad_line(b'{"messages": [{"role": "user", "content": "\xc0\xaf"}]}'), "not valid UTF-8"
    ),
    "NUL byte after the object": line_fault(bad_line(chat_line() + b"\x00"), "not valid JSON"),
    "raw NUL byte in a string": line_fault(
        bad_line(chat_line().replace(b'"q0"', b'"q\x000"')), "Invalid control character"
    ),
    "raw escape character in a string": line_fault(
        bad_line(chat_line().replace(b'"q0"', b'"q\x1b[0m"')), "Invalid control character"
    ),
    "lone CR line endings": line_fault(
        lines(*[chat_line(i) for i in range(12)], end=b"\r"), "Extra data", line=1
    ),
    "CRLF file with a bad line": line_fault(
        bad_line(b'{"messages": }').replace(b"\n", b"\r\n"), "Line 4 is not valid JSON"
    ),
    "pretty-printed JSON": line_fault(
        json.dumps(json.loads(chat_line()), indent=2).encode() + b"\n", "not valid JSON", line=1
    ),
    "one JSON array of examples": line_fault(
        b"[" + b", ".join(chat_line(i) for i in range(12)) + b"]\n",
        "Line 1 must be a JSON object, not an array",
        line=1,
    ),
    "two objects on one line": line_fault(bad_line(chat_line() + b" " + chat_line()), "Extra data"),
    "trailing comma": line_fault(bad_line(chat_line()[:-1] + b", }"), "not valid JSON"),
    "single quotes": line_fault(
        bad_line(b"{'messages': [{'role': 'user', 'content': 'q'}]}"), "not valid JSON"
    ),
    "NaN": line_fault(bad_line(chat_line()[:-1] + b', "score": NaN}'), "NaN is not a JSON value"),
    "-Infinity": line_fault(
        bad_line(chat_line()[:-1] + b', "score": -Infinity}'), "-Infinity is not a JSON value"
    ),
    "line over the size limit": line_fault(
        bad_line(b'{"messages": [{"role": "user", "content": "' + b"x" * MAX_LINE_BYTES + b'"}]}'),
        f"Line 4 is longer than {MAX_LINE_BYTES} bytes",
    ),
    "messages nested 1000 deep": line_fault(
        bad_line(b'{"messages": ' + nested(1000) + b"}"),
        f"Line 4 nests arrays or objects more than {MAX_NESTING_DEPTH} levels deep",
    ),
    "nesting one level over the limit": line_fault(
        bad_line(b'{"messages": ' + nested(MAX_NESTING_DEPTH) + b"}"), "levels deep"
    ),
    "unclosed nesting 100000 deep": line_fault(
        bad_line(b'{"messages": ' + b"[" * 100_000), "levels deep"
    ),
    "deep nesting inside a content part": line_fault(
        bad_messages(
            {"role": "user", "content": [{"type": "text", "text": "q", "x": [[[[[[[[]]]]]]]]}]},
            REPLY,
        ).replace(b"[[[[[[[[]]]]]]]]", nested(200)),
        "levels deep",
    ),
    # the top level
    "a string": line_fault(bad_line(b'"hello"'), "must be a JSON object, not a string"),
    "a number": line_fault(bad_line(b"42"), "must be a JSON object, not a number"),
    "null": line_fault(bad_line(b"null"), "must be a JSON object, not null"),
    "an array": line_fault(bad_line(b"[1, 2]"), "must be a JSON object, not an array"),
    "no messages key": line_fault(bad_line(b'{"text": "hi"}'), 'key "messages": missing'),
    "messages null": line_fault(bad_line(b'{"messages": null}'), "must be a non-empty list"),
    "messages empty": line_fault(bad_line(b'{"messages": []}'), "must be a non-empty list"),
    "messages a string": line_fault(bad_line(b'{"messages": "hi"}'), "must be a non-empty list"),
    "messages an object": line_fault(
        bad_line(dumps({"messages": {"role": "user", "content": "q"}})), "must be a non-empty list"
    ),
    # messages and roles
    "message a string": line_fault(bad_messages("hi"), "message 1: must be an object"),
    "message without role": line_fault(bad_messages({"content": "q"}), 'missing "role"'),
    "unknown role": line_fault(
        bad_messages({"role": "robot", "content": "q"}, REPLY), 'unknown role "robot"'
    ),
    "capitalized role": line_fault(
        bad_messages(USER, {"role": "Assistant", "content": "a"}),
        'message 2: unknown role "Assistant"',
    ),
    "role a number": line_fault(bad_messages({"role": 1, "content": "q"}), "unknown role 1"),
    "name not a string": line_fault(
        bad_messages({"role": "user", "content": "q", "name": 7}, REPLY), 'key "name"'
    ),
    # content
    "user content a number": line_fault(
        bad_messages({"role": "user", "content": 42}, REPLY),
        'message 1, key "content": must be a string or a non-empty list of text parts',
    ),
    "user content missing": line_fault(
        bad_messages({"role": "user"}, REPLY), 'message 1: missing "content"'
    ),
    "user content null": line_fault(
        bad_messages({"role": "user", "content": None}, REPLY), 'message 1: missing "content"'
    ),
    "content an empty list": line_fault(
        bad_messages({"role": "user", "content": []}, REPLY), "non-empty list of text parts"
    ),
    "content part a string": line_fault(
        bad_messages({"role": "user", "content": ["q"]}, REPLY), "part 1 must be an object"
    ),
    "content part of unknown type": line_fault(
        bad_messages({"role": "user", "content": [{"type": "html", "html": "q"}]}, REPLY),
        'part 1 has type "html"',
    ),
    "image part": line_fault(
        bad_messages(
            {"role": "user", "content": [{"type": "image_url", "image_url": {"url": "x"}}]},
            REPLY,
        ),
        'part 1 is of type "image_url"',
    ),
    "audio part": line_fault(
        bad_messages({"role": "user", "content": [{"type": "input_audio"}]}, REPLY),
        'part 1 is of type "input_audio"',
    ),
    "text part without text": line_fault(
        bad_messages({"role": "user", "content": [{"type": "text", "text": 1}]}, REPLY),
        'part 1 needs a string "text"',
    ),
    "assistant content an object": line_fault(
        bad_messages(USER, {"role": "assistant", "content": {"text": "a"}}),
        'message 2, key "content": must be a string',
    ),
    "assistant content empty": line_fault(
        bad_messages(USER, {"role": "assistant", "content": ""}),
        'message 2, key "content": must not be empty',
    ),
    "assistant text parts empty": line_fault(
        bad_messages(USER, {"role": "assistant", "content": [{"type": "text", "text": ""}]}),
        "must not be empty",
    ),
    "assistant without content or call": line_fault(
        bad_messages(USER, {"role": "assistant"}), 'needs "content", "tool_calls"'
    ),
    "unpaired high surrogate": line_fault(
        bad_line(
            b'{"messages": [{"role": "user", "content": "a \\ud800 b"}, ' + dumps(REPLY) + b"]}"
        ),
        "unpaired surrogate escape \\ud800",
    ),
    # weights
    "weight 2": line_fault(
        bad_messages(USER, {**REPLY, "weight": 2}), 'key "weight": must be 0 or 1'
    ),
    "weight true": line_fault(bad_messages(USER, {**REPLY, "weight": True}), "must be 0 or 1"),
    "weight 0.5": line_fault(bad_messages(USER, {**REPLY, "weight": 0.5}), "must be 0 or 1"),
    "weight a string": line_fault(bad_messages(USER, {**REPLY, "weight": "1"}), "must be 0 or 1"),
    "weight on a user message": line_fault(
        bad_messages({**USER, "weight": 1}, REPLY), "only assistant messages may carry a weight"
    ),
    "every reply weight 0": line_fault(
        bad_messages(USER, {**REPLY, "weight": 0}), "no assistant message to train on"
    ),
    "no assistant message": line_fault(
        bad_messages({"role": "system", "content": "s"}, USER), "no assistant message to train on"
    ),
    # tool calls and tools
    "tool_calls not a list": line_fault(
        bad_messages(USER, {"role": "assistant", "tool_calls": {"id": "c"}}),
        'key "tool_calls": must be a list',
    ),
    "tool call not an object": line_fault(
        bad_messages(USER, {"role": "assistant", "tool_calls": ["f"]}), "call 1: must be an object"
    ),
    "tool call of type code": line_fault(
        with_call(type="code", function=FUNCTION_CALL), '"type" must be "function"'
    ),
    "tool call id a number": line_fault(
        with_call(id=1, type="function", function=FUNCTION_CALL), '"id" must be a string'
    ),
    "tool call without function": line_fault(
        with_call(id="c", type="function"), 'needs a "function" object'
    ),
    "tool call with an empty name": line_fault(
        with_call(type="function", function={"name": "", "arguments": "{}"}),
        '"name" must be a non-empty string',
    ),
    "tool call arguments an object": line_fault(
        with_call(type="function", function={"name": "f", "arguments": {}}),
        '"arguments" must be a string of JSON',
    ),
    "tool message without tool_call_id": line_fault(
        bad_messages({"role": "tool", "content": "r"}, REPLY), 'needs a string "tool_call_id"'
    ),
    "function message without name": line_fault(
        bad_messages(USER, {"role": "function", "content": "3"}, REPLY),
        'a function message needs a string "name"',
    ),
    "function_call without arguments": line_fault(
        bad_messages(USER, {"role": "assistant", "function_call": {"name": "f"}}),
        'key "function_call": "arguments" must be a string',
    ),
    "tools not a list": line_fault(
        bad_messages(USER, REPLY, tools=TOOL), 'key "tools": must be a list'
    ),
    "tool without a function": line_fault(
        bad_messages(USER, REPLY, tools=[{"type": "function"}]), 'key "tools": tool 1 must be'
    ),
    "parallel_tool_calls a string": line_fault(
        bad_messages(USER, REPLY, tools=[TOOL], parallel_tool_calls="yes"),
        'key "parallel_tool_calls": must be true or false',
    ),
    "functions empty": line_fault(
        bad_messages(USER, REPLY, functions=[]), 'key "functions": must be a non-empty list'
    ),
    "function without a name": line_fault(
        bad_messages(USER, REPLY, functions=[{"parameters": {}}]),
        'function 1 needs a string "name"',
    ),
    # formats
    "preference (DPO) line": line_fault(
        bad_line(dumps({"input": {"messages": [USER]}, "preferred_output": [REPLY]})),
        "is a preference (DPO) example",
    ),
    "both formats on one line": line_fault(
        bad_line(dumps({"messages": [USER, REPLY], "prompt": "p", "completion": "c"})),
        'has both "messages" and "prompt"/"completion"',
    ),
    "prompt-completion line in a chat file": Kind(
        bad_line(completion_line()),
        "invalid_training_file",
        4,
        "Line 4 is in the prompt-completion format, but line 1 is in the chat format",
        per_line=False,
    ),
    "chat line in a prompt-completion file": Kind(
        bad_line(chat_line(), good=completion_line),
        "invalid_training_file",
        4,
        "Line 4 is in the chat format, but line 1 is in the prompt-completion format",
        per_line=False,
    ),
    "completion missing": line_fault(
        bad_line(b'{"prompt": "p"}', good=completion_line), 'key "completion": missing'
    ),
    "prompt not a string": line_fault(
        bad_line(b'{"prompt": ["p"], "completion": "c"}', good=completion_line),
        'key "prompt": must be a string, not an array',
    ),
    "completion empty": line_fault(
        bad_line(b'{"prompt": "p", "completion": ""}', good=completion_line),
        'key "completion": must not be empty',
    ),
    "unpaired low surrogate in a prompt": line_fault(
        bad_line(b'{"prompt": "p \\udc00", "completion": "c"}', good=completion_line),
        "unpaired surrogate escape \\udc00",
    ),
    # the validation file
    "bad line in the validation file": line_fault(
        lines(chat_line(), b'{"messages": [}'), "Line 2 is not valid JSON", 2, VALIDATION
    ),
    "deep nesting in the validation file": line_fault(
        lines(b'{"messages": ' + nested(5000) + b"}"), "levels deep", 1, VALIDATION
    ),
}


def validate(kind: Kind) -> DatasetError:
    """The error validation raises for the kind's file, streamed in 1 MiB chunks."""
    chunk = 1024 * 1024
    chunks = [kind.data[i : i + chunk] for i in range(0, len(kind.data), chunk)]
    minimum = 10 if kind.param == TRAINING else 1
    with pytest.raises(DatasetError) as caught:
        validate_chat_file(chunks, param=kind.param, min_examples=minimum)
    return caught.value


def test_the_corpus_has_at_least_47_distinct_kinds() -> None:
    assert len(CORPUS) >= 47
    assert len({kind.data for kind in CORPUS.values()}) == len(CORPUS)


@pytest.mark.parametrize("name", list(CORPUS))
def test_every_bad_file_fails_with_its_code_param_and_line(name: str) -> None:
    kind = CORPUS[name]
    error = validate(kind)
    assert (error.code, error.param, error.line) == (kind.code, kind.param, kind.line)
    assert kind.fragment in error.message
    if kind.line is not None:
        assert error.message.startswith(f"Invalid file format. Line {kind.line}")


@pytest.mark.parametrize("name", [name for name, kind in CORPUS.items() if kind.per_line])
def test_the_workers_loader_fails_at_the_same_line(
    name: str, tokenizer: Any, tmp_path: Path
) -> None:
    kind = CORPUS[name]
    path = tmp_path / "file.jsonl"
    path.write_bytes(kind.data)
    with pytest.raises(DatasetError) as caught:
        load_examples(path, tokenizer, context_length=64, param=kind.param)
    error = caught.value
    assert (error.code, error.param, error.line) == (kind.code, kind.param, kind.line)


# near misses: valid files that look like the kinds above


@pytest.mark.parametrize(
    ("name", "line"),
    [
        (
            "brackets inside strings",
            dumps({"messages": [{"role": "user", "content": "[" * 5000}, REPLY]}),
        ),
        (
            "an escaped quote and backslash before brackets in strings",
            dumps({"messages": [{"role": "user", "content": '\\" ' + "{[" * 500}, REPLY]}),
        ),
        (
            "nesting exactly at the limit, in an ignored key",
            b'{"messages": [{"role": "user", "content": "q"}, {"role": "assistant", '
            b'"content": "a"}], "extra": ' + nested(MAX_NESTING_DEPTH - 1) + b"}",
        ),
        (
            "a surrogate pair",
            dumps({"messages": [{"role": "user", "content": "smile \U0001f600"}, REPLY]}),
        ),
        (
            "an escaped backslash before u d800",
            b'{"messages": [{"role": "user", "content": "C:\\\\ud800"}, ' + dumps(REPLY) + b"]}",
        ),
        (
            "an empty reply with weight 0",
            dumps({"messages": [USER, {**REPLY, "content": "", "weight": 0}, REPLY]}),
        ),
        (
            "an empty reply next to a tool call",
            dumps(
                {
                    "messages": [
                        USER,
                        {
                            "role": "assistant",
                            "content": "",
                            "tool_calls": [
                                {"id": "c", "type": "function", "function": FUNCTION_CALL}
                            ],
                        },
                        {"role": "tool", "tool_call_id": "c", "content": "r"},
                        REPLY,
                    ]
                }
            ),
        ),
        ("an empty user message", dumps({"messages": [{"role": "user", "content": ""}, REPLY]})),
    ],
)
def test_near_misses_stay_valid(name: str, line: bytes) -> None:
    report = validate_chat_file([bad_line(line, at=1)])
    assert report.n_examples == 12
