from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="EvalStoredCompletionsSource")


@_attrs_define
class EvalStoredCompletionsSource:
    """Items from stored chat completions (refused: Whetstone stores none).

    Attributes:
        type_ (Literal['stored_completions']): Always `stored_completions`.
    """

    type_: Literal["stored_completions"]
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
        type_ = cast(Literal["stored_completions"], d.pop("type"))
        if type_ != "stored_completions":
            raise ValueError(f"type must match const 'stored_completions', got '{type_}'")

        eval_stored_completions_source = cls(
            type_=type_,
        )

        eval_stored_completions_source.additional_properties = d
        return eval_stored_completions_source

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
