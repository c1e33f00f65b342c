from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

T = TypeVar("T", bound="EvalItemInputImage")


@_attrs_define
class EvalItemInputImage:
    """An image input block (refused: the served models read text only).

    Attributes:
        type_ (Literal['input_image']): Always `input_image`.
        image_url (str): The URL of the image input.
        detail (None | str | Unset): `high`, `low` or `auto`.
    """

    type_: Literal["input_image"]
    image_url: str
    detail: None | str | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        type_ = self.type_

        image_url = self.image_url

        detail: None | str | Unset
        if isinstance(self.detail, Unset):
            detail = UNSET
        else:
            detail = self.detail

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "type": type_,
                "image_url": image_url,
            }
        )
        if detail is not UNSET:
            field_dict["detail"] = detail

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        type_ = cast(Literal["input_image"], d.pop("type"))
        if type_ != "input_image":
            raise ValueError(f"type must match const 'input_image', got '{type_}'")

        image_url = d.pop("image_url")

        def _parse_detail(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        detail = _parse_detail(d.pop("detail", UNSET))

        eval_item_input_image = cls(
            type_=type_,
            image_url=image_url,
            detail=detail,
        )

        return eval_item_input_image
