from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.open_ai_file_purpose import OpenAIFilePurpose
from ..models.open_ai_file_status import OpenAIFileStatus
from ..types import UNSET, Unset

T = TypeVar("T", bound="OpenAIFile")


@_attrs_define
class OpenAIFile:
    """A file stored in Whetstone (OpenAI's `OpenAIFile`).

    Attributes:
        id (str): The file identifier, `file-...`.
        bytes_ (int): The size of the file in bytes.
        created_at (int): Unix seconds when the file was created.
        filename (str): The name of the file.
        purpose (OpenAIFilePurpose): The intended purpose of the file.
        object_ (Literal['file'] | Unset): Always `file`. Default: 'file'.
        expires_at (int | None | Unset): Unix seconds when the file expires, if it does.
        status (OpenAIFileStatus | Unset): Deprecated by OpenAI; always `processed` once stored. Default:
            OpenAIFileStatus.PROCESSED.
        status_details (None | str | Unset): Deprecated by OpenAI; details of an `error`.
    """

    id: str
    bytes_: int
    created_at: int
    filename: str
    purpose: OpenAIFilePurpose
    object_: Literal["file"] | Unset = "file"
    expires_at: int | None | Unset = UNSET
    status: OpenAIFileStatus | Unset = OpenAIFileStatus.PROCESSED
    status_details: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        bytes_ = self.bytes_

        created_at = self.created_at

        filename = self.filename

        purpose = self.purpose.value

        object_ = self.object_

        expires_at: int | None | Unset
        if isinstance(self.expires_at, Unset):
            expires_at = UNSET
        else:
            expires_at = self.expires_at

        status: str | Unset = UNSET
        if not isinstance(self.status, Unset):
            status = self.status.value

        status_details: None | str | Unset
        if isinstance(self.status_details, Unset):
            status_details = UNSET
        else:
            status_details = self.status_details

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "bytes": bytes_,
                "created_at": created_at,
                "filename": filename,
                "purpose": purpose,
            }
        )
        if object_ is not UNSET:
            field_dict["object"] = object_
        if expires_at is not UNSET:
            field_dict["expires_at"] = expires_at
        if status is not UNSET:
            field_dict["status"] = status
        if status_details is not UNSET:
            field_dict["status_details"] = status_details

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        id = d.pop("id")

        bytes_ = d.pop("bytes")

        created_at = d.pop("created_at")

        filename = d.pop("filename")

        purpose = OpenAIFilePurpose(d.pop("purpose"))

        object_ = cast(Literal["file"] | Unset, d.pop("object", UNSET))
        if object_ != "file" and not isinstance(object_, Unset):
            raise ValueError(f"object must match const 'file', got '{object_}'")

        def _parse_expires_at(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        expires_at = _parse_expires_at(d.pop("expires_at", UNSET))

        _status = d.pop("status", UNSET)
        status: OpenAIFileStatus | Unset
        if isinstance(_status, Unset):
            status = UNSET
        else:
            status = OpenAIFileStatus(_status)

        def _parse_status_details(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        status_details = _parse_status_details(d.pop("status_details", UNSET))

        open_ai_file = cls(
            id=id,
            bytes_=bytes_,
            created_at=created_at,
            filename=filename,
            purpose=purpose,
            object_=object_,
            expires_at=expires_at,
            status=status,
            status_details=status_details,
        )

        open_ai_file.additional_properties = d
        return open_ai_file

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
