"""Choosing the next token for every row of a batch, each row with its own parameters.

Order of operations, as OpenAI documents them: logit_bias and presence/frequency penalties
adjust the logits; a row's grammar, when it has one, sets every token it disallows to -inf
(constrained.py beside this module); logprobs are reported from those adjusted logits (before
temperature); temperature 0 is greedy (argmax); otherwise temperature scales the logits,
top_p keeps the smallest set of tokens whose probability mass reaches top_p and top_k the k
most likely.

Determinism: a sampled row draws exactly one uniform number per step from its own CPU
`torch.Generator` (seeded from the request's `seed`, or at random), and picks the token by
inverse CDF. What a row samples therefore does not depend on which other rows share its batch.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import torch

from service.inference.types import SamplingParams

if TYPE_CHECKING:
    from llguidance import LLMatcher

    from service.inference.engines.builtin.constrained import Matchers


def new_generator(seed: int | None, choice: int = 0) -> torch.Generator:
    """A CPU generator for one choice: from `seed` (distinct per choice index) or at random."""
    generator = torch.Generator(device="cpu")
    if seed is None:
        generator.manual_seed(secrets.randbits(63))
    else:
        # Different choices of one request (n > 1) must differ yet stay reproducible.
        generator.manual_seed((seed * 1_000_003 + choice) % (2**63))
    return generator


@dataclass
class RowState:
    """One row's sampling parameters, its generator, and the tokens it generated so far."""

    params: SamplingParams
    generator: torch.Generator
    output_ids: list[int] = field(default_factory=list)
    # The llguidance matcher of a row whose output is constrained by a grammar, else None.
    matcher: LLMatcher | None = None


@dataclass(frozen=True)
class Sampled:
    """The chosen token of each row and, for rows that asked, logprobs."""

    token_ids: list[int]
    # Per row: None, or (chosen token's logprob, [(token id, logprob), ...] best first).
    logprobs: list[tuple[float, list[tuple[int, float]]] | None]


def adjust_logits(logits: torch.Tensor, rows: list[RowState]) -> torch.Tensor:
    """logit_bias and presence/frequency penalties, applied row by row (only where set)."""
    vocab = logits.shape[-1]
    for index, row in enumerate(rows):
        params = row.params
        if params.logit_bias:
            ids = [t for t in params.logit_bias if 0 <= t < vocab]
            if ids:
                bias = torch.tensor([params.logit_bias[t] for t in ids], dtype=logits.dtype)
                logits[index, ids] += bias.to(logits.device)
        if (params.presence_penalty or params.frequency_penalty) and row.output_ids:
            seen = torch.tensor(row.output_ids, device=logits.device)
            counts = torch.bincount(seen, minlength=vocab)[:vocab].to(logits.dtype)
            logits[index] -= params.frequency_penalty * counts
            logits[index] -= params.presence_penalty * (counts > 0).to(logits.dtype)
    return logits


def sample(logits: torch.Tensor, rows: list[RowState], grammar: Matchers | None = None) -> Sampled:
    """The next token for each row of `logits` ([rows, vocab], last position); `grammar`
    masks the rows that carry a matcher."""
    logits = adjust_logits(logits.float().clone(), rows)
    if grammar is not None and any(row.matcher is not None for row in rows):
        grammar.mask(logits, [row.matcher for row in rows])
    chosen = logits.argmax(dim=-1)
    sampled_rows = [i for i, row in enumerate(rows) if row.params.temperature > 0]
    if sampled_rows:
        index = torch.tensor(sampled_rows, device=logits.device)
        temperature = torch.tensor(
            [rows[i].params.temperature for i in sampled_rows], device=logits.device
        )
        top_p = torch.tensor([rows[i].params.top_p for i in sampled_rows], device=logits.device)
        probs = torch.softmax(logits[index] / temperature[:, None], dim=-1)
        sorted_probs, sorted_ids = probs.sort(dim=-1, descending=True)
        # Drop a token once the mass before it already reaches top_p; the top token always stays.
        before = sorted_probs.cumsum(dim=-1) - sorted_probs
        outside = before >= top_p[:, None]
        # top_k (Tinker's; -1 or 0: every token) keeps the k most likely tokens only.
        top_k = torch.tensor(
            [
                rows[i].params.top_k if rows[i].params.top_k > 0 else probs.shape[-1]
                for i in sampled_rows
            ],
            device=logits.device,
        )
        rank = torch.arange(probs.shape[-1], device=logits.device)
        outside |= rank[None, :] >= top_k[:, None]
        outside[:, 0] = False
        sorted_probs = sorted_probs.masked_fill(outside, 0.0)
        cdf = sorted_probs.cumsum(dim=-1)
        draws = torch.tensor(
            [float(torch.rand((), generator=rows[i].generator)) for i in sampled_rows],
            device=logits.device,
        )
        pick = torch.searchsorted(cdf, (draws * cdf[:, -1])[:, None], right=True)
        pick = pick.clamp(max=cdf.shape[-1] - 1)
        chosen[index] = sorted_ids.gather(1, pick).squeeze(1)
    token_ids: list[int] = chosen.tolist()
    return Sampled(token_ids=token_ids, logprobs=_logprobs(logits, chosen, rows))


def _logprobs(
    logits: torch.Tensor, chosen: torch.Tensor, rows: list[RowState]
) -> list[tuple[float, list[tuple[int, float]]] | None]:
    wanted = [row.params.top_logprobs for row in rows]
    if all(k is None for k in wanted):
        return [None] * len(rows)
    # A token a grammar forbids has logprob -inf, which JSON cannot carry; OpenAI reports -9999.
    logprobs = torch.log_softmax(logits, dim=-1).clamp(min=-9999.0)
    chosen_lp = logprobs.gather(1, chosen[:, None]).squeeze(1).tolist()
    k = max(k or 0 for k in wanted)
    top_values, top_ids = logprobs.topk(k, dim=-1) if k else (None, None)
    result: list[tuple[float, list[tuple[int, float]]] | None] = []
    for index, want in enumerate(wanted):
        if want is None:
            result.append(None)
            continue
        alternatives: list[tuple[int, float]] = []
        if want and top_ids is not None and top_values is not None:
            alternatives = list(
                zip(top_ids[index, :want].tolist(), top_values[index, :want].tolist(), strict=True)
            )
        result.append((chosen_lp[index], alternatives))
    return result
