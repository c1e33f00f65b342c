"""The data report: what a training file holds and what in it would hurt training, in one pass.

The file arrives as byte chunks (ArtifactStore.iter_chunks), so memory stays bounded by the
longest line plus about 160 bytes per example (a token count and two 64-bit hashes in sets),
whatever the file's size. Lines are parsed by each format's own parser (service/datasets/:
chat.py, preference.py, reinforcement.py); a line that fails becomes a finding instead of
stopping the report. No torch here: the tokenizer is passed in, and tokenizing is blocking, so
run this off the event loop.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
import string
from array import array
from collections import Counter
from collections.abc import Collection, Iterable, Mapping
from dataclasses import asdict, dataclass, field
from typing import Any, Literal, Protocol

from service.datasets.chat import parse_chat_line
from service.datasets.errors import DatasetError
from service.datasets.lines import (
    MAX_LINE_BYTES,
    CountingChunks,
    LineTooLongError,
    decode_line,
    iter_lines,
)
from service.datasets.preference import parse_preference_line
from service.datasets.reinforcement import parse_reinforcement_line
from service.datasets.tokenize import template_messages, template_tools

ReportFormat = Literal["chat", "completion", "preference", "reinforcement"]

# A reply this short ("Hello.") teaches the model little beyond being curt.
MIN_REPLY_TOKENS = 3
# Each finding names this many lines; `count` says how many there are in all.
MAX_FINDING_LINES = 5
# Distinct role sequences listed; the rest are summed under "other".
MAX_ROLE_SEQUENCES = 20
# Examples tokenized per batch: enough to keep the tokenizer's threads busy, few enough to
# bound memory by a few MB of text.
_BATCH = 256
_PUNCTUATION = str.maketrans("", "", string.punctuation)
_WHITESPACE = re.compile(r"\s+")

FINDING_TEXTS: dict[str, str] = {
    "invalid_line": "lines are not valid examples of the file's format",
    "longer_than_context": "examples are longer than the context and would be truncated",
    "exact_duplicate": "examples repeat an earlier line exactly",
    "near_duplicate": "examples repeat an earlier line up to case, spacing and punctuation",
    "short_reply": f"assistant replies are shorter than {MIN_REPLY_TOKENS} tokens",
    "missing_system_prompt": "examples have no system or developer message",
    "untrained_assistant_message": "examples have assistant messages with weight 0",
    "identical_preference": "examples have identical preferred and non-preferred replies",
}


# Findings that are often deliberate (a file without system prompts, context turns left
# untrained): reported, but not worth a warning on every job that trains on such a file.
ADVISORY_FINDINGS = frozenset({"missing_system_prompt", "untrained_assistant_message"})


@dataclass
class Finding:
    """One kind of problem: how many examples have it and the first lines that do."""

    code: str
    message: str
    count: int = 0
    lines: list[int] = field(default_factory=list)

    def add(self, line: int) -> None:
        """Count one more example with this problem."""
        self.count += 1
        if len(self.lines) < MAX_FINDING_LINES:
            self.lines.append(line)


@dataclass
class TokenStats:
    """Tokens per example, over the file's valid examples."""

    min: int
    mean: float
    p50: int
    p95: int
    max: int


