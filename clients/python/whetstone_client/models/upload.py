from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Literal, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.upload_status import UploadStatus
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.open_ai_file import OpenAIFile


T = TypeVar("T", bound="Upload")


@_attrs_define
class Upload:
    """An upload that accepts parts until completed (OpenAI's `Upload`).

    Attributes:
        id (str): The Upload identifier, `upload_...`.
        bytes_ (int): The intended number of bytes to be uploaded.
        created_at (int): Unix seconds when the Upload was created.
        filename (str): The name of the file to be uploaded.
        purpose (str): The intended purpose of the file.
        status (UploadStatus): The status of the Upload.
        expires_at (int): Unix seconds when the Upload expires.
        object_ (Literal['upload'] | Unset): Always `upload`. Default: 'upload'.
        file (None | OpenAIFile | Unset): The ready File once the Upload is completed.
    """

    id: str
    bytes_: int
    created_at: int
    filename: str
    purpose: str
    status: UploadStatus
    expires_at: int
    object_: Literal["upload"] | Unset = "upload"
    file: None | OpenAIFile | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.open_ai_file import OpenAIFile  # noqa: PLC0415

        id = self.id

        bytes_ = self.bytes_

        created_at = self.created_at

        filename = self.filename

        purpose = self.purpose

        status = self.status.value

        expires_at = self.expires_at

        object_ = self.object_

        file: dict[str, Any] | None | Unset
        if isinstance(self.file, Unset):
            file = UNSET
        elif isinstance(self.file, OpenAIFile):
            file = self.file.to_dict()
        else:
            file = self.file

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "bytes": bytes_,
                "created_at": created_at,
                "filename": filename,
                "purpose": purpose,
                "status": status,
                "expires_at": expires_at,
            }
        )
        if object_ is not UNSET:
            field_dict["object"] = object_
        if file is not UNSET:
            field_dict["file"] = file

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.open_ai_file import OpenAIFile  # noqa: PLC0415

        d = dict(src_dict)
        id = d.pop("id")

        bytes_ = d.pop("bytes")

        created_at = d.pop("created_at")

        filename = d.pop("filename")

        purpose = d.pop("purpose")

        status = UploadStatus(d.pop("status"))

        expires_at = d.pop("expires_at")

        object_ = cast(Literal["upload"] | Unset, d.pop("object", UNSET))
        if object_ != "upload" and not isinstance(object_, Unset):
            raise ValueError(f"object must match const 'upload', got '{object_}'")

        def _parse_file(data: object) -> None | OpenAIFile | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                file_type_0 = OpenAIFile.from_dict(data)

                return file_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | OpenAIFile | Unset, data)

        file = _parse_file(d.pop("file", UNSET))

        upload = cls(
            id=id,
            bytes_=bytes_,
            created_at=created_at,
            filename=filename,
            purpose=purpose,
            status=status,
            expires_at=expires_at,
            object_=object_,
            file=file,
        )

        upload.additional_properties = d
        return upload

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
