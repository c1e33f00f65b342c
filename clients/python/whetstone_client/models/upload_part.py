from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="UploadPart")


@_attrs_define
class UploadPart:
    """One part of an upload (OpenAI's `UploadPart`).

    Attributes:
        id (str): The Part identifier, `part_...`.
        created_at (int): Unix seconds when the Part was created.
        upload_id (str): The Upload this Part belongs to.
        object_ (Literal['upload.part'] | Unset): Always `upload.part`. Default: 'upload.part'.
    """

    id: str
    created_at: int
    upload_id: str
    object_: Literal["upload.part"] | Unset = "upload.part"
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        created_at = self.created_at

        upload_id = self.upload_id

        object_ = self.object_

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "created_at": created_at,
                "upload_id": upload_id,
            }
        )
        if object_ is not UNSET:
            field_dict["object"] = object_

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        id = d.pop("id")

        created_at = d.pop("created_at")

        upload_id = d.pop("upload_id")

        object_ = cast(Literal["upload.part"] | Unset, d.pop("object", UNSET))
        if object_ != "upload.part" and not isinstance(object_, Unset):
            raise ValueError(f"object must match const 'upload.part', got '{object_}'")

        upload_part = cls(
            id=id,
            created_at=created_at,
            upload_id=upload_id,
            object_=object_,
        )

        upload_part.additional_properties = d
        return upload_part

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
