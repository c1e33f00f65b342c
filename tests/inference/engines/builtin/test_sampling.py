"""Sampling: greedy at temperature 0, seeded determinism, top_p, penalties, logprobs."""

from __future__ import annotations

import math

import torch

from service.inference.engines.builtin.sampling import RowState, new_generator, sample
from service.inference.types import SamplingParams

# Token 2 is the most likely, then 0, then 1, then 3 (probabilities 0.5, 0.3, 0.15, 0.05).
LOGITS = torch.log(torch.tensor([[0.3, 0.15, 0.5, 0.05]]))


def row(seed: int | None = None, **params: float) -> RowState:
    """A row with the given parameters."""
    sampling = SamplingParams(max_tokens=10, seed=seed, **params)  # type: ignore[arg-type]
    return RowState(params=sampling, generator=new_generator(seed))


def draws(state: RowState, count: int) -> list[int]:
    """`count` consecutive samples of one row."""
    return [sample(LOGITS, [state]).token_ids[0] for _ in range(count)]


def test_temperature_zero_is_greedy() -> None:
    assert set(draws(row(seed=1, temperature=0.0), 20)) == {2}


def test_same_seed_same_sample_and_other_seeds_differ() -> None:
    first = draws(row(seed=42, temperature=1.0), 40)
    assert draws(row(seed=42, temperature=1.0), 40) == first
    assert draws(row(seed=43, temperature=1.0), 40) != first
    assert len(set(first)) > 1  # it really samples


def test_a_rows_sample_does_not_depend_on_its_batch() -> None:
    alone = [sample(LOGITS, [row(seed=7, temperature=1.0)]).token_ids[0] for _ in range(1)]
    neighbour, state = row(seed=99, temperature=1.0), row(seed=7, temperature=1.0)
    batched = sample(LOGITS.repeat(2, 1), [neighbour, state]).token_ids[1]
    assert batched == alone[0]


def test_top_p_keeps_only_the_nucleus() -> None:
    # Mass before token 1 (third most likely) is 0.8 >= 0.7: it and token 3 are outside.
    assert set(draws(row(seed=3, temperature=1.0, top_p=0.7), 200)) == {0, 2}
    assert set(draws(row(seed=3, temperature=1.0, top_p=0.0), 50)) == {2}


def test_penalties_and_logit_bias_move_the_argmax() -> None:
    repeated = row(temperature=0.0, frequency_penalty=2.0)
    repeated.output_ids.extend([2, 2])
    assert sample(LOGITS, [repeated]).token_ids == [0]
    biased = RowState(
        params=SamplingParams(max_tokens=1, temperature=0.0, logit_bias={3: 100.0}),
        generator=new_generator(None),
    )
    assert sample(LOGITS, [biased]).token_ids == [3]


def test_logprobs_report_the_chosen_token_and_the_best_alternatives() -> None:
    state = RowState(
        params=SamplingParams(max_tokens=1, temperature=0.0, top_logprobs=2),
        generator=new_generator(None),
    )
    chosen, alternatives = sample(LOGITS, [state]).logprobs[0]  # type: ignore[misc]
    assert math.isclose(chosen, math.log(0.5), rel_tol=1e-5)
    assert [token for token, _ in alternatives] == [2, 0]
    assert sample(LOGITS, [row(temperature=0.0)]).logprobs == [None]


def test_top_k_keeps_the_k_most_likely_tokens() -> None:
    assert set(draws(row(seed=5, temperature=1.0, top_k=2), 60)) == {2, 0}
    assert set(draws(row(seed=5, temperature=1.0, top_k=1), 20)) == {2}
