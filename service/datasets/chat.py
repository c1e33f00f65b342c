"""The supervised format: chat examples (`{"messages": [...]}`) or prompt-completion pairs,
one per line, every line of a file in the same one.

Lines are read and decoded by service/datasets/lines.py and their messages checked by
service/datasets/messages.py, the same rules the preference and reinforcement formats use.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Literal, TypedDict, cast, final

from pydantic import JsonValue

from service.core.wire import JSONObject
from service.datasets import gemini
from service.datasets.errors import DatasetError, DatasetParam, error_code
from service.datasets.lines import (
    CountingChunks,
    InvalidExample,
    add_warning,
    checked_lines,
    decode_line,
    json_type,
    require_examples,
    unreadable_line,
)
from service.datasets.messages import (
    CHAT_ROLES,
    ChatLine,
    ChatMessage,
    check_message_content,
    check_tools,
)

ExampleFormat = Literal["chat", "completion"]

CHAT_KEYS = frozenset({"messages", "tools", "parallel_tool_calls", "functions"})
COMPLETION_KEYS = frozenset({"prompt", "completion"})


@final
class CompletionLine(TypedDict):
    """A checked prompt-completion pair: the completion is trained, the prompt is not."""

    prompt: str
    completion: str


# A checked line of a supervised file: a chat example or a prompt-completion pair.
SupervisedLine = ChatLine | CompletionLine


@dataclass
class ChatReport:
    """What a valid supervised file holds."""

    format: ExampleFormat
    n_examples: int
    n_lines: int
    n_bytes: int
    n_messages: int = 0
    n_assistant_messages: int = 0
    n_trainable_messages: int = 0
    n_examples_with_tools: int = 0
    warnings: list[str] = field(default_factory=list)


def parse_chat_example(raw: bytes, line: int) -> tuple[ExampleFormat, JSONObject]:
    """Decode and check one line; InvalidExample (with the line number) when it is not valid."""
    example = decode_line(raw, line)
    if gemini.is_gemini_line(example):
        # Vertex AI's lines become chat lines first, then meet the same checks.
        example = gemini.as_chat_line(example, line)
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


def parse_chat_line(
    raw: bytes, line: int, *, param: DatasetParam = "training_file"
) -> tuple[ExampleFormat, JSONObject]:
    """parse_chat_example, with every failure turned into this line's DatasetError."""
    try:
        return parse_chat_example(raw, line)
    except InvalidExample as exc:
        raise DatasetError(str(exc), code=error_code(param), param=param, line=line) from exc
    except Exception as exc:
        raise unreadable_line(exc, line, param) from exc


def validate_chat_file(
    chunks: Iterable[bytes],
    *,
    param: DatasetParam = "training_file",
    min_examples: int = 10,
) -> ChatReport:
    """Check every line of a JSONL file streamed as byte chunks; DatasetError at the first fault."""
    counted = CountingChunks(chunks)
    report: ChatReport | None = None
    first_line = 0
    unknown_keys: set[str] = set()
    last_line = 0
    for number, raw in checked_lines(counted, param):
        last_line = number
        fmt, example = parse_chat_line(raw, number, param=param)
        if report is None:
            report = ChatReport(format=fmt, n_examples=0, n_lines=0, n_bytes=0)
            first_line = number
        elif fmt != report.format:
            raise DatasetError(
                f"Invalid file format. Line {number} is in the {_FORMAT_NAMES[fmt]} format, "
                f"but line {first_line} is in the {_FORMAT_NAMES[report.format]} format; "
                "every line of a file must use the same format.",
                code=error_code(param),
                param=param,
                line=number,
            )
        report.n_examples += 1
        try:
            _tally(report, fmt, example, number, unknown_keys)
        except Exception as exc:
            raise unreadable_line(exc, number, param) from exc
    require_examples(report.n_examples if report is not None else 0, min_examples, param)
    assert report is not None
    report.n_lines = last_line
    report.n_bytes = counted.n_bytes
    return report


_FORMAT_NAMES: dict[ExampleFormat, str] = {"chat": "chat", "completion": "prompt-completion"}


def _tally(
    report: ChatReport,
    fmt: ExampleFormat,
    example: JSONObject,
    line: int,
    unknown_keys: set[str],
) -> None:
    known = CHAT_KEYS if fmt == "chat" else COMPLETION_KEYS
    for key in example:
        if key not in known and key not in unknown_keys:
            unknown_keys.add(key)
            add_warning(
                report.warnings,
                f'Line {line}: key "{key}" is not part of the {fmt} format; ignored.',
            )
    if fmt != "chat":
        return
    messages = cast(list[ChatMessage], example["messages"])  # checked by _check_chat
    report.n_messages += len(messages)
    for message in messages:
        if message["role"] == "assistant":
            report.n_assistant_messages += 1
            report.n_trainable_messages += message.get("weight", 1)
    if example.get("tools") or example.get("functions"):
        report.n_examples_with_tools += 1


def _check_chat(example: Mapping[str, JsonValue], line: int) -> None:
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
            raise InvalidExample(f"{where}: must be an object, not {json_type(message)}.")
        role = message.get("role")
        if role is None:
            raise InvalidExample(f'{where}: missing "role".')
        if not isinstance(role, str) or role not in CHAT_ROLES:
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
        check_message_content(message, role, where)
        if role == "assistant" and message.get("weight", 1) == 1:
            trainable = True
    if not trainable:
        raise InvalidExample(
            f"Invalid file format. Line {line}: no assistant message to train on (there is "
            "none, or every one has weight 0)."
        )
    check_tools(example, line)


def _check_completion(example: Mapping[str, JsonValue], line: int) -> None:
    for key in ("prompt", "completion"):
        if key not in example:
            raise InvalidExample(f'Invalid file format. Line {line}, key "{key}": missing.')
        if not isinstance(example[key], str):
            raise InvalidExample(
                f'Invalid file format. Line {line}, key "{key}": must be a string, not '
                f"{json_type(example[key])}."
            )
    if not example["completion"]:
        raise InvalidExample(
            f'Invalid file format. Line {line}, key "completion": must not be empty.'
        )