@dataclass
class DataReport:
    """The whole report; `findings` holds only the kinds that occur, in a fixed order."""

    format: ReportFormat
    model: str
    context_length: int
    n_examples: int
    n_lines: int
    n_bytes: int
    # Tokens of one pass over the file: OpenAI's trained_tokens per epoch.
    n_tokens: int
    tokens_per_example: TokenStats | None
    role_sequences: dict[str, int]
    findings: list[Finding]

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict (the report cache stores it so)."""
        return asdict(self)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> DataReport:
        """The report `to_json` wrote."""
        stats = data["tokens_per_example"]
        return cls(
            **{
                **data,
                "tokens_per_example": TokenStats(**stats) if stats is not None else None,
                "findings": [Finding(**finding) for finding in data["findings"]],
            }
        )

    def summary(self, *, skip: Collection[str] = ()) -> str | None:
        """One sentence naming every finding (but those whose code is in `skip`) and its first
        lines; None when there is none."""
        shown = [finding for finding in self.findings if finding.code not in skip]
        if not shown:
            return None
        parts = []
        for finding in shown:
            lines = ", ".join(map(str, finding.lines))
            if finding.count > len(finding.lines):
                lines += ", ..."
            parts.append(f"{finding.count} {finding.message} (lines {lines})")
        return "The data report of the training file found: " + "; ".join(parts) + "."


class ReportTokenizer(Protocol):
    """What the report needs of a tokenizer: a transformers fast tokenizer, or a wrapper."""

    @property
    def eos_token_id(self) -> int | None:
        """The end-of-sequence token a completion example ends with, if the model has one."""
        ...

    def __call__(
        self, texts: list[str], *, add_special_tokens: bool, return_attention_mask: bool
    ) -> Mapping[str, list[list[int]]]:
        """The token ids of each text, under `input_ids`."""
        ...

    def apply_chat_template(
        self,
        conversation: list[dict[str, Any]],
        *,
        tools: list[dict[str, Any]] | None,
        tokenize: Literal[False],
        add_generation_prompt: bool,
    ) -> str:
        """The conversation rendered as the model's chat template writes it."""
        ...


def detect_format(example: Mapping[str, Any]) -> ReportFormat:
    """The line format an example is written in, from its keys (and a prompt's last role)."""
    if "input" in example and "preferred_output" in example:
        return "preference"
    if "messages" not in example:
        return "completion"
    messages = example["messages"]
    last = messages[-1] if isinstance(messages, list) and messages else None
    if isinstance(last, dict) and last.get("role") in ("user", "developer"):
        return "reinforcement"
    return "chat"


def normalised_text(texts: Iterable[str]) -> str:
    """Text compared for near-duplicates: lowercase, punctuation stripped, whitespace collapsed."""
    joined = "\n".join(texts).lower().translate(_PUNCTUATION)
    return _WHITESPACE.sub(" ", joined).strip()


def build_report(
    chunks: Iterable[bytes],
    tokenizer: ReportTokenizer,
    *,
    model: str,
    context_length: int,
    file_format: ReportFormat | None = None,
) -> DataReport:
    """Read every line once and report on it; the format is the first valid line's unless given."""
    builder = _Builder(tokenizer, context_length=context_length, file_format=file_format)
    counted = CountingChunks(chunks)
    try:
        for number, raw in iter_lines(counted, max_line_bytes=MAX_LINE_BYTES):
            builder.add_line(number, raw)
    except LineTooLongError as exc:
        builder.finding("invalid_line").add(exc.line)
    return builder.finish(model=model, n_bytes=counted.n_bytes)


