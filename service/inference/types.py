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
    # Tinker's controls: keep only the k most likely tokens (-1: all); token ids that end the
    # choice like EOS (reported as its `stop_token`); EOS not ending it (Tinker's `stop=[]`);
    # each prompt token's logprob reported on the choice's first event.
    top_k: int = -1
    stop_token_ids: tuple[int, ...] = ()
    ignore_eos: bool = False
    prompt_logprobs: bool = False
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
    # The token's id (-1 where an engine does not know it).
    token_id: int = -1


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
    # On the last event of a choice ended by EOS or a stop token id: that token, which is not
    # part of the text (Tinker returns it among the sampled tokens); None when logprobs are off.
    stop_token: TokenLogprob | None = None
    # On the first event, when the request asked: each prompt token's logprob given the tokens
    # before it, None at position 0 (nothing precedes it).
    prompt_logprobs: tuple[float | None, ...] | None = None


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
