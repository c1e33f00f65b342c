"""Wire models of /v1/files, named after OpenAI's objects (OpenAIFile, ListFilesResponse, ...)."""

from __future__ import annotations

from typing import Literal, get_args

from pydantic import BaseModel, ConfigDict, Field

from service.core.pagination import ListPage

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
UPLOAD_PURPOSES: tuple[str, ...] = get_args(UploadPurpose)

MIN_EXPIRES_AFTER_SECONDS = 3600
MAX_EXPIRES_AFTER_SECONDS = 2_592_000


def _is_none(value: object) -> bool:
    return value is None


class FileExpirationAfter(BaseModel):
    """When a file expires, relative to an anchor (OpenAI's `FileExpirationAfter`)."""

    # Strict in JSON bodies (POST /v1/uploads); the multipart form of POST /v1/files, whose
    # values are all text, validates it with strict=False.
    model_config = ConfigDict(strict=True)

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


class ListFilesResponse(ListPage[OpenAIFile]):
    """A page of files (OpenAI's `ListFilesResponse`)."""


class DeleteFileResponse(BaseModel):
    """The answer to a delete (OpenAI's `DeleteFileResponse`)."""

    id: str = Field(description="The id of the deleted file.")
    object: Literal["file"] = Field("file", description="Always `file`.")
    deleted: bool = Field(description="Whether the file was deleted.")
