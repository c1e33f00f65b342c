from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

T = TypeVar("T", bound="ScoreModelSamplingParams")


@_attrs_define
class ScoreModelSamplingParams:
    """The sampling parameters of a score_model grader's model.

    Attributes:
        seed (int | None | Unset): Seed of the sampling (same seed, same reply).
        top_p (float | None | Unset): Nucleus sampling mass (default 1).
        temperature (float | None | Unset): Sampling temperature; default 0 (greedy).
        max_completions_tokens (int | None | Unset): Most tokens the grader model may generate (default 256).
        reasoning_effort (None | str | Unset): Refused unless null: the served models are not reasoning models.
    """

    seed: int | None | Unset = UNSET
    top_p: float | None | Unset = UNSET
    temperature: float | None | Unset = UNSET
    max_completions_tokens: int | None | Unset = UNSET
    reasoning_effort: None | str | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        seed: int | None | Unset
        if isinstance(self.seed, Unset):
            seed = UNSET
        else:
            seed = self.seed

        top_p: float | None | Unset
        if isinstance(self.top_p, Unset):
            top_p = UNSET
        else:
            top_p = self.top_p

        temperature: float | None | Unset
        if isinstance(self.temperature, Unset):
            temperature = UNSET
        else:
            temperature = self.temperature

        max_completions_tokens: int | None | Unset
        if isinstance(self.max_completions_tokens, Unset):
            max_completions_tokens = UNSET
        else:
            max_completions_tokens = self.max_completions_tokens

        reasoning_effort: None | str | Unset
        if isinstance(self.reasoning_effort, Unset):
            reasoning_effort = UNSET
        else:
            reasoning_effort = self.reasoning_effort

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if seed is not UNSET:
            field_dict["seed"] = seed
        if top_p is not UNSET:
            field_dict["top_p"] = top_p
        if temperature is not UNSET:
            field_dict["temperature"] = temperature
        if max_completions_tokens is not UNSET:
            field_dict["max_completions_tokens"] = max_completions_tokens
        if reasoning_effort is not UNSET:
            field_dict["reasoning_effort"] = reasoning_effort

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)

        def _parse_seed(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        seed = _parse_seed(d.pop("seed", UNSET))

        def _parse_top_p(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        top_p = _parse_top_p(d.pop("top_p", UNSET))

        def _parse_temperature(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        temperature = _parse_temperature(d.pop("temperature", UNSET))

        def _parse_max_completions_tokens(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        max_completions_tokens = _parse_max_completions_tokens(d.pop("max_completions_tokens", UNSET))

        def _parse_reasoning_effort(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        reasoning_effort = _parse_reasoning_effort(d.pop("reasoning_effort", UNSET))

        score_model_sampling_params = cls(
            seed=seed,
            top_p=top_p,
            temperature=temperature,
            max_completions_tokens=max_completions_tokens,
            reasoning_effort=reasoning_effort,
        )

        return score_model_sampling_params
