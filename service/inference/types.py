"""Plain data passed between the API side and the engine thread. Imports no torch."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from service.inference.grammar import Grammar

FinishReason = Literal["stop", "length"]


@dataclass(frozen=True)
class SamplingParams:
    """How one request samples; every field already validated by the API layer."""

    max_tokens: int
    temperature: float = 1.0
    top_p: float = 1.0
    presence_penalty: float = 0.0
    frequency_penalty: float = 0.0
    seed: int | None = None
    # Token id -> bias added to its logit before sampling (OpenAI's logit_bias).
    logit_bias: dict[int, float] = field(default_factory=dict)
    # None: no logprobs. An int: the chosen token's logprob plus this many alternatives.
    top_logprobs: int | None = None
    stop: tuple[str, ...] = ()
    # Output constrained to this grammar (structured outputs, forced tool calls); each choice
    # gets its own matcher. The choice ends `stop` once the grammar is complete.
    grammar: Grammar | None = None


@dataclass(frozen=True)
class AdapterRef:
    """A LoRA adapter in the artifact store: `key` is its storage prefix and its identity."""

    key: str


@dataclass(frozen=True)
class TokenLogprob:
    """One generated token with its logprob and, if asked, the most likely alternatives."""

    token: str
    logprob: float
    top: tuple[tuple[str, float], ...] = ()
    # Character offset of the token's text within the choice's text.
    offset: int = 0


@dataclass(frozen=True)
class SequenceEvent:
    """What one choice produced since its last event; `finish_reason` set on the last one."""

    index: int
    text: str = ""
    tokens: tuple[TokenLogprob, ...] = ()
    finish_reason: FinishReason | None = None
    completion_tokens: int = 0
    # Set when the choice cannot go on (its adapter was deleted, the engine failed).
    error: Exception | None = None


@dataclass(frozen=True)
class PreparedPrompt:
    """A prompt tokenized against its base model's tokenizer."""

    token_ids: tuple[int, ...]
    text: str


@dataclass(frozen=True)
class LocalAdapter:
    """An adapter copied from storage to local disk, ready to load into its base model."""

    key: str
    path: Path
