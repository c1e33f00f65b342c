from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Literal, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.choice_delta_tool_call import ChoiceDeltaToolCall


T = TypeVar("T", bound="ChoiceDelta")


@_attrs_define
class ChoiceDelta:
    """What a streamed chunk adds to a choice.

    Attributes:
        role (Literal['assistant'] | None | Unset): `assistant` on the first chunk.
        content (None | str | Unset): New text of the reply.
        refusal (None | str | Unset): Always null.
        tool_calls (list[ChoiceDeltaToolCall] | None | Unset): What the chunk adds to the reply's tool calls.
    """

    role: Literal["assistant"] | None | Unset = UNSET
    content: None | str | Unset = UNSET
    refusal: None | str | Unset = UNSET
    tool_calls: list[ChoiceDeltaToolCall] | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        role: Literal["assistant"] | None | Unset
        if isinstance(self.role, Unset):
            role = UNSET
        else:
            role = self.role

        content: None | str | Unset
        if isinstance(self.content, Unset):
            content = UNSET
        else:
            content = self.content

        refusal: None | str | Unset
        if isinstance(self.refusal, Unset):
            refusal = UNSET
        else:
            refusal = self.refusal

        tool_calls: list[dict[str, Any]] | None | Unset
        if isinstance(self.tool_calls, Unset):
            tool_calls = UNSET
        elif isinstance(self.tool_calls, list):
            tool_calls = []
            for tool_calls_type_0_item_data in self.tool_calls:
                tool_calls_type_0_item = tool_calls_type_0_item_data.to_dict()
                tool_calls.append(tool_calls_type_0_item)

        else:
            tool_calls = self.tool_calls

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if role is not UNSET:
            field_dict["role"] = role
        if content is not UNSET:
            field_dict["content"] = content
        if refusal is not UNSET:
            field_dict["refusal"] = refusal
        if tool_calls is not UNSET:
            field_dict["tool_calls"] = tool_calls

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.choice_delta_tool_call import ChoiceDeltaToolCall  # noqa: PLC0415

        d = dict(src_dict)

        def _parse_role(data: object) -> Literal["assistant"] | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            role_type_0 = cast(Literal["assistant"], data)
            if role_type_0 != "assistant":
                raise ValueError(f"role_type_0 must match const 'assistant', got '{role_type_0}'")
            return role_type_0
            return cast(Literal["assistant"] | None | Unset, data)

        role = _parse_role(d.pop("role", UNSET))

        def _parse_content(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        content = _parse_content(d.pop("content", UNSET))

        def _parse_refusal(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        refusal = _parse_refusal(d.pop("refusal", UNSET))

        def _parse_tool_calls(data: object) -> list[ChoiceDeltaToolCall] | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                tool_calls_type_0 = []
                _tool_calls_type_0 = data
                for tool_calls_type_0_item_data in _tool_calls_type_0:
                    tool_calls_type_0_item = ChoiceDeltaToolCall.from_dict(tool_calls_type_0_item_data)

                    tool_calls_type_0.append(tool_calls_type_0_item)

                return tool_calls_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[ChoiceDeltaToolCall] | None | Unset, data)

        tool_calls = _parse_tool_calls(d.pop("tool_calls", UNSET))

        choice_delta = cls(
            role=role,
            content=content,
            refusal=refusal,
            tool_calls=tool_calls,
        )

        choice_delta.additional_properties = d
        return choice_delta

    @property
    def additional_keys(self) -> list[str]:
        return list(self.additional_properties.keys())

    def __getitem__(self, key: str) -> Any:
        return self.additional_properties[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self.additional_properties[key] = value

    def __delitem__(self, key: str) -> None:
        del self.additional_properties[key]

    def __contains__(self, key: str) -> bool:
        return key in self.additional_properties
