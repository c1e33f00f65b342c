"""Grammar-constrained decoding per row of a mixed batch (engine thread only; imports torch).

Rows with a grammar and rows without share every forward pass. Before sampling, one llguidance
executor call computes the allowed-token bitmask of every constrained row at once (in parallel,
with the GIL released), and one masked_fill sets the disallowed logits of those rows to -inf;
unconstrained rows are untouched. After sampling, each row's matcher consumes its token.

Why not llguidance.torch's helpers: importing it loads torch.compile's machinery (a second at
start-up) and its mask kernel compiles on first call (tens of seconds on a CPU); the executor
call and the bit unpacking below are the same operations.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import llguidance
import llguidance.hf
import torch
from transformers import PreTrainedTokenizerFast

from service.inference.grammar import Grammar

if TYPE_CHECKING:
    from transformers import PreTrainedTokenizerBase

_BITS = torch.arange(32, dtype=torch.int32)


@dataclass(frozen=True)
class _Guidance:
    """llguidance's view of the vocabulary, and the executor that masks rows in parallel."""

    tokenizer: llguidance.LLTokenizer
    executor: llguidance.LLExecutor


class Matchers:
    """The llguidance tokenizer of one base model, and a matcher per constrained choice."""

    def __init__(self, tokenizer: PreTrainedTokenizerBase, eos_ids: set[int]):
        self._hf_tokenizer = tokenizer
        self._eos_ids = sorted(eos_ids)
        self._guidance: _Guidance | None = None  # built with the first matcher

    def new(self, grammar: Grammar) -> llguidance.LLMatcher:
        """A fresh matcher for one choice; raises ValueError when the grammar cannot run."""
        if self._guidance is None:
            if not isinstance(self._hf_tokenizer, PreTrainedTokenizerFast):
                raise ValueError("Only fast tokenizers are supported")  # as llguidance says
            # Building it walks the whole vocabulary (about a second for 128k tokens): once.
            tokenizer = llguidance.hf.from_tokenizer(
                self._hf_tokenizer, eos_token=self._eos_ids or None
            )
            self._guidance = _Guidance(tokenizer, llguidance.LLExecutor())
        matcher = llguidance.LLMatcher(self._guidance.tokenizer, grammar.source, log_level=0)
        if matcher.is_error():
            raise ValueError(matcher.get_error())
        return matcher

    def mask(self, logits: torch.Tensor, matchers: list[llguidance.LLMatcher | None]) -> None:
        """Set to -inf, in place, every logit its row's matcher disallows ([rows, vocab])."""
        rows = [i for i, m in enumerate(matchers) if m is not None and not m.is_stopped()]
        # No guidance yet means no matcher was ever made: there is nothing to mask.
        if not rows or self._guidance is None:
            return
        vocab = self._guidance.tokenizer.vocab_size
        words = (vocab + 31) // 32
        bitmask = torch.full((len(rows), words), -1, dtype=torch.int32)
        # Row k of `bitmask` receives the mask of matcher k; the executor writes them all, in
        # parallel, straight into the tensor's memory (contiguous int32, on the CPU).
        self._guidance.executor.unsafe_compute_mask_ptr(
            [(matcher, k) for k, i in enumerate(rows) if (matcher := matchers[i]) is not None],
            bitmask.data_ptr(),
            words * 4,
            len(rows),
        )
        allowed = ((bitmask[:, :, None] >> _BITS) & 1).bool().reshape(len(rows), words * 32)
        width = logits.shape[-1]
        if width > allowed.shape[1]:
            # Embedding rows past the tokenizer's vocabulary (padding) are never valid tokens.
            pad = torch.zeros((len(rows), width - allowed.shape[1]), dtype=torch.bool)
            allowed = torch.cat([allowed, pad], dim=1)
        allowed = allowed[:, :width].to(logits.device)
        # A matcher in an error state allows nothing; leave such a row free rather than NaN.
        allowed[~allowed.any(dim=1)] = True
        index = torch.tensor(rows, device=logits.device)
        logits[index] = logits[index].masked_fill(~allowed, float("-inf"))
