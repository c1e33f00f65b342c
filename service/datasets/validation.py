"""Streaming validation of a JSONL training or validation file, line by line.

The file arrives as an iterable of byte chunks (ArtifactStore.iter_chunks), so memory stays
bounded by the longest line whatever the file's size. Messages mirror OpenAI's wording
("Invalid file format. Line 3, key \"messages\": ...") so that client code matching on them works.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from service.datasets.errors import DatasetError, DatasetParam, error_code

logger = logging.getLogger("whetstone.datasets")

ExampleFormat = Literal["chat", "completion"]

CHAT_ROLES = ("system", "developer", "user", "assistant", "tool", "function")
CHAT_KEYS = frozenset({"messages", "tools", "parallel_tool_calls", "functions"})
COMPLETION_KEYS = frozenset({"prompt", "completion"})
# A line longer than this is refused rather than buffered: it bounds memory on hostile files.
MAX_LINE_BYTES = 32 * 1024 * 1024
# Arrays and objects nest at most this deep on a line. A chat line nests about 6 levels (tool
# schemas a few more); json.loads recurses once per level and raises RecursionError near 1000.
MAX_NESTING_DEPTH = 64
MAX_WARNINGS = 20
_UTF8_BOM = b"\xef\xbb\xbf"
# Every byte but the four brackets, deleted before counting depth; braces then count as brackets.
_NOT_BRACKETS = bytes(byte for byte in range(256) if byte not in b"[]{}")
_BRACES_AS_BRACKETS = bytes.maketrans(b"{}", b"[]")
# Bracket strings up to this long are peeled round by round to the end (see nests_deeper_than).
_SHORT_BRACKETS = 1024
# A \uD800-\uDFFF escape: json.loads turns an unpaired one into a lone surrogate, which no
# tokenizer can encode, so lines holding one are checked further.
_SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F]")


class LineTooLongError(ValueError):
    """A line exceeds the allowed length; `line` is its 1-based number."""

    def __init__(self, line: int, limit: int):
        super().__init__(f"line {line} is longer than {limit} bytes")
        self.line = line
        self.limit = limit


class InvalidExample(ValueError):
    """One line breaks the training-file format; the message is complete and user-facing."""


class _NonStandardConstant(ValueError):
    """NaN, Infinity or -Infinity: Python's json accepts them, JSON does not."""


def _refuse_constant(name: str) -> Any:
    raise _NonStandardConstant(name)


# One decoder for every line: json.loads with keyword arguments would build one per call.
_DECODER = json.JSONDecoder(parse_constant=_refuse_constant)


