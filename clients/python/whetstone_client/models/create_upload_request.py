from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define

from ..models.create_upload_request_purpose import CreateUploadRequestPurpose
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.file_expiration_after import FileExpirationAfter


T = TypeVar("T", bound="CreateUploadRequest")


@_attrs_define
class CreateUploadRequest:
    """The body of POST /v1/uploads (OpenAI's `CreateUploadRequest`).

    Attributes:
        filename (str): The name of the file to upload.
        purpose (CreateUploadRequestPurpose): The intended purpose of the uploaded file.
        bytes_ (int): The number of bytes in the file you are uploading.
        mime_type (str): The MIME type of the file.
        expires_after (FileExpirationAfter | None | Unset): The expiration policy of the file the upload becomes.
    """

    filename: str
    purpose: CreateUploadRequestPurpose
    bytes_: int
    mime_type: str
    expires_after: FileExpirationAfter | None | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        from ..models.file_expiration_after import FileExpirationAfter  # noqa: PLC0415

        filename = self.filename

        purpose = self.purpose.value

        bytes_ = self.bytes_

        mime_type = self.mime_type

        expires_after: dict[str, Any] | None | Unset
        if isinstance(self.expires_after, Unset):
            expires_after = UNSET
        elif isinstance(self.expires_after, FileExpirationAfter):
            expires_after = self.expires_after.to_dict()
        else:
            expires_after = self.expires_after

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "filename": filename,
                "purpose": purpose,
                "bytes": bytes_,
                "mime_type": mime_type,
            }
        )
        if expires_after is not UNSET:
            field_dict["expires_after"] = expires_after

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.file_expiration_after import FileExpirationAfter  # noqa: PLC0415

        d = dict(src_dict)
        filename = d.pop("filename")

        purpose = CreateUploadRequestPurpose(d.pop("purpose"))

        bytes_ = d.pop("bytes")

        mime_type = d.pop("mime_type")

        def _parse_expires_after(data: object) -> FileExpirationAfter | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                expires_after_type_0 = FileExpirationAfter.from_dict(data)

                return expires_after_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(FileExpirationAfter | None | Unset, data)

        expires_after = _parse_expires_after(d.pop("expires_after", UNSET))

        create_upload_request = cls(
            filename=filename,
            purpose=purpose,
            bytes_=bytes_,
            mime_type=mime_type,
            expires_after=expires_after,
        )

        return create_upload_request
