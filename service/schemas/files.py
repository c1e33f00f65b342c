"""Wire models of /v1/files, named after OpenAI's objects (OpenAIFile, ListFilesResponse, ...)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from service.db.tables import FileRow
from service.schemas.common import ListPage

# What a client may upload (CreateFileRequest.purpose).
UploadPurpose = Literal["assistants", "batch", "fine-tune", "vision", "user_data", "evals"]
# What a file may carry: the uploadable purposes plus those only the server produces.
FilePurpose = Literal[
    "assistants",
    "assistants_output",
    "batch",
    "batch_output",
    "fine-tune",
    "fine-tune-results",
    "vision",
    "user_data",
    "evals",
]
UPLOAD_PURPOSES: tuple[str, ...] = UploadPurpose.__args__  # type: ignore[attr-defined]

MIN_EXPIRES_AFTER_SECONDS = 3600
MAX_EXPIRES_AFTER_SECONDS = 2_592_000


def _is_none(value: object) -> bool:
    return value is None


class FileExpirationAfter(BaseModel):
    """When a file expires, relative to an anchor (OpenAI's `FileExpirationAfter`)."""

    anchor: Literal["created_at"] = Field(description="The anchor; only `created_at`.")
    seconds: int = Field(
        ge=MIN_EXPIRES_AFTER_SECONDS,
        le=MAX_EXPIRES_AFTER_SECONDS,
        description="Seconds after the anchor, between 3600 (1 hour) and 2592000 (30 days).",
    )


class OpenAIFile(BaseModel):
    """A file stored in Whetstone (OpenAI's `OpenAIFile`)."""

    id: str = Field(description="The file identifier, `file-...`.")
    object: Literal["file"] = Field("file", description="Always `file`.")
    bytes: int = Field(description="The size of the file in bytes.")
    created_at: int = Field(description="Unix seconds when the file was created.")
    # OpenAI's schema types these as plain integer/string, so absent values are omitted
    # rather than sent as null.
    expires_at: int | None = Field(
        None, exclude_if=_is_none, description="Unix seconds when the file expires, if it does."
    )
    filename: str = Field(description="The name of the file.")
    purpose: FilePurpose = Field(description="The intended purpose of the file.")
    status: Literal["uploaded", "processed", "error"] = Field(
        "processed", description="Deprecated by OpenAI; always `processed` once stored."
    )
    status_details: str | None = Field(
        None, exclude_if=_is_none, description="Deprecated by OpenAI; details of an `error`."
    )

    @classmethod
    def of(cls, row: FileRow) -> OpenAIFile:
        """The wire object for a file row."""
        return cls(
            id=row.id,
            bytes=row.bytes,
            created_at=row.created_at,
            expires_at=row.expires_at,
            filename=row.filename,
            purpose=row.purpose,  # type: ignore[arg-type]
            status=row.status,  # type: ignore[arg-type]
            status_details=row.status_details,
        )


class ListFilesResponse(ListPage[OpenAIFile]):
    """A page of files (OpenAI's `ListFilesResponse`)."""

    @classmethod
    def of(cls, rows: list[FileRow], *, has_more: bool) -> ListFilesResponse:
        """The page for rows already ordered and cut to the limit."""
        return cls.page([OpenAIFile.of(row) for row in rows], has_more=has_more)


class DeleteFileResponse(BaseModel):
    """The answer to a delete (OpenAI's `DeleteFileResponse`)."""

    id: str = Field(description="The id of the deleted file.")
    object: Literal["file"] = Field("file", description="Always `file`.")
    deleted: bool = Field(description="Whether the file was deleted.")
