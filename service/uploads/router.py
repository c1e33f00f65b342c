"""Router for /v1/uploads: parse, call the slice's operations, return the wire model."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, UploadFile

from service.core.errors import PayloadTooLargeError
from service.core.openapi import error_responses
from service.deps import DatabaseDep, PrincipalDep, SettingsDep, StoreDep
from service.storage.base import CHUNK_BYTES
from service.uploads import operations
from service.uploads.schemas import CompleteUploadRequest, CreateUploadRequest, Upload, UploadPart

router = APIRouter(tags=["uploads"])

ERRORS = error_responses(
    {
        400: "Invalid request, or the upload is no longer pending",
        401: "Missing or unknown API key",
        404: "No such upload in the caller's project",
        413: "Part over WHETSTONE_MAX_UPLOAD_PART_BYTES",
        503: "The artifact store does not answer",
    }
)


@router.post(
    "/uploads",
    operation_id="uploads-create",
    summary="Create an upload that accepts parts",
    response_model=Upload,
    responses=ERRORS,
)
def create_upload(
    principal: PrincipalDep, db: DatabaseDep, settings: SettingsDep, request: CreateUploadRequest
) -> Upload:
    """Open a pending upload; it expires WHETSTONE_UPLOAD_TTL_SECONDS after creation."""
    return operations.create_upload(db, settings, project=principal.project, request=request)


@router.post(
    "/uploads/{upload_id}/parts",
    operation_id="uploads-add_part",
    summary="Add a part to an upload",
    response_model=UploadPart,
    responses=ERRORS,
)
def add_upload_part(
    principal: PrincipalDep,
    db: DatabaseDep,
    store: StoreDep,
    settings: SettingsDep,
    upload_id: str,
    data: Annotated[UploadFile, File(description="The chunk of bytes for this part.")],
) -> UploadPart:
    """Store one part; parts may arrive in any order and in parallel."""
    limit = settings.max_upload_part_bytes
    if data.size is not None and data.size > limit:
        raise PayloadTooLargeError(f"Part too large: the limit is {limit} bytes.", param="data")
    return operations.add_part(
        db,
        store,
        settings,
        project=principal.project,
        upload_id=upload_id,
        chunks=iter(lambda: data.file.read(CHUNK_BYTES), b""),
    )


@router.post(
    "/uploads/{upload_id}/complete",
    operation_id="uploads-complete",
    summary="Complete an upload into a file",
    response_model=Upload,
    responses=ERRORS,
)
def complete_upload(
    principal: PrincipalDep,
    db: DatabaseDep,
    store: StoreDep,
    upload_id: str,
    request: CompleteUploadRequest,
) -> Upload:
    """Compose the parts in the given order into a file, embedded in the answer as `file`."""
    return operations.complete_upload(
        db,
        store,
        project=principal.project,
        upload_id=upload_id,
        part_ids=request.part_ids,
        md5=request.md5,
    )


@router.post(
    "/uploads/{upload_id}/cancel",
    operation_id="uploads-cancel",
    summary="Cancel an upload",
    response_model=Upload,
    responses=ERRORS,
)
def cancel_upload(
    principal: PrincipalDep, db: DatabaseDep, store: StoreDep, upload_id: str
) -> Upload:
    """Cancel a pending upload; no part may be added afterwards."""
    return operations.cancel_upload(db, store, project=principal.project, upload_id=upload_id)
