"""OpenAI's reinforcement fine-tuning format: streaming validation, and tokenizing the prompts.

One line is `{"messages": [...], "tools": [...], <any other key>: ...}` whose messages end on a
user or developer turn: the prompt the model being trained answers. The whole line is the item
graders see as `item.*` (`{{item.reference_answer}}`). Lines are decoded with the same guards as
chat lines and their messages checked by the same rules (service/datasets/lines.py, messages.py). No
torch here: the tokenizer is passed in.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, cast

from pydantic import JsonValue

from service.core.wire import JSONObject
from service.datasets.errors import DatasetParam
from service.datasets.lines import (
    MAX_WARNINGS,
    CountingChunks,
    InvalidExample,
    checked_lines,
    parse_checked_line,
    read_chunks,
    require_examples,
)
from service.datasets.loading import DataReport
from service.datasets.messages import ChatLine, check_message, check_tools
from service.datasets.tokenize import render_chat, template_messages, template_tools

if TYPE_CHECKING:
    from transformers import PreTrainedTokenizerBase

# The roles a prompt may end on: the model answers the last user (or developer) turn.
PROMPT_END_ROLES = ("user", "developer")
REINFORCEMENT_SHAPE = '{"messages": [..., {"role": "user", ...}], "<grader key>": ...}'
_TOOL_KEYS = ("tools", "parallel_tool_calls")
MAX_SKIP_WARNINGS = 20


@dataclass
class ReinforcementReport:
    """What a valid reinforcement file holds."""

    n_examples: int
    n_lines: int = 0
    n_bytes: int = 0
    n_examples_with_tools: int = 0
    warnings: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Prompt:
    """One reinforcement example as the loop samples it: the prompt's tokens and the item."""

    input_ids: list[int]
    # The whole line, as graders see it under `item`.
    item: JSONObject


# -- validation --------------------------------------------------------------------------------


def check_reinforcement(example: Mapping[str, JsonValue], line: int) -> None:
    """InvalidExample, naming the line and key, unless `example` is a valid reinforcement line."""
    where = f"Invalid file format. Line {line}"
    if "input" in example and "preferred_output" in example:
        raise InvalidExample(
            f"{where} is a preference (DPO) example, but this job uses the reinforcement method, "
            f"which needs a prompt on every line: {REINFORCEMENT_SHAPE}."
        )
    if "messages" not in example and ("prompt" in example or "completion" in example):
        raise InvalidExample(
            f"{where} is a prompt-completion pair, but this job uses the reinforcement method, "
            f"which needs a prompt on every line: {REINFORCEMENT_SHAPE}."
        )
    messages = example.get("messages")
    if messages is None:
        raise InvalidExample(
            f'{where}, key "messages": missing. Each line of a reinforcement file must be '
            f"{REINFORCEMENT_SHAPE}."
        )
    if not isinstance(messages, list) or not messages:
        raise InvalidExample(f'{where}, key "messages": must be a non-empty list of messages.')
    for index, message in enumerate(messages, start=1):
        check_message(message, f"{where}, message {index}", role=None)
    last = messages[-1].get("role") if isinstance(messages[-1], dict) else None
    if last not in PROMPT_END_ROLES:
        raise InvalidExample(
            f"{where}: the last message has role {json.dumps(last)}, but a reinforcement "
            "prompt ends on a user or developer message, which the model being trained answers "
            "(a chat example with its assistant reply trains with the supervised method)."
        )
    check_tools({key: example[key] for key in _TOOL_KEYS if key in example}, line)


def parse_reinforcement_line(
    raw: bytes, line: int, *, param: DatasetParam = "training_file"
) -> JSONObject:
    """Decode and check one line; every failure becomes this line's DatasetError."""
    return parse_checked_line(raw, line, check_reinforcement, param=param)


def validate_reinforcement_file(
    chunks: Iterable[bytes],
    *,
    param: DatasetParam = "training_file",
    min_examples: int = 10,
) -> ReinforcementReport:
    """Check every line of a reinforcement JSONL file streamed as byte chunks; DatasetError at
    the first fault, or when it holds fewer than `min_examples` prompts."""
    counted = CountingChunks(chunks)
    report = ReinforcementReport(n_examples=0)
    for number, raw in checked_lines(counted, param):
        example = parse_reinforcement_line(raw, number, param=param)
        report.n_examples += 1
        report.n_lines = number
        if example.get("tools"):
            report.n_examples_with_tools += 1
    require_examples(report.n_examples, min_examples, param)
    report.n_bytes = counted.n_bytes
    if len(report.warnings) > MAX_WARNINGS:
        del report.warnings[MAX_WARNINGS:]
    return report


# -- tokenizing --------------------------------------------------------------------------------


def encode_prompt(example: ChatLine, tokenizer: PreTrainedTokenizerBase) -> list[int]:
    """The prompt's tokens with the assistant's generation prompt, as chat serving renders it."""
    text = render_chat(
        tokenizer,
        template_messages(example["messages"]),
        template_tools(example),
        add_generation_prompt=True,
    )
    input_ids: list[int] = list(tokenizer(text, add_special_tokens=False)["input_ids"])
    return input_ids


def load_prompts(
    path: Path,
    tokenizer: PreTrainedTokenizerBase,
    *,
    context_length: int,
    completion_tokens: int,
    param: DatasetParam = "training_file",
    warn: Callable[[str], None] | None = None,
) -> tuple[list[Prompt], DataReport]:
    """Encode every prompt of a local reinforcement file; a prompt that leaves no room for
    `completion_tokens` within `context_length` is skipped, with a warning."""
    prompts: list[Prompt] = []
    report = DataReport()
    room = context_length - completion_tokens
    for number, raw in checked_lines(read_chunks(path), param):
        example = parse_reinforcement_line(raw, number, param=param)
        # parse_reinforcement_line checked its messages and tools; other keys are the grader's.
        input_ids = encode_prompt(cast(ChatLine, example), tokenizer)
        if len(input_ids) > room:
            report.n_skipped += 1
            if warn is not None and report.n_skipped <= MAX_SKIP_WARNINGS:
                warn(
                    f"Example on line {number} has a prompt of {len(input_ids)} tokens, which "
                    f"leaves no room for {completion_tokens} completion tokens within "
                    f"{context_length}, and was skipped"
                )
            continue
        prompts.append(Prompt(input_ids, example))
        report.n_examples += 1
        report.n_tokens += len(input_ids)
    return prompts, report
