"""Router for /v1/files: parse, call the slice's operations, return the wire model."""

from __future__ import annotations

from typing import Annotated, Literal
from urllib.parse import quote

from fastapi import APIRouter, File, Form, Query, UploadFile
from fastapi.responses import StreamingResponse
from pydantic import ValidationError

from service.core.errors import InvalidRequestError, PayloadTooLargeError
from service.core.openapi import error_responses
from service.deps import DatabaseDep, PrincipalDep, SettingsDep, StoreDep
from service.files import operations
from service.files.schemas import (
    DeleteFileResponse,
    FileExpirationAfter,
    ListFilesResponse,
    OpenAIFile,
    UploadPurpose,
)
from service.storage.base import CHUNK_BYTES

router = APIRouter(tags=["files"])

ERRORS = error_responses(
    {
        400: "Invalid request",
        401: "Missing or unknown API key",
        404: "No such file in the caller's project",
        413: "File over WHETSTONE_MAX_FILE_BYTES",
        503: "The artifact store does not answer",
    }
)


def _expires_after(anchor: str | None, seconds: str | None) -> int | None:
    """The expiry in seconds from the multipart fields `expires_after[anchor|seconds]`."""
    if anchor is None and seconds is None:
        return None
    for name, value in (("anchor", anchor), ("seconds", seconds)):
        if value is None:
            raise InvalidRequestError(
                f"Missing required parameter: 'expires_after.{name}'.",
                param=f"expires_after.{name}",
                code="missing_required_parameter",
            )
    try:
        # Form fields are text, so "3600" must convert here as it never may in JSON.
        policy = FileExpirationAfter.model_validate(
            {"anchor": anchor, "seconds": seconds}, strict=False
        )
    except ValidationError as exc:
        first = exc.errors()[0]
        param = "expires_after." + ".".join(str(part) for part in first["loc"])
        raise InvalidRequestError(
            f"Invalid value for '{param}': {first['msg']}.", param=param, code="invalid_value"
        ) from exc
    return policy.seconds


@router.post(
    "/files",
    operation_id="files-create",
    summary="Upload a file",
    response_model=OpenAIFile,
    responses=ERRORS,
)
def create_file(
    principal: PrincipalDep,
    db: DatabaseDep,
    store: StoreDep,
    settings: SettingsDep,
    file: Annotated[UploadFile, File(description="The file to upload.")],
    purpose: Annotated[UploadPurpose, Form(description="The intended purpose of the file.")],
    expires_after_anchor: Annotated[
        str | None,
        Form(alias="expires_after[anchor]", description="Expiry anchor; only `created_at`."),
    ] = None,
    expires_after_seconds: Annotated[
        str | None,
        Form(
            alias="expires_after[seconds]",
            description="Seconds after the anchor the file expires (3600 to 2592000).",
        ),
    ] = None,
) -> OpenAIFile:
    """Store the uploaded file; the body was spooled to a temp file, not held in memory."""
    # A sync endpoint: FastAPI runs it in the threadpool, so the copy below is off the loop.
    expires_after = _expires_after(expires_after_anchor, expires_after_seconds)
    limit = settings.max_file_bytes
    if file.size is not None and file.size > limit:
        raise PayloadTooLargeError(f"File too large: the limit is {limit} bytes.", param="file")
    return operations.upload_file(
        db,
        store,
        project=principal.project,
        filename=file.filename or "file",
        purpose=purpose,
        chunks=iter(lambda: file.file.read(CHUNK_BYTES), b""),
        max_bytes=limit,
        expires_after_seconds=expires_after,
    )


@router.get(
    "/files",
    operation_id="files-list",
    summary="List files, newest first",
    response_model=ListFilesResponse,
    responses=ERRORS,
)
def list_files(
    principal: PrincipalDep,
    db: DatabaseDep,
    purpose: Annotated[str | None, Query(description="Only files with this purpose.")] = None,
    limit: Annotated[int, Query(ge=1, le=10_000, description="Page size, 1 to 10000.")] = 10_000,
    order: Annotated[
        Literal["asc", "desc"], Query(description="Order by creation: `asc` or `desc`.")
    ] = "desc",
    after: Annotated[
        str | None, Query(description="Id of the last file of the previous page.")
    ] = None,
) -> ListFilesResponse:
    """One page of the caller's files."""
    return operations.list_files(
        db, project=principal.project, purpose=purpose, limit=limit, order=order, after=after
    )


@router.get(
    "/files/{file_id}",
    operation_id="files-retrieve",
    summary="Retrieve a file",
    response_model=OpenAIFile,
    responses=ERRORS,
)
def retrieve_file(principal: PrincipalDep, db: DatabaseDep, file_id: str) -> OpenAIFile:
    """The file object."""
    return operations.get_file(db, project=principal.project, file_id=file_id)


@router.delete(
    "/files/{file_id}",
    operation_id="files-delete",
    summary="Delete a file and its bytes",
    response_model=DeleteFileResponse,
    responses=ERRORS,
)
def delete_file(
    principal: PrincipalDep, db: DatabaseDep, store: StoreDep, file_id: str
) -> DeleteFileResponse:
    """Delete the file; a second delete answers 404."""
    return operations.delete_file(db, store, project=principal.project, file_id=file_id)


@router.get(
    "/files/{file_id}/content",
    operation_id="files-content",
    summary="Download the file's bytes",
    response_class=StreamingResponse,
    responses={
        200: {
            "description": "The file's bytes, streamed.",
            "content": {"application/octet-stream": {"schema": {"type": "string"}}},
        },
        **ERRORS,
    },
)
def file_content(
    principal: PrincipalDep, db: DatabaseDep, store: StoreDep, file_id: str
) -> StreamingResponse:
    """Stream the file's bytes from storage, chunk by chunk."""
    file, chunks = operations.open_content(db, store, project=principal.project, file_id=file_id)
    return StreamingResponse(
        chunks,
        media_type="application/octet-stream",
        headers={
            "content-length": str(file.bytes),
            "content-disposition": f"attachment; filename*=UTF-8''{quote(file.filename)}",
        },
    )