class _Builder:
    """The running state of one report: counters, hashes seen, and findings."""

    def __init__(
        self, tokenizer: ReportTokenizer, *, context_length: int, file_format: ReportFormat | None
    ):
        self.tokenizer = tokenizer
        self.context_length = context_length
        self.format = file_format
        self.n_lines = 0
        self.n_tokens = 0
        self.pending: list[_Pending] = []
        # 4 bytes per example: percentiles need every count, and a list of ints costs 8x more.
        self.lengths = array("I")
        # 64-bit hashes: a false match is about 1e-7 likely in a million examples.
        self.exact: set[int] = set()
        self.near: set[int] = set()
        self.roles: Counter[str] = Counter()
        self.findings = {code: Finding(code, text) for code, text in FINDING_TEXTS.items()}

    def finding(self, code: str) -> Finding:
        """The finding of that code."""
        return self.findings[code]

    def add_line(self, number: int, raw: bytes) -> None:
        """Parse, tokenize and check one line."""
        self.n_lines = number
        try:
            if self.format is None:
                self.format = detect_format(decode_line(raw, number))
            example = self._parse(raw, number)
        except (DatasetError, ValueError):
            self.finding("invalid_line").add(number)
            return
        assert self.format is not None
        if self.format == "preference":
            self._add_preference(example, number)
        elif self.format == "reinforcement":
            self._add_prompt(example, number)
        else:
            self._add_supervised(example, number)
        self._check_duplicates(example, number)

    def _parse(self, raw: bytes, number: int) -> dict[str, Any]:
        if self.format == "preference":
            return parse_preference_line(raw, number)
        if self.format == "reinforcement":
            return parse_reinforcement_line(raw, number)
        fmt, example = parse_chat_line(raw, number)
        if fmt != self.format:
            raise ValueError(f"line {number} is in the {fmt} format")
        return example

    def _add_supervised(self, example: dict[str, Any], number: int) -> None:
        if self.format == "completion":
            completion = example["completion"]
            self._queue(number, [completion], [completion], prefix=example["prompt"])
            return
        messages = example["messages"]
        self._check_messages(messages, number)
        full = _render(self.tokenizer, messages, template_tools(example), generation=False)
        trained = [m for m in messages if m["role"] == "assistant" and m.get("weight", 1) != 0]
        self._queue(number, [full], [_message_text(m) for m in trained if not _is_call(m)])

    def _add_preference(self, example: dict[str, Any], number: int) -> None:
        prompt = example["input"]
        messages = prompt["messages"]
        self._check_messages(messages, number)
        chosen, rejected = example["preferred_output"][0], example["non_preferred_output"][0]
        tools = template_tools(prompt)
        # Both sequences are trained on, as the DPO recipe encodes them: the prompt, then a reply.
        sequences = [
            _render(self.tokenizer, [*messages, reply], tools, generation=False)
            for reply in (chosen, rejected)
        ]
        self._queue(number, sequences, [] if _is_call(chosen) else [_message_text(chosen)])
        if _message_text(chosen) == _message_text(rejected) and chosen.get(
            "tool_calls"
        ) == rejected.get("tool_calls"):
            self.finding("identical_preference").add(number)

    def _add_prompt(self, example: dict[str, Any], number: int) -> None:
        messages = example["messages"]
        self._check_messages(messages, number)
        text = _render(self.tokenizer, messages, template_tools(example), generation=True)
        self._queue(number, [text], [])

    def _check_messages(self, messages: list[dict[str, Any]], number: int) -> None:
        self.roles[" > ".join(message["role"] for message in messages)] += 1
        if not any(message["role"] in ("system", "developer") for message in messages):
            self.finding("missing_system_prompt").add(number)
        if any(m["role"] == "assistant" and m.get("weight", 1) == 0 for m in messages):
            self.finding("untrained_assistant_message").add(number)

    def _queue(
        self, number: int, sequences: list[str], replies: list[str], *, prefix: str | None = None
    ) -> None:
        self.pending.append(_Pending(number, sequences, replies, prefix))
        if len(self.pending) >= _BATCH:
            self.flush()

    def flush(self) -> None:
        """Tokenize the queued examples in one batch and count them, in line order."""
        if not self.pending:
            return
        # One batched call: the Rust tokenizer encodes a batch on several threads, and the
        # per-call overhead of transformers is paid once per batch instead of per text.
        texts = [text for item in self.pending for text in (*item.sequences, *item.replies)]
        counts = iter(self._lengths(texts, special=False))
        prefixes = [item.prefix for item in self.pending if item.prefix is not None]
        prefix_counts = iter(self._lengths(prefixes, special=True))
        eos = 1 if self.tokenizer.eos_token_id is not None else 0
        for item in self.pending:
            lengths = [next(counts) for _ in item.sequences]
            if item.prefix is not None:
                # Prompt-completion: the prompt (with the model's special tokens), the
                # completion and the eos token form one sequence, as training encodes it.
                lengths = [next(prefix_counts) + sum(lengths) + eos]
            n_tokens = sum(lengths)
            self.lengths.append(n_tokens)
            self.n_tokens += n_tokens
            if max(lengths) > self.context_length:
                self.finding("longer_than_context").add(item.number)
            if any(next(counts) < MIN_REPLY_TOKENS for _ in item.replies):
                self.finding("short_reply").add(item.number)
        self.pending.clear()

    def _lengths(self, texts: list[str], *, special: bool) -> list[int]:
        if not texts:
            return []
        encoded = self.tokenizer(texts, add_special_tokens=special, return_attention_mask=False)[
            "input_ids"
        ]
        return [len(ids) for ids in encoded]

    def _check_duplicates(self, example: dict[str, Any], number: int) -> None:
        canonical = json.dumps(example, sort_keys=True, ensure_ascii=False)
        exact = _digest(canonical)
        if exact in self.exact:
            self.finding("exact_duplicate").add(number)
            return
        self.exact.add(exact)
        near = _digest(normalised_text(_texts(example)))
        if near in self.near:
            self.finding("near_duplicate").add(number)
        else:
            self.near.add(near)

    def finish(self, *, model: str, n_bytes: int) -> DataReport:
        """The report of every line added."""
        self.flush()
        lengths = sorted(self.lengths)
        stats = None
        if lengths:
            stats = TokenStats(
                min=lengths[0],
                mean=round(sum(lengths) / len(lengths), 2),
                p50=_percentile(lengths, 0.50),
                p95=_percentile(lengths, 0.95),
                max=lengths[-1],
            )
        common = self.roles.most_common(MAX_ROLE_SEQUENCES)
        roles = dict(common)
        rest = sum(self.roles.values()) - sum(roles.values())
        if rest:
            roles["other"] = rest
        return DataReport(
            format=self.format or "chat",
            model=model,
            context_length=self.context_length,
            n_examples=len(lengths),
            n_lines=self.n_lines,
            n_bytes=n_bytes,
            n_tokens=self.n_tokens,
            tokens_per_example=stats,
            role_sequences=roles,
            findings=[finding for finding in self.findings.values() if finding.count],
        )


