"""OpenAI's preference (DPO) format: streaming validation of a file, and tokenizing its pairs.

One line is `{"input": {"messages": [...], "tools": [...], "parallel_tool_calls": ...},
"preferred_output": [assistant message], "non_preferred_output": [assistant message]}`
(FineTunePreferenceRequestInput in OpenAI's training-input schemas). Lines are decoded with the
same guards as chat lines (service/datasets/lines.py), and messages are checked by the same
rules (service/datasets/messages.py), so a preference file is refused exactly where the
equivalent chat file would be. No torch here: the tokenizer is passed in.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Required, TypedDict, cast

from pydantic import JsonValue

from service.core.wire import JSONObject
from service.datasets import gemini
from service.datasets.errors import DatasetParam
from service.datasets.lines import (
    CountingChunks,
    InvalidExample,
    add_warning,
    checked_lines,
    json_type,
    parse_checked_line,
    read_chunks,
    require_examples,
)
from service.datasets.loading import DataReport
from service.datasets.messages import ChatLine, ChatMessage, Tool, check_message, check_tools
from service.datasets.tokenize import EncodedExample, encode_example

if TYPE_CHECKING:
    from transformers import PreTrainedTokenizerBase

PREFERENCE_KEYS = frozenset({"input", "preferred_output", "non_preferred_output"})
INPUT_KEYS = frozenset({"messages", "tools", "parallel_tool_calls"})
_INPUT_EXTRAS = ("tools", "parallel_tool_calls")
OUTPUT_KEYS = ("preferred_output", "non_preferred_output")
# What a line should look like, quoted in the errors of lines that are something else.
PREFERENCE_SHAPE = (
    '{"input": {"messages": [...]}, "preferred_output": [{"role": "assistant", ...}], '
    '"non_preferred_output": [{"role": "assistant", ...}]}'
)
MAX_TRUNCATION_WARNINGS = 20


class PreferenceInput(TypedDict, total=False):
    """The prompt of a preference line: the conversation so far and the tools it may call."""

    messages: Required[list[ChatMessage]]
    tools: list[Tool]
    parallel_tool_calls: bool


class PreferenceLine(TypedDict):
    """A checked preference line: the prompt and its two replies (one message each)."""

    input: PreferenceInput
    preferred_output: list[ChatMessage]
    non_preferred_output: list[ChatMessage]


@dataclass
class PreferenceReport:
    """What a valid preference file holds."""

    n_examples: int
    n_lines: int = 0
    n_bytes: int = 0
    n_examples_with_tools: int = 0
    warnings: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class PreferencePair:
    """One preference example as the model sees it: the prompt with each reply.

    In both, only the reply's tokens (and its end of turn) carry labels; the prompt is masked.
    """

    chosen: EncodedExample
    rejected: EncodedExample


# -- validation --------------------------------------------------------------------------------


def check_preference(example: Mapping[str, JsonValue], line: int) -> None:
    """InvalidExample, naming the line and key, unless `example` is a valid preference line."""
    where = f"Invalid file format. Line {line}"
    if "messages" in example:
        raise InvalidExample(
            f'{where} is a chat example {{"messages": [...]}}, but this job uses the DPO method, '
            f"which needs a preference example on every line: {PREFERENCE_SHAPE}."
        )
    if "prompt" in example or "completion" in example:
        raise InvalidExample(
            f"{where} is a prompt-completion pair, but this job uses the DPO method, which needs "
            f"a preference example on every line: {PREFERENCE_SHAPE}."
        )
    if "input" not in example:
        raise InvalidExample(
            f'{where}, key "input": missing. Each line of a DPO file must be {PREFERENCE_SHAPE}.'
        )
    prompt = example["input"]
    if not isinstance(prompt, dict):
        raise InvalidExample(
            f'{where}, key "input": must be an object with "messages", not {json_type(prompt)}.'
        )
    messages = prompt.get("messages")
    if not isinstance(messages, list) or not messages:
        raise InvalidExample(
            f'{where}, key "input.messages": must be a non-empty list of messages.'
        )
    for index, message in enumerate(messages, start=1):
        check_message(message, f"{where}, input message {index}", role=None)
    check_tools({key: prompt[key] for key in _INPUT_EXTRAS if key in prompt}, line)
    for key in OUTPUT_KEYS:
        if key not in example:
            raise InvalidExample(
                f'{where}, key "{key}": missing; it must be a list holding one assistant message.'
            )
        output = example[key]
        if not isinstance(output, list) or len(output) != 1:
            raise InvalidExample(
                f'{where}, key "{key}": must be a list holding exactly one assistant message.'
            )
        check_message(output[0], f'{where}, key "{key}"', role="assistant")


def parse_preference_line(
    raw: bytes, line: int, *, param: DatasetParam = "training_file"
) -> JSONObject:
    """Decode and check one preference line (a Gemini one translated first); every failure
    becomes this line's DatasetError."""
    return parse_checked_line(raw, line, check_preference, param=param, translate=_from_gemini)


