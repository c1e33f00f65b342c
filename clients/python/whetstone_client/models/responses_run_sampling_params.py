from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.responses_run_sampling_params_text_type_0 import ResponsesRunSamplingParamsTextType0
    from ..models.responses_run_sampling_params_tools_type_0_item import ResponsesRunSamplingParamsToolsType0Item


T = TypeVar("T", bound="ResponsesRunSamplingParams")


@_attrs_define
class ResponsesRunSamplingParams:
    """How the evaluated model samples, when a `responses` run samples one.

    Attributes:
        temperature (float | None | Unset): Sampling temperature (1).
        max_completion_tokens (int | None | Unset): Most tokens per reply.
        top_p (float | None | Unset): Nucleus sampling mass (1).
        seed (int | None | Unset): Seed of the sampling (default 42).
        reasoning_effort (None | str | Unset): Refused: no reasoning is done.
        text (None | ResponsesRunSamplingParamsTextType0 | Unset): `format`: text, json_object or json_schema, as the
            Responses API's.
        tools (list[ResponsesRunSamplingParamsToolsType0Item] | None | Unset): Function tools, as the Responses API
            takes them.
    """

    temperature: float | None | Unset = UNSET
    max_completion_tokens: int | None | Unset = UNSET
    top_p: float | None | Unset = UNSET
    seed: int | None | Unset = UNSET
    reasoning_effort: None | str | Unset = UNSET
    text: None | ResponsesRunSamplingParamsTextType0 | Unset = UNSET
    tools: list[ResponsesRunSamplingParamsToolsType0Item] | None | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        from ..models.responses_run_sampling_params_text_type_0 import ResponsesRunSamplingParamsTextType0  # noqa: PLC0415

        temperature: float | None | Unset
        if isinstance(self.temperature, Unset):
            temperature = UNSET
        else:
            temperature = self.temperature

        max_completion_tokens: int | None | Unset
        if isinstance(self.max_completion_tokens, Unset):
            max_completion_tokens = UNSET
        else:
            max_completion_tokens = self.max_completion_tokens

        top_p: float | None | Unset
        if isinstance(self.top_p, Unset):
            top_p = UNSET
        else:
            top_p = self.top_p

        seed: int | None | Unset
        if isinstance(self.seed, Unset):
            seed = UNSET
        else:
            seed = self.seed

        reasoning_effort: None | str | Unset
        if isinstance(self.reasoning_effort, Unset):
            reasoning_effort = UNSET
        else:
            reasoning_effort = self.reasoning_effort

        text: dict[str, Any] | None | Unset
        if isinstance(self.text, Unset):
            text = UNSET
        elif isinstance(self.text, ResponsesRunSamplingParamsTextType0):
            text = self.text.to_dict()
        else:
            text = self.text

        tools: list[dict[str, Any]] | None | Unset
        if isinstance(self.tools, Unset):
            tools = UNSET
        elif isinstance(self.tools, list):
            tools = []
            for tools_type_0_item_data in self.tools:
                tools_type_0_item = tools_type_0_item_data.to_dict()
                tools.append(tools_type_0_item)

        else:
            tools = self.tools

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if temperature is not UNSET:
            field_dict["temperature"] = temperature
        if max_completion_tokens is not UNSET:
            field_dict["max_completion_tokens"] = max_completion_tokens
        if top_p is not UNSET:
            field_dict["top_p"] = top_p
        if seed is not UNSET:
            field_dict["seed"] = seed
        if reasoning_effort is not UNSET:
            field_dict["reasoning_effort"] = reasoning_effort
        if text is not UNSET:
            field_dict["text"] = text
        if tools is not UNSET:
            field_dict["tools"] = tools

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.responses_run_sampling_params_text_type_0 import ResponsesRunSamplingParamsTextType0  # noqa: PLC0415
        from ..models.responses_run_sampling_params_tools_type_0_item import ResponsesRunSamplingParamsToolsType0Item  # noqa: PLC0415

        d = dict(src_dict)

        def _parse_temperature(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        temperature = _parse_temperature(d.pop("temperature", UNSET))

        def _parse_max_completion_tokens(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        max_completion_tokens = _parse_max_completion_tokens(d.pop("max_completion_tokens", UNSET))

        def _parse_top_p(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        top_p = _parse_top_p(d.pop("top_p", UNSET))

        def _parse_seed(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        seed = _parse_seed(d.pop("seed", UNSET))

        def _parse_reasoning_effort(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        reasoning_effort = _parse_reasoning_effort(d.pop("reasoning_effort", UNSET))

        def _parse_text(data: object) -> None | ResponsesRunSamplingParamsTextType0 | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                text_type_0 = ResponsesRunSamplingParamsTextType0.from_dict(data)

                return text_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | ResponsesRunSamplingParamsTextType0 | Unset, data)

        text = _parse_text(d.pop("text", UNSET))

        def _parse_tools(data: object) -> list[ResponsesRunSamplingParamsToolsType0Item] | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                tools_type_0 = []
                _tools_type_0 = data
                for tools_type_0_item_data in _tools_type_0:
                    tools_type_0_item = ResponsesRunSamplingParamsToolsType0Item.from_dict(tools_type_0_item_data)

                    tools_type_0.append(tools_type_0_item)

                return tools_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[ResponsesRunSamplingParamsToolsType0Item] | None | Unset, data)

        tools = _parse_tools(d.pop("tools", UNSET))

        responses_run_sampling_params = cls(
            temperature=temperature,
            max_completion_tokens=max_completion_tokens,
            top_p=top_p,
            seed=seed,
            reasoning_effort=reasoning_effort,
            text=text,
            tools=tools,
        )

        return responses_run_sampling_params
