"""Router for /v1/fine_tuning/jobs: parse, call the slice's operations, return the wire model."""

from __future__ import annotations

import re
from typing import Annotated

from fastapi import APIRouter, Query, Request

from service.core.errors import InvalidRequestError
from service.core.openapi import error_responses
from service.core.wire import JSONObject
from service.deps import CatalogDep, DatabaseDep, PrincipalDep, SchedulerDep, SettingsDep
from service.fine_tuning import operations
from service.fine_tuning.schemas import (
    CreateFineTuningJobRequest,
    FineTuningJob,
    ListFineTuningJobCheckpointsResponse,
    ListFineTuningJobEventsResponse,
    ListPaginatedFineTuningJobsResponse,
)

router = APIRouter(tags=["fine-tuning"])

ERRORS = error_responses(
    {
        400: "Invalid request, or the job's status forbids the operation",
        401: "Missing or unknown API key",
        404: "No such job in the caller's project",
        409: "The job changed state meanwhile; retry",
    }
)

After = Annotated[str | None, Query(description="Id of the last object of the previous page.")]

METADATA_KEY = re.compile(r"^[^\[\]]+$")

_METADATA_FILTER_DOC: JSONObject = {
    "parameters": [
        {
            "name": "metadata",
            "in": "query",
            "style": "deepObject",
            "explode": True,
            "required": False,
            "description": "Keep jobs whose metadata has `metadata[key]=value` for every pair "
            "given; `metadata=null` keeps jobs without metadata.",
            # A key is what `metadata[key]` can carry: not empty, and no brackets.
            "schema": {
                "type": "object",
                "propertyNames": {"pattern": METADATA_KEY.pattern},
                "additionalProperties": {"type": "string"},
            },
        }
    ]
}


def _metadata_filter(request: Request) -> tuple[dict[str, str], bool]:
    """`metadata[k]=v` query pairs, and whether the literal `metadata=null` was sent."""
    pairs: dict[str, str] = {}
    is_null = False
    for name, value in request.query_params.multi_items():
        if name == "metadata":
            if value != "null":
                raise InvalidRequestError(
                    "Invalid 'metadata': use metadata[key]=value, or metadata=null.",
                    param="metadata",
                )
            is_null = True
        elif name.startswith("metadata["):
            key = name[len("metadata[") : -1] if name.endswith("]") else ""
            # `metadata[]=` and `metadata[a][b]=` are malformed filters; answering them with
            # an empty page would hide the client's mistake.
            if not METADATA_KEY.fullmatch(key):
                raise InvalidRequestError(
                    f"Invalid 'metadata': {name!r} names no key; use metadata[key]=value.",
                    param="metadata",
                    code="invalid_value",
                )
            pairs[key] = value
    if is_null and pairs:
        raise InvalidRequestError(
            "Invalid 'metadata': do not combine metadata=null with metadata[key]=value.",
            param="metadata",
        )
    return pairs, is_null


@router.post(
    "/fine_tuning/jobs",
    operation_id="fine_tuning-jobs-create",
    summary="Create a fine-tuning job",
    response_model=FineTuningJob,
    responses=ERRORS,
)
def create_job(
    principal: PrincipalDep,
    db: DatabaseDep,
    catalog: CatalogDep,
    scheduler: SchedulerDep,
    settings: SettingsDep,
    body: CreateFineTuningJobRequest,
) -> FineTuningJob:
    """Store the job in `validating_files`; the scheduler validates its files and trains it."""
    job = operations.create_job(
        db,
        catalog,
        principal=principal,
        request=body,
        faults_enabled=settings.resolved_chaos_enabled,
        python_graders=settings.python_graders_enabled,
    )
    scheduler.wake()
    return job


@router.get(
    "/fine_tuning/jobs",
    operation_id="fine_tuning-jobs-list",
    summary="List fine-tuning jobs, newest first",
    response_model=ListPaginatedFineTuningJobsResponse,
    responses=ERRORS,
    openapi_extra=_METADATA_FILTER_DOC,
)
def list_jobs(
    principal: PrincipalDep,
    db: DatabaseDep,
    request: Request,
    after: After = None,
    limit: Annotated[int, Query(ge=1, le=100, description="Page size, 1 to 100.")] = 20,
) -> ListPaginatedFineTuningJobsResponse:
    """One page of the caller's jobs, filtered on metadata when asked."""
    metadata, metadata_is_null = _metadata_filter(request)
    return operations.list_jobs(
        db,
        project=principal.project,
        limit=limit,
        after=after,
        metadata=metadata,
        metadata_is_null=metadata_is_null,
    )


