from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Literal, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.response_output_message_status import ResponseOutputMessageStatus
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.response_output_text import ResponseOutputText


T = TypeVar("T", bound="ResponseOutputMessage")


@_attrs_define
class ResponseOutputMessage:
    """An assistant message of the output.

    Attributes:
        id (str): Identifier of the item (`msg_...`).
        status (ResponseOutputMessageStatus): `incomplete` when cut by max_output_tokens.
        content (list[ResponseOutputText]): The text parts.
        type_ (Literal['message'] | Unset): Always `message`. Default: 'message'.
        role (Literal['assistant'] | Unset): Always `assistant`. Default: 'assistant'.
    """

    id: str
    status: ResponseOutputMessageStatus
    content: list[ResponseOutputText]
    type_: Literal["message"] | Unset = "message"
    role: Literal["assistant"] | Unset = "assistant"
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        status = self.status.value

        content = []
        for content_item_data in self.content:
            content_item = content_item_data.to_dict()
            content.append(content_item)

        type_ = self.type_

        role = self.role

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "status": status,
                "content": content,
            }
        )
        if type_ is not UNSET:
            field_dict["type"] = type_
        if role is not UNSET:
            field_dict["role"] = role

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.response_output_text import ResponseOutputText  # noqa: PLC0415

        d = dict(src_dict)
        id = d.pop("id")

        status = ResponseOutputMessageStatus(d.pop("status"))

        content = []
        _content = d.pop("content")
        for content_item_data in _content:
            content_item = ResponseOutputText.from_dict(content_item_data)

            content.append(content_item)

        type_ = cast(Literal["message"] | Unset, d.pop("type", UNSET))
        if type_ != "message" and not isinstance(type_, Unset):
            raise ValueError(f"type must match const 'message', got '{type_}'")

        role = cast(Literal["assistant"] | Unset, d.pop("role", UNSET))
        if role != "assistant" and not isinstance(role, Unset):
            raise ValueError(f"role must match const 'assistant', got '{role}'")

        response_output_message = cls(
            id=id,
            status=status,
            content=content,
            type_=type_,
            role=role,
        )

        response_output_message.additional_properties = d
        return response_output_message

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
