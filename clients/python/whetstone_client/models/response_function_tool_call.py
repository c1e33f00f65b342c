from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.response_function_tool_call_status import ResponseFunctionToolCallStatus
from ..types import UNSET, Unset

T = TypeVar("T", bound="ResponseFunctionToolCall")


@_attrs_define
class ResponseFunctionToolCall:
    """A call of one of the request's functions.

    Attributes:
        id (str): Identifier of the item (`fc_...`).
        call_id (str): The id the call's output answers (`call_...`).
        name (str): The function's name.
        arguments (str): Its arguments, as JSON text.
        status (ResponseFunctionToolCallStatus): The status of the item.
        type_ (Literal['function_call'] | Unset): Always `function_call`. Default: 'function_call'.
    """

    id: str
    call_id: str
    name: str
    arguments: str
    status: ResponseFunctionToolCallStatus
    type_: Literal["function_call"] | Unset = "function_call"
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        call_id = self.call_id

        name = self.name

        arguments = self.arguments

        status = self.status.value

        type_ = self.type_

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "call_id": call_id,
                "name": name,
                "arguments": arguments,
                "status": status,
            }
        )
        if type_ is not UNSET:
            field_dict["type"] = type_

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        id = d.pop("id")

        call_id = d.pop("call_id")

        name = d.pop("name")

        arguments = d.pop("arguments")

        status = ResponseFunctionToolCallStatus(d.pop("status"))

        type_ = cast(Literal["function_call"] | Unset, d.pop("type", UNSET))
        if type_ != "function_call" and not isinstance(type_, Unset):
            raise ValueError(f"type must match const 'function_call', got '{type_}'")

        response_function_tool_call = cls(
            id=id,
            call_id=call_id,
            name=name,
            arguments=arguments,
            status=status,
            type_=type_,
        )

        response_function_tool_call.additional_properties = d
        return response_function_tool_call

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
