"""Router for /v1/fine_tuning/checkpoints/{checkpoint}/permissions: grant, list and revoke."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from service.core.openapi import error_responses
from service.deps import DatabaseDep, KeyRingDep, PrincipalDep
from service.fine_tuning.permissions import operations
from service.fine_tuning.permissions.schemas import (
    CreateFineTuningCheckpointPermissionRequest,
    DeleteFineTuningCheckpointPermissionResponse,
    ListFineTuningCheckpointPermissionResponse,
    Order,
)

router = APIRouter(tags=["fine-tuning"])

ERRORS = error_responses(
    {
        400: "Invalid request (an unknown or the owner's own project among `project_ids`)",
        401: "Missing or unknown API key",
        403: "The key is not an admin key (code insufficient_permissions)",
        404: "No such model or checkpoint in the caller's project (code model_not_found)",
        409: "Another grant of the same project raced this one; retry",
    }
)

# Checkpoint names contain ':' and may contain '/' (a base model's name), hence `path`.
PERMISSIONS = "/fine_tuning/checkpoints/{fine_tuned_model_checkpoint:path}/permissions"


@router.post(
    PERMISSIONS,
    operation_id="fine_tuning-checkpoints-permissions-create",
    summary="Grant a fine-tuned model checkpoint to other projects (admin key)",
    response_model=ListFineTuningCheckpointPermissionResponse,
    responses=ERRORS,
)
def create_permissions(
    principal: PrincipalDep,
    keyring: KeyRingDep,
    db: DatabaseDep,
    fine_tuned_model_checkpoint: str,
    body: CreateFineTuningCheckpointPermissionRequest,
) -> ListFineTuningCheckpointPermissionResponse:
    """Let each project serve, fine-tune from and list the checkpoint (or `ft:` model)."""
    return operations.create_permissions(
        db,
        principal=principal,
        known_projects=keyring.projects_of(principal.organization),
        name=fine_tuned_model_checkpoint,
        project_ids=body.project_ids,
    )


@router.get(
    PERMISSIONS,
    operation_id="fine_tuning-checkpoints-permissions-list",
    summary="List the permissions of a fine-tuned model checkpoint (admin key)",
    response_model=ListFineTuningCheckpointPermissionResponse,
    responses=ERRORS,
)
def list_permissions(
    principal: PrincipalDep,
    db: DatabaseDep,
    fine_tuned_model_checkpoint: str,
    project_id: Annotated[
        str | None, Query(description="Only the permission of this project.")
    ] = None,
    after: Annotated[
        str | None, Query(description="Id of the last permission of the previous page.")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=100, description="Page size, 1 to 100.")] = 10,
    order: Annotated[Order, Query(description="Oldest or newest first.")] = "descending",
) -> ListFineTuningCheckpointPermissionResponse:
    """One page of the checkpoint's permissions."""
    return operations.list_permissions(
        db,
        principal=principal,
        name=fine_tuned_model_checkpoint,
        project_id=project_id,
        after=after,
        limit=limit,
        order=order,
    )


@router.delete(
    PERMISSIONS + "/{permission_id}",
    operation_id="fine_tuning-checkpoints-permissions-delete",
    summary="Revoke a permission of a fine-tuned model checkpoint (admin key)",
    response_model=DeleteFineTuningCheckpointPermissionResponse,
    responses=ERRORS,
)
def delete_permission(
    principal: PrincipalDep, db: DatabaseDep, fine_tuned_model_checkpoint: str, permission_id: str
) -> DeleteFineTuningCheckpointPermissionResponse:
    """Revoke the permission; the project loses the checkpoint on its next request."""
    return operations.delete_permission(
        db, principal=principal, name=fine_tuned_model_checkpoint, permission_id=permission_id
    )