def _from_gemini(example: JSONObject, line: int) -> JSONObject:
    return gemini.as_preference_line(example, line) if gemini.is_gemini_line(example) else example


def validate_preference_file(
    chunks: Iterable[bytes],
    *,
    param: DatasetParam = "training_file",
    min_examples: int = 10,
) -> PreferenceReport:
    """Check every line of a preference JSONL file streamed as byte chunks; DatasetError at the
    first fault, or when it holds fewer than `min_examples` examples."""
    counted = CountingChunks(chunks)
    report = PreferenceReport(n_examples=0)
    unknown_keys: set[str] = set()
    for number, raw in checked_lines(counted, param):
        example = parse_preference_line(raw, number, param=param)
        report.n_examples += 1
        report.n_lines = number
        for key in example:
            if key not in PREFERENCE_KEYS and key not in unknown_keys:
                unknown_keys.add(key)
                add_warning(
                    report.warnings,
                    f'Line {number}: key "{key}" is not part of the preference format.',
                )
        prompt = cast(PreferenceInput, example["input"])  # checked by check_preference
        for key in prompt:
            if key not in INPUT_KEYS and f"input.{key}" not in unknown_keys:
                unknown_keys.add(f"input.{key}")
                add_warning(
                    report.warnings, f'Line {number}: key "input.{key}" is not part of the format.'
                )
        if prompt.get("tools"):
            report.n_examples_with_tools += 1
    require_examples(report.n_examples, min_examples, param)
    report.n_bytes = counted.n_bytes
    return report


# -- tokenizing --------------------------------------------------------------------------------


def encode_preference(
    example: PreferenceLine, tokenizer: PreTrainedTokenizerBase, *, context_length: int
) -> PreferencePair:
    """The prompt followed by each reply, as chat examples whose only trained message is the
    reply: the same chat-template spans as supervised training, so the prompt stays masked."""
    prompt = example["input"]
    context: list[ChatMessage] = []
    for message in prompt["messages"]:
        copy = message.copy()
        if copy["role"] == "assistant":
            # Assistant turns of the prompt are context: weight 0 keeps them out of the labels.
            copy["weight"] = 0
        context.append(copy)

    def encode(reply: ChatMessage) -> EncodedExample:
        chat: ChatLine = {"messages": [*context, reply.copy()]}
        if "tools" in prompt:
            chat["tools"] = prompt["tools"]
        if "parallel_tool_calls" in prompt:
            chat["parallel_tool_calls"] = prompt["parallel_tool_calls"]
        return encode_example(chat, tokenizer, context_length=context_length)

    return PreferencePair(
        chosen=encode(example["preferred_output"][0]),
        rejected=encode(example["non_preferred_output"][0]),
    )


def load_preference_pairs(
    path: Path,
    tokenizer: PreTrainedTokenizerBase,
    *,
    context_length: int,
    param: DatasetParam = "training_file",
    warn: Callable[[str], None] | None = None,
) -> tuple[list[PreferencePair], DataReport]:
    """Encode every pair of a local preference JSONL file; `warn` gets truncations and skips."""
    pairs: list[PreferencePair] = []
    report = DataReport()
    for number, raw in checked_lines(read_chunks(path), param):
        example = parse_preference_line(raw, number, param=param)
        # parse_preference_line checked the line's shape.
        pair = encode_preference(
            cast(PreferenceLine, example), tokenizer, context_length=context_length
        )
        if pair.chosen.truncated or pair.rejected.truncated:
            report.n_truncated += 1
            if warn is not None and report.n_truncated <= MAX_TRUNCATION_WARNINGS:
                warn(f"Example on line {number} was truncated to {context_length} tokens")
        if pair.chosen.n_trainable == 0 or pair.rejected.n_trainable == 0:
            # A pair missing one reply has nothing to compare.
            report.n_skipped += 1
            if warn is not None:
                warn(
                    f"Example on line {number} has a reply with no trained tokens within the "
                    f"first {context_length} tokens and was skipped"
                )
            continue
        pairs.append(pair)
        report.n_examples += 1
        report.n_tokens += len(pair.chosen.input_ids) + len(pair.rejected.input_ids)
        report.n_trainable_tokens += pair.chosen.n_trainable + pair.rejected.n_trainable
    if warn is not None and report.n_truncated > MAX_TRUNCATION_WARNINGS:
        warn(
            f"{report.n_truncated - MAX_TRUNCATION_WARNINGS} more examples were truncated to "
            f"{context_length} tokens"
        )
    return pairs, report