@router.get(
    "/fine_tuning/jobs/{fine_tuning_job_id}",
    operation_id="fine_tuning-jobs-retrieve",
    summary="Retrieve a fine-tuning job",
    response_model=FineTuningJob,
    responses=ERRORS,
)
def retrieve_job(
    principal: PrincipalDep, db: DatabaseDep, fine_tuning_job_id: str
) -> FineTuningJob:
    """The job object."""
    return operations.get_job(db, project=principal.project, job_id=fine_tuning_job_id)


@router.post(
    "/fine_tuning/jobs/{fine_tuning_job_id}/cancel",
    operation_id="fine_tuning-jobs-cancel",
    summary="Cancel a fine-tuning job",
    response_model=FineTuningJob,
    responses=ERRORS,
)
def cancel_job(principal: PrincipalDep, db: DatabaseDep, fine_tuning_job_id: str) -> FineTuningJob:
    """Cancel the job; a running job stops within one optimizer step."""
    return operations.cancel_job(db, project=principal.project, job_id=fine_tuning_job_id)


@router.post(
    "/fine_tuning/jobs/{fine_tuning_job_id}/pause",
    operation_id="fine_tuning-jobs-pause",
    summary="Pause a fine-tuning job",
    response_model=FineTuningJob,
    responses=ERRORS,
)
def pause_job(principal: PrincipalDep, db: DatabaseDep, fine_tuning_job_id: str) -> FineTuningJob:
    """Pause the job; a running job saves a checkpoint to resume from."""
    return operations.pause_job(db, project=principal.project, job_id=fine_tuning_job_id)


@router.post(
    "/fine_tuning/jobs/{fine_tuning_job_id}/resume",
    operation_id="fine_tuning-jobs-resume",
    summary="Resume a paused fine-tuning job",
    response_model=FineTuningJob,
    responses=ERRORS,
)
def resume_job(
    principal: PrincipalDep, db: DatabaseDep, scheduler: SchedulerDep, fine_tuning_job_id: str
) -> FineTuningJob:
    """Re-queue the paused job; it continues from its latest checkpoint."""
    job = operations.resume_job(db, project=principal.project, job_id=fine_tuning_job_id)
    scheduler.wake()
    return job


@router.get(
    "/fine_tuning/jobs/{fine_tuning_job_id}/events",
    operation_id="fine_tuning-jobs-events-list",
    summary="List a job's events, newest first",
    response_model=ListFineTuningJobEventsResponse,
    responses=ERRORS,
)
def list_events(
    principal: PrincipalDep,
    db: DatabaseDep,
    fine_tuning_job_id: str,
    after: After = None,
    limit: Annotated[int, Query(ge=1, le=1000, description="Page size, 1 to 1000.")] = 20,
) -> ListFineTuningJobEventsResponse:
    """One page of the job's events."""
    return operations.list_events(
        db, project=principal.project, job_id=fine_tuning_job_id, limit=limit, after=after
    )


@router.get(
    "/fine_tuning/jobs/{fine_tuning_job_id}/checkpoints",
    operation_id="fine_tuning-jobs-checkpoints-list",
    summary="List a job's checkpoints, newest first",
    response_model=ListFineTuningJobCheckpointsResponse,
    responses=ERRORS,
)
def list_checkpoints(
    principal: PrincipalDep,
    db: DatabaseDep,
    fine_tuning_job_id: str,
    after: After = None,
    limit: Annotated[int, Query(ge=1, le=100, description="Page size, 1 to 100.")] = 10,
) -> ListFineTuningJobCheckpointsResponse:
    """One page of the job's checkpoints still in storage."""
    return operations.list_checkpoints(
        db, project=principal.project, job_id=fine_tuning_job_id, limit=limit, after=after
    )
