"""Wire models of /v1/uploads, named after OpenAI's objects (Upload, UploadPart, ...)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from service.core.wire import JsonBody
from service.files.schemas import FileExpirationAfter, OpenAIFile, UploadPurpose

UploadStatus = Literal["pending", "completed", "cancelled", "expired"]


class CreateUploadRequest(JsonBody):
    """The body of POST /v1/uploads (OpenAI's `CreateUploadRequest`)."""

    model_config = ConfigDict(extra="forbid")

    filename: str = Field(min_length=1, description="The name of the file to upload.")
    purpose: UploadPurpose = Field(description="The intended purpose of the uploaded file.")
    bytes: int = Field(ge=0, description="The number of bytes in the file you are uploading.")
    mime_type: str = Field(min_length=1, description="The MIME type of the file.")
    expires_after: FileExpirationAfter | None = Field(
        None, description="The expiration policy of the file the upload becomes."
    )


class CompleteUploadRequest(JsonBody):
    """The body of POST /v1/uploads/{upload_id}/complete (OpenAI's `CompleteUploadRequest`)."""

    model_config = ConfigDict(extra="forbid")

    part_ids: list[str] = Field(description="The ordered list of Part IDs.")
    md5: str | None = Field(
        None, description="Optional hex md5 of the whole file, checked against the parts."
    )


def _is_none(value: object) -> bool:
    return value is None


class Upload(BaseModel):
    """An upload that accepts parts until completed (OpenAI's `Upload`)."""

    id: str = Field(description="The Upload identifier, `upload_...`.")
    object: Literal["upload"] = Field("upload", description="Always `upload`.")
    bytes: int = Field(description="The intended number of bytes to be uploaded.")
    created_at: int = Field(description="Unix seconds when the Upload was created.")
    filename: str = Field(description="The name of the file to be uploaded.")
    purpose: str = Field(description="The intended purpose of the file.")
    status: UploadStatus = Field(description="The status of the Upload.")
    expires_at: int = Field(description="Unix seconds when the Upload expires.")
    # OpenAI's schema does not admit null here, so the field is omitted until completed.
    file: OpenAIFile | None = Field(
        None, exclude_if=_is_none, description="The ready File once the Upload is completed."
    )


class UploadPart(BaseModel):
    """One part of an upload (OpenAI's `UploadPart`)."""

    id: str = Field(description="The Part identifier, `part_...`.")
    object: Literal["upload.part"] = Field("upload.part", description="Always `upload.part`.")
    created_at: int = Field(description="Unix seconds when the Part was created.")
    upload_id: str = Field(description="The Upload this Part belongs to.")
