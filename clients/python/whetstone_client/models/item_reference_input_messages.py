from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal, TypeVar, cast

from attrs import define as _attrs_define

T = TypeVar("T", bound="ItemReferenceInputMessages")


@_attrs_define
class ItemReferenceInputMessages:
    """The messages are a list in each item, e.g. `item.input_trajectory`.

    Attributes:
        type_ (Literal['item_reference']): Always `item_reference`.
        item_reference (str): A variable of the `item` namespace.
    """

    type_: Literal["item_reference"]
    item_reference: str

    def to_dict(self) -> dict[str, Any]:
        type_ = self.type_

        item_reference = self.item_reference

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "type": type_,
                "item_reference": item_reference,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        type_ = cast(Literal["item_reference"], d.pop("type"))
        if type_ != "item_reference":
            raise ValueError(f"type must match const 'item_reference', got '{type_}'")

        item_reference = d.pop("item_reference")

        item_reference_input_messages = cls(
            type_=type_,
            item_reference=item_reference,
        )

        return item_reference_input_messages
