from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Literal, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.input_text_content_prompt_cache_breakpoint_type_0 import InputTextContentPromptCacheBreakpointType0


T = TypeVar("T", bound="InputTextContent")


@_attrs_define
class InputTextContent:
    """A text input to the model.

    Attributes:
        type_ (Literal['input_text']): Always `input_text`.
        text (str): The text input to the model; may include template strings.
        prompt_cache_breakpoint (InputTextContentPromptCacheBreakpointType0 | None | Unset): Accepted; no prompt cache
            is kept.
    """

    type_: Literal["input_text"]
    text: str
    prompt_cache_breakpoint: InputTextContentPromptCacheBreakpointType0 | None | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        from ..models.input_text_content_prompt_cache_breakpoint_type_0 import (
            InputTextContentPromptCacheBreakpointType0,  # noqa: PLC0415
        )

        type_ = self.type_

        text = self.text

        prompt_cache_breakpoint: dict[str, Any] | None | Unset
        if isinstance(self.prompt_cache_breakpoint, Unset):
            prompt_cache_breakpoint = UNSET
        elif isinstance(self.prompt_cache_breakpoint, InputTextContentPromptCacheBreakpointType0):
            prompt_cache_breakpoint = self.prompt_cache_breakpoint.to_dict()
        else:
            prompt_cache_breakpoint = self.prompt_cache_breakpoint

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "type": type_,
                "text": text,
            }
        )
        if prompt_cache_breakpoint is not UNSET:
            field_dict["prompt_cache_breakpoint"] = prompt_cache_breakpoint

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.input_text_content_prompt_cache_breakpoint_type_0 import (
            InputTextContentPromptCacheBreakpointType0,  # noqa: PLC0415
        )

        d = dict(src_dict)
        type_ = cast(Literal["input_text"], d.pop("type"))
        if type_ != "input_text":
            raise ValueError(f"type must match const 'input_text', got '{type_}'")

        text = d.pop("text")

        def _parse_prompt_cache_breakpoint(data: object) -> InputTextContentPromptCacheBreakpointType0 | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                prompt_cache_breakpoint_type_0 = InputTextContentPromptCacheBreakpointType0.from_dict(data)

                return prompt_cache_breakpoint_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(InputTextContentPromptCacheBreakpointType0 | None | Unset, data)

        prompt_cache_breakpoint = _parse_prompt_cache_breakpoint(d.pop("prompt_cache_breakpoint", UNSET))

        input_text_content = cls(
            type_=type_,
            text=text,
            prompt_cache_breakpoint=prompt_cache_breakpoint,
        )

        return input_text_content