@dataclass
class _Pending:
    """An example waiting for its batch: the texts whose tokens count, and the replies whose
    shortness is checked; `prefix` is a completion's prompt (encoded with special tokens)."""

    number: int
    sequences: list[str]
    replies: list[str]
    prefix: str | None = None


def _render(
    tokenizer: ReportTokenizer,
    messages: list[dict[str, Any]],
    tools: list[dict[str, Any]] | None,
    *,
    generation: bool,
) -> str:
    # The text training (or sampling, for prompts) tokenizes: service/datasets/tokenize.py.
    return tokenizer.apply_chat_template(
        template_messages(messages), tools=tools, tokenize=False, add_generation_prompt=generation
    )


def _is_call(message: Mapping[str, Any]) -> bool:
    # A call's arguments are the reply, and they are rarely short.
    return bool(message.get("tool_calls") or message.get("function_call"))


def _percentile(ordered: list[int], fraction: float) -> int:
    # Nearest rank: always a length some example has.
    return ordered[max(0, math.ceil(len(ordered) * fraction) - 1)]


def _digest(text: str) -> int:
    digest = hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=8).digest()
    return int.from_bytes(digest, "little")


def _message_text(message: Mapping[str, Any]) -> str:
    content = message.get("content")
    if isinstance(content, list):
        return "".join(part.get("text", part.get("refusal", "")) for part in content)
    return content or ""


def _texts(example: Mapping[str, Any]) -> list[str]:
    """Every text of an example, in order, for near-duplicate hashing."""
    if "prompt" in example or "completion" in example:
        return [str(example.get("prompt", "")), str(example.get("completion", ""))]
    if "input" in example:
        messages = [
            *example["input"]["messages"],
            *example["preferred_output"],
            *example["non_preferred_output"],
        ]
    else:
        messages = example["messages"]
    return [f"{message['role']}: {_message_text(message)}" for message in messages]
