"""Reading a local JSONL file into encoded examples, with a report of what was read."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, cast

from service.datasets.chat import SupervisedLine, parse_chat_line
from service.datasets.errors import DatasetParam
from service.datasets.lines import checked_lines, read_chunks
from service.datasets.tokenize import EncodedExample, encode_example

if TYPE_CHECKING:
    from transformers import PreTrainedTokenizerBase

# One event per truncated example is useful for a handful and noise for thousands.
MAX_TRUNCATION_WARNINGS = 20


@dataclass
class DataReport:
    """What a file turned into: examples kept, tokens, trainable tokens, and what was cut."""

    n_examples: int = 0
    n_tokens: int = 0
    n_trainable_tokens: int = 0
    n_truncated: int = 0
    # Examples dropped because truncation left no trainable token in them.
    n_skipped: int = 0


def load_examples(
    path: Path,
    tokenizer: PreTrainedTokenizerBase,
    *,
    context_length: int,
    param: DatasetParam = "training_file",
    warn: Callable[[str], None] | None = None,
) -> tuple[list[EncodedExample], DataReport]:
    """Encode every example of a local JSONL file; `warn` receives one line per truncation."""
    examples: list[EncodedExample] = []
    report = DataReport()
    for number, raw in checked_lines(read_chunks(path), param):
        _, example = parse_chat_line(raw, number, param=param)
        # parse_chat_line checked the line: it is one of the supervised shapes.
        encoded = encode_example(
            cast(SupervisedLine, example), tokenizer, context_length=context_length
        )
        if encoded.truncated:
            report.n_truncated += 1
            if warn is not None and report.n_truncated <= MAX_TRUNCATION_WARNINGS:
                warn(f"Example on line {number} was truncated to {context_length} tokens")
        if encoded.n_trainable == 0:
            report.n_skipped += 1
            if warn is not None:
                warn(
                    f"Example on line {number} has no trained tokens within the first "
                    f"{context_length} tokens and was skipped"
                )
            continue
        examples.append(encoded)
        report.n_examples += 1
        report.n_tokens += len(encoded.input_ids)
        report.n_trainable_tokens += encoded.n_trainable
    if warn is not None and report.n_truncated > MAX_TRUNCATION_WARNINGS:
        warn(
            f"{report.n_truncated - MAX_TRUNCATION_WARNINGS} more examples were truncated to "
            f"{context_length} tokens"
        )
    return examples, report
