from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Literal, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.response_reasoning_item_summary_item import ResponseReasoningItemSummaryItem


T = TypeVar("T", bound="ResponseReasoningItem")


@_attrs_define
class ResponseReasoningItem:
    """The reasoning of a reasoning model: always empty here.

    Attributes:
        id (str): Identifier of the item (`rs_...`).
        type_ (Literal['reasoning'] | Unset): Always `reasoning`. Default: 'reasoning'.
        summary (list[ResponseReasoningItemSummaryItem] | Unset): Always empty: no reasoning is done.
    """

    id: str
    type_: Literal["reasoning"] | Unset = "reasoning"
    summary: list[ResponseReasoningItemSummaryItem] | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        type_ = self.type_

        summary: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.summary, Unset):
            summary = []
            for summary_item_data in self.summary:
                summary_item = summary_item_data.to_dict()
                summary.append(summary_item)

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
            }
        )
        if type_ is not UNSET:
            field_dict["type"] = type_
        if summary is not UNSET:
            field_dict["summary"] = summary

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.response_reasoning_item_summary_item import ResponseReasoningItemSummaryItem  # noqa: PLC0415

        d = dict(src_dict)
        id = d.pop("id")

        type_ = cast(Literal["reasoning"] | Unset, d.pop("type", UNSET))
        if type_ != "reasoning" and not isinstance(type_, Unset):
            raise ValueError(f"type must match const 'reasoning', got '{type_}'")

        _summary = d.pop("summary", UNSET)
        summary: list[ResponseReasoningItemSummaryItem] | Unset = UNSET
        if _summary is not UNSET:
            summary = []
            for summary_item_data in _summary:
                summary_item = ResponseReasoningItemSummaryItem.from_dict(summary_item_data)

                summary.append(summary_item)

        response_reasoning_item = cls(
            id=id,
            type_=type_,
            summary=summary,
        )

        response_reasoning_item.additional_properties = d
        return response_reasoning_item

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
