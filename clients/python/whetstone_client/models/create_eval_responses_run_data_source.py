from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="CreateEvalResponsesRunDataSource")


@_attrs_define
class CreateEvalResponsesRunDataSource:
    """Samples through the Responses API (refused until Whetstone serves it).

    Attributes:
        type_ (Literal['responses']): Always `responses`.
    """

    type_: Literal["responses"]
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        type_ = self.type_

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "type": type_,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        type_ = cast(Literal["responses"], d.pop("type"))
        if type_ != "responses":
            raise ValueError(f"type must match const 'responses', got '{type_}'")

        create_eval_responses_run_data_source = cls(
            type_=type_,
        )

        create_eval_responses_run_data_source.additional_properties = d
        return create_eval_responses_run_data_source

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