def nests_deeper_than(raw: bytes, limit: int) -> bool:
    """True when arrays and objects in the JSON text `raw` nest more than `limit` levels.

    A scan of the brackets outside strings, without recursion, so that it is safe on any input
    (json.loads itself recurses per level). Only what a parser would reach is measured: past an
    unmatched closing bracket the text is invalid and json.loads stops there.
    """
    if raw.count(b"[") + raw.count(b"{") <= limit:
        return False  # the common case: two C-speed counts, no copy
    # Escaped backslashes go first, so that every remaining quote is a string delimiter; the
    # even pieces of a split on quotes are then the text outside strings.
    unescaped = raw.replace(b"\\\\", b"").replace(b'\\"', b"")
    outside = b"".join(unescaped.split(b'"')[::2])
    brackets = outside.translate(_BRACES_AS_BRACKETS, _NOT_BRACKETS)
    if brackets.count(b"[") <= limit:
        return False
    # Each round deletes every innermost "[]" pair, which lowers the deepest level by at most
    # one: brackets gone within `limit` rounds nest at most `limit` deep. Well-formed lines end
    # here at C speed. On a long string, rounds stop once one removes under a quarter of what
    # is left (a long chain, which the walk below settles at its first `limit` bytes), so they
    # cost about four passes at most; on a short one every round is cheap.
    remaining = brackets
    for _ in range(limit):
        shorter = remaining.replace(b"[]", b"")
        if not shorter:
            return False
        if len(shorter) > max(len(remaining) * 3 // 4, _SHORT_BRACKETS):
            break
        remaining = shorter
    depth = 0
    for byte in brackets:
        if byte == 0x5B:  # [
            depth += 1
            if depth > limit:
                return True
        else:
            depth -= 1
            if depth < 0:
                return False
    return False


@dataclass
class DatasetReport:
    """What a valid file holds."""

    format: ExampleFormat
    n_examples: int
    n_lines: int
    n_bytes: int
    n_messages: int = 0
    n_assistant_messages: int = 0
    n_trainable_messages: int = 0
    n_examples_with_tools: int = 0
    warnings: list[str] = field(default_factory=list)


def iter_lines(
    chunks: Iterable[bytes], *, max_line_bytes: int | None = None
) -> Iterator[tuple[int, bytes]]:
    """Yield (1-based line number, line without its newline), skipping blank lines.

    Lines may straddle chunks; CRLF and LF both end a line; a last line without a newline counts.
    Numbers count every physical line, blank ones included, so they match what an editor shows.
    """
    pending = bytearray()
    number = 0
    for chunk in chunks:
        start = 0
        while True:
            end = chunk.find(b"\n", start)
            if end < 0:
                pending += chunk[start:]
                if max_line_bytes is not None and len(pending) > max_line_bytes:
                    raise LineTooLongError(number + 1, max_line_bytes)
                break
            number += 1
            if pending:
                pending += chunk[start:end]
                line = bytes(pending)
                pending.clear()
            else:
                line = chunk[start:end]
            start = end + 1
            if max_line_bytes is not None and len(line) > max_line_bytes:
                raise LineTooLongError(number, max_line_bytes)
            if line.endswith(b"\r"):
                line = line[:-1]
            if line.strip():
                yield number, line
    if pending:
        number += 1
        line = bytes(pending)
        if line.endswith(b"\r"):
            line = line[:-1]
        if line.strip():
            yield number, line


def decode_line(raw: bytes, line: int) -> dict[str, Any]:
    """The JSON object on one line, with every guard; InvalidExample when it is not one.

    Shared by every line format (chat, prompt-completion, and the preference format of
    service/datasets/preference.py), so that each gets the same guards.
    """
    if line == 1 and raw.startswith(_UTF8_BOM):
        raw = raw[len(_UTF8_BOM) :]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InvalidExample(
            f"Invalid file format. Line {line} is not valid UTF-8 (byte {exc.start + 1})."
        ) from exc
    if nests_deeper_than(raw, MAX_NESTING_DEPTH):
        raise InvalidExample(
            f"Invalid file format. Line {line} nests arrays or objects more than "
            f"{MAX_NESTING_DEPTH} levels deep."
        )
    try:
        example = _DECODER.decode(text)
    except json.JSONDecodeError as exc:
        raise InvalidExample(
            f"Invalid file format. Line {line} is not valid JSON: {exc.msg} (column {exc.colno})."
        ) from exc
    except _NonStandardConstant as exc:
        raise InvalidExample(
            f"Invalid file format. Line {line} is not valid JSON: {exc} is not a JSON value."
        ) from exc
    if _SURROGATE_ESCAPE.search(raw):
        _check_surrogates(example, line)
    if not isinstance(example, dict):
        raise InvalidExample(
            f"Invalid file format. Line {line} must be a JSON object, not {_json_type(example)}."
        )
    return example


def parse_example(raw: bytes, line: int) -> tuple[ExampleFormat, dict[str, Any]]:
    """Decode and check one line; InvalidExample (with the line number) when it is not valid."""
    example = decode_line(raw, line)
    if "messages" in example and ("prompt" in example or "completion" in example):
        raise InvalidExample(
            f'Invalid file format. Line {line} has both "messages" and "prompt"/"completion"; '
            "a line is either a chat example or a prompt-completion pair."
        )
    if "messages" in example:
        _check_chat(example, line)
        return "chat", example
    if "prompt" in example or "completion" in example:
        _check_completion(example, line)
        return "completion", example
    if "input" in example and "preferred_output" in example:
        raise InvalidExample(
            f"Invalid file format. Line {line} is a preference (DPO) example, but this job uses "
            'the supervised method, which needs {"messages": [...]} on every line; preference '
            'files train with method type "dpo".'
        )
    raise InvalidExample(
        f'Invalid file format. Line {line}, key "messages": missing. Each line must be a chat '
        'example {"messages": [...]} or a {"prompt": ..., "completion": ...} pair.'
    )


def parse_line(
    raw: bytes, line: int, *, param: DatasetParam = "training_file"
) -> tuple[ExampleFormat, dict[str, Any]]:
    """parse_example, with every failure turned into this line's DatasetError."""
    try:
        return parse_example(raw, line)
    except InvalidExample as exc:
        raise DatasetError(str(exc), code=error_code(param), param=param, line=line) from exc
    except Exception as exc:
        raise _unreadable_line(exc, line, param) from exc


def parse_checked_line(
    raw: bytes,
    line: int,
    check: Callable[[dict[str, Any], int], None],
    *,
    param: DatasetParam = "training_file",
) -> dict[str, Any]:
    """Decode one line and run a line format's `check` on it; every failure becomes this
    line's DatasetError (shared by the preference and reinforcement formats)."""
    try:
        example = decode_line(raw, line)
        check(example, line)
        return example
    except InvalidExample as exc:
        raise DatasetError(str(exc), code=error_code(param), param=param, line=line) from exc
    except Exception as exc:
        raise _unreadable_line(exc, line, param) from exc


def require_examples(n_examples: int, min_examples: int, param: DatasetParam) -> None:
    """DatasetError `invalid_n_examples` when a file holds fewer than `min_examples`."""
    if n_examples < min_examples:
        kind = "Training" if param == "training_file" else "Validation"
        raise DatasetError(
            f"{kind} file has {n_examples} example(s), but must have at least "
            f"{min_examples} examples",
            code="invalid_n_examples",
            param=param,
        )


def _unreadable_line(exc: Exception, line: int, param: DatasetParam) -> DatasetError:
    # A check that breaks on input nobody foresaw is still that line's fault: the job fails
    # with the line's number instead of a validation retried forever. Logged (as a warning,
    # with the traceback) because it also means a check is missing here.
    logger.warning(
        "line %d raised %s while being validated", line, type(exc).__name__, exc_info=exc
    )
    return DatasetError(
        f"Invalid file format. Line {line} could not be read ({type(exc).__name__}).",
        code=error_code(param),
        param=param,
        line=line,
    )


def validate_training_file(
    chunks: Iterable[bytes],
    *,
    param: DatasetParam = "training_file",
    min_examples: int = 10,
) -> DatasetReport:
    """Check every line of a JSONL file streamed as byte chunks; DatasetError at the first fault."""
    code = error_code(param)
    counted = _CountingChunks(chunks)
    report: DatasetReport | None = None
    first_line = 0
    unknown_keys: set[str] = set()
    last_line = 0
    try:
        for number, raw in iter_lines(counted, max_line_bytes=MAX_LINE_BYTES):
            last_line = number
            fmt, example = parse_line(raw, number, param=param)
            if report is None:
                report = DatasetReport(format=fmt, n_examples=0, n_lines=0, n_bytes=0)
                first_line = number
            elif fmt != report.format:
                raise DatasetError(
                    f"Invalid file format. Line {number} is in the {_FORMAT_NAMES[fmt]} format, "
                    f"but line {first_line} is in the {_FORMAT_NAMES[report.format]} format; "
                    "every line of a file must use the same format.",
                    code=code,
                    param=param,
                    line=number,
                )
            report.n_examples += 1
            try:
                _tally(report, fmt, example, number, unknown_keys)
            except Exception as exc:
                raise _unreadable_line(exc, number, param) from exc
    except LineTooLongError as exc:
        raise DatasetError(
            f"Invalid file format. Line {exc.line} is longer than {exc.limit} bytes.",
            code=code,
            param=param,
            line=exc.line,
        ) from exc
    require_examples(report.n_examples if report is not None else 0, min_examples, param)
    assert report is not None
    report.n_lines = last_line
    report.n_bytes = counted.n_bytes
    return report


_FORMAT_NAMES: dict[ExampleFormat, str] = {"chat": "chat", "completion": "prompt-completion"}


class _CountingChunks:
    """Passes chunks through while counting bytes, so the report needs no second pass."""

    def __init__(self, chunks: Iterable[bytes]):
        self._chunks = chunks
        self.n_bytes = 0

    def __iter__(self) -> Iterator[bytes]:
        for chunk in self._chunks:
            self.n_bytes += len(chunk)
            yield chunk


def _tally(
    report: DatasetReport,
    fmt: ExampleFormat,
    example: dict[str, Any],
    line: int,
    unknown_keys: set[str],
) -> None:
    known = CHAT_KEYS if fmt == "chat" else COMPLETION_KEYS
    for key in example:
        if key not in known and key not in unknown_keys:
            unknown_keys.add(key)
            _warn(report, f'Line {line}: key "{key}" is not part of the {fmt} format; ignored.')
    if fmt != "chat":
        return
    messages = example["messages"]
    report.n_messages += len(messages)
    for message in messages:
        if message["role"] == "assistant":
            report.n_assistant_messages += 1
            report.n_trainable_messages += message.get("weight", 1)
    if example.get("tools") or example.get("functions"):
        report.n_examples_with_tools += 1


def _warn(report: DatasetReport, message: str) -> None:
    if len(report.warnings) < MAX_WARNINGS:
        report.warnings.append(message)


def _check_surrogates(example: Any, line: int) -> None:
    """InvalidExample when a string holds an unpaired surrogate (from an escape like \\ud800)."""
    try:
        json.dumps(example, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError as exc:
        lone = f"\\u{ord(exc.object[exc.start]):04x}"
        raise InvalidExample(
            f"Invalid file format. Line {line} holds the unpaired surrogate escape {lone}; "
            "text must be valid Unicode (a surrogate escape needs its pair)."
        ) from exc


def _json_type(value: Any) -> str:
    if isinstance(value, list):
        return "an array"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if value is None:
        return "null"
    return "an object"


# Checks follow FineTuneChatRequestInput in OpenAI's training-input schemas. They are
# hand-written rather than run through jsonschema because the schema's oneOf errors name no
# line-level culprit ("not valid under any of the given schemas"); ours say what to fix.


def _check_chat(example: Mapping[str, Any], line: int) -> None:
    messages = example["messages"]
    if not isinstance(messages, list) or not messages:
        raise InvalidExample(
            f'Invalid file format. Line {line}, key "messages": must be a non-empty list of '
            "messages."
        )
    trainable = False
    for index, message in enumerate(messages, start=1):
        where = f"Invalid file format. Line {line}, message {index}"
        if not isinstance(message, dict):
            raise InvalidExample(f"{where}: must be an object, not {_json_type(message)}.")
        role = message.get("role")
        if role is None:
            raise InvalidExample(f'{where}: missing "role".')
        if role not in CHAT_ROLES:
            raise InvalidExample(
                f"{where}: unknown role {json.dumps(role)}; expected one of "
                f"{', '.join(CHAT_ROLES)}."
            )
        if "name" in message and not isinstance(message["name"], str):
            raise InvalidExample(f'{where}, key "name": must be a string.')
        if "weight" in message:
            if role != "assistant":
                raise InvalidExample(
                    f'{where}, key "weight": only assistant messages may carry a weight.'
                )
            weight = message["weight"]
            if isinstance(weight, bool) or weight not in (0, 1) or isinstance(weight, float):
                raise InvalidExample(f'{where}, key "weight": must be 0 or 1.')
        _check_message_content(message, role, where)
        if role == "assistant" and message.get("weight", 1) == 1:
            trainable = True
    if not trainable:
        raise InvalidExample(
            f"Invalid file format. Line {line}: no assistant message to train on (there is "
            "none, or every one has weight 0)."
        )
    _check_tools(example, line)


def _check_message_content(message: Mapping[str, Any], role: str, where: str) -> None:
    content = message.get("content")
    if role == "assistant":
        has_call = bool(message.get("tool_calls")) or bool(message.get("function_call"))
        if content is None and not has_call:
            raise InvalidExample(
                f'{where}: an assistant message needs "content", "tool_calls" or "function_call".'
            )
        if content is not None:
            _check_content(content, where, allowed_parts=("text", "refusal"))
            if not has_call and message.get("weight", 1) == 1 and not _content_text(content):
                raise InvalidExample(
                    f'{where}, key "content": must not be empty in an assistant message that '
                    "is trained on."
                )
        if "tool_calls" in message:
            _check_tool_calls(message["tool_calls"], where)
        if "function_call" in message:
            _check_function_call(message["function_call"], f'{where}, key "function_call"')
        return
    if role == "function":
        if content is not None and not isinstance(content, str):
            raise InvalidExample(f'{where}, key "content": must be a string or null.')
        if not isinstance(message.get("name"), str):
            raise InvalidExample(f'{where}: a function message needs a string "name".')
        return
    if content is None:
        raise InvalidExample(f'{where}: missing "content".')
    _check_content(content, where, allowed_parts=("text",))
    if role == "tool" and not isinstance(message.get("tool_call_id"), str):
        raise InvalidExample(f'{where}: a tool message needs a string "tool_call_id".')


def _check_content(content: Any, where: str, *, allowed_parts: tuple[str, ...]) -> None:
    if isinstance(content, str):
        return
    if not isinstance(content, list) or not content:
        raise InvalidExample(
            f'{where}, key "content": must be a string or a non-empty list of text parts, '
            f"not {_json_type(content)}."
        )
    for number, part in enumerate(content, start=1):
        if not isinstance(part, dict):
            raise InvalidExample(f'{where}, key "content": part {number} must be an object.')
        kind = part.get("type")
        if kind in ("image_url", "input_audio", "file"):
            raise InvalidExample(
                f'{where}, key "content": part {number} is of type "{kind}"; Whetstone trains '
                "text models, so only text parts are accepted."
            )
        if kind not in allowed_parts:
            raise InvalidExample(
                f'{where}, key "content": part {number} has type {json.dumps(kind)}; expected '
                f"{' or '.join(allowed_parts)}."
            )
        if not isinstance(part.get(kind), str):
            raise InvalidExample(f'{where}, key "content": part {number} needs a string "{kind}".')


def _content_text(content: str | list[dict[str, Any]]) -> str:
    if isinstance(content, str):
        return content
    return "".join(part[part["type"]] for part in content)


def _check_tool_calls(tool_calls: Any, where: str) -> None:
    if not isinstance(tool_calls, list):
        raise InvalidExample(f'{where}, key "tool_calls": must be a list.')
    for number, call in enumerate(tool_calls, start=1):
        call_where = f'{where}, key "tool_calls", call {number}'
        if not isinstance(call, dict):
            raise InvalidExample(f"{call_where}: must be an object.")
        if call.get("type", "function") != "function":
            raise InvalidExample(f'{call_where}: "type" must be "function".')
        if "id" in call and not isinstance(call["id"], str):
            raise InvalidExample(f'{call_where}: "id" must be a string.')
        _check_function_call(call.get("function"), call_where)


def _check_function_call(function: Any, where: str) -> None:
    if not isinstance(function, dict):
        raise InvalidExample(f'{where}: needs a "function" object with "name" and "arguments".')
    if not isinstance(function.get("name"), str) or not function["name"]:
        raise InvalidExample(f'{where}: "name" must be a non-empty string.')
    if not isinstance(function.get("arguments"), str):
        raise InvalidExample(f'{where}: "arguments" must be a string of JSON.')


def _check_tools(example: Mapping[str, Any], line: int) -> None:
    where = f"Invalid file format. Line {line}"
    if "tools" in example:
        tools = example["tools"]
        if not isinstance(tools, list):
            raise InvalidExample(f'{where}, key "tools": must be a list.')
        for number, tool in enumerate(tools, start=1):
            if (
                not isinstance(tool, dict)
                or tool.get("type", "function") != "function"
                or not isinstance(tool.get("function"), dict)
                or not isinstance(tool["function"].get("name"), str)
            ):
                raise InvalidExample(
                    f'{where}, key "tools": tool {number} must be {{"type": "function", '
                    '"function": {"name": ..., ...}}.'
                )
    if "parallel_tool_calls" in example and not isinstance(example["parallel_tool_calls"], bool):
        raise InvalidExample(f'{where}, key "parallel_tool_calls": must be true or false.')
    if "functions" in example:
        functions = example["functions"]
        if not isinstance(functions, list) or not functions:
            raise InvalidExample(f'{where}, key "functions": must be a non-empty list.')
        for number, function in enumerate(functions, start=1):
            if not isinstance(function, dict) or not isinstance(function.get("name"), str):
                raise InvalidExample(
                    f'{where}, key "functions": function {number} needs a string "name".'
                )


def _check_completion(example: Mapping[str, Any], line: int) -> None:
    for key in ("prompt", "completion"):
        if key not in example:
            raise InvalidExample(f'Invalid file format. Line {line}, key "{key}": missing.')
        if not isinstance(example[key], str):
            raise InvalidExample(
                f'Invalid file format. Line {line}, key "{key}": must be a string, not '
                f"{_json_type(example[key])}."
            )
    if not example["completion"]:
        raise InvalidExample(
            f'Invalid file format. Line {line}, key "completion": must not be empty.'
        )
