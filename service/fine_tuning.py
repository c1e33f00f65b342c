"""Fine-tuning jobs as the API sees them: create-time checks, cancel, pause and resume.

The lifecycle is OpenAI's, plus `paused`:

    validating_files -> queued -> running -> succeeded | failed | cancelled
           |              |  ^       |  \\
           |              |  |       |   -> paused -> (resume) queued
           +-> failed     +--+-------+-> cancelled   (cancel works from any unfinished status)

The API decides only transitions that need no worker: a running job is cancelled or paused by
setting the status at once and leaving `requested_action` for its worker, which stops within
one optimizer step (after saving a checkpoint, for a pause). The scheduler's side lives in
service/scheduler/lifecycle.py.
"""

from __future__ import annotations

import secrets
from typing import Any

from sqlalchemy.orm import Session

from service.auth import Principal
from service.catalog import Catalog
from service.db import Database
from service.db import files as file_rows
from service.db import jobs as job_rows
from service.db.tables import JobCheckpointRow, JobEventRow, JobRow
from service.errors import ConflictError, InvalidRequestError, ModelNotFoundError, NotFoundError
from service.ids import now
from service.schemas.fine_tuning import (
    FINISHED_STATUSES,
    CreateFineTuningJobRequest,
    FineTuneSupervisedHyperparameters,
)
from service.training.hyperparameters import validate_hyperparameters

MAX_METADATA_KEYS = 16
MAX_METADATA_KEY_CHARS = 64
MAX_METADATA_VALUE_CHARS = 512
FINE_TUNE_PURPOSE = "fine-tune"
# How often a cancel/pause re-reads the job when the scheduler changed it in between.
_TRANSITION_TRIES = 5


def fine_tuned_model_name(job: JobRow) -> str:
    """`ft:{model}:{organization}:{suffix}:{8 chars}`, OpenAI's format (the suffix may be empty)."""
    return f"ft:{job.model}:{job.organization}:{job.suffix or ''}:{job.model_token}"


def checkpoint_model_name(job: JobRow, step: int) -> str:
    """The name of the checkpoint at `step`: the final name plus `:ckpt-step-{step}`."""
    return f"{fine_tuned_model_name(job)}:ckpt-step-{step}"


# -- create ------------------------------------------------------------------------------------


def create_job(
    db: Database, catalog: Catalog, *, principal: Principal, request: CreateFineTuningJobRequest
) -> JobRow:
    """Check the request and store the job in `validating_files` with its first event, in one
    transaction: once this returns, the job cannot be lost."""
    method = _method_of(request)
    _check_metadata(request.metadata)
    try:
        catalog.resolve(request.model)
    except ModelNotFoundError as exc:
        raise InvalidRequestError(
            f"Model {request.model} is not available for fine-tuning or does not exist.",
            param="model",
            code="model_not_available",
        ) from exc
    integrations = (
        [integration.model_dump(mode="json") for integration in request.integrations]
        if request.integrations
        else None
    )
    with db.session() as session:
        _fine_tune_file(session, principal.project, request.training_file, "training_file")
        if request.validation_file is not None:
            _fine_tune_file(session, principal.project, request.validation_file, "validation_file")
        job = job_rows.create_job(
            session,
            project=principal.project,
            organization=principal.organization,
            model=request.model,
            training_file=request.training_file,
            validation_file=request.validation_file,
            suffix=request.suffix,
            seed=request.seed if request.seed is not None else secrets.randbelow(2**31),
            method=method,
            metadata=request.metadata,
            integrations=integrations,
        )
        _event(session, job, f"Created fine-tuning job: {job.id}")
        for integration in request.integrations or []:
            _event(
                session,
                job,
                f"W&B integration stored for project '{integration.wandb.project}', but no W&B "
                "run can be made: Whetstone trains offline. Metrics are in this job's events "
                "and results file.",
                level="warn",
            )
    return job


def _method_of(request: CreateFineTuningJobRequest) -> dict[str, Any]:
    """The stored `method`: supervised, with the requested hyperparameters ("auto" for unset).

    The deprecated top-level `hyperparameters` fill in for `method` when it is absent.
    """
    method = request.method
    if method is not None and method.type != "supervised":
        raise InvalidRequestError(
            f"Fine-tuning method '{method.type}' is not supported yet; use 'supervised'.",
            param="method.type",
            code="unsupported_method",
        )
    from_method = (
        method.supervised.hyperparameters
        if method is not None
        and method.supervised is not None
        and method.supervised.hyperparameters is not None
        else None
    )
    legacy = request.hyperparameters
    if from_method is not None and legacy is not None:
        legacy_values = legacy.model_dump()
        method_values = from_method.model_dump(include=set(legacy_values))
        if legacy_values != method_values:
            raise InvalidRequestError(
                "Give hyperparameters in 'method.supervised.hyperparameters' or in the "
                "deprecated 'hyperparameters', not both.",
                param="hyperparameters",
                code="invalid_value",
            )
    if from_method is not None:
        requested = from_method.model_dump(exclude_none=True)
        validate_hyperparameters(requested, param_prefix="method.supervised.hyperparameters")
    elif legacy is not None:
        requested = legacy.model_dump()
        validate_hyperparameters(requested, param_prefix="hyperparameters")
    else:
        requested = FineTuneSupervisedHyperparameters().model_dump(exclude_none=True)
    return {"type": "supervised", "supervised": {"hyperparameters": requested}}


def _check_metadata(metadata: dict[str, str] | None) -> None:
    if metadata is None:
        return
    if len(metadata) > MAX_METADATA_KEYS:
        raise InvalidRequestError(
            f"Invalid 'metadata': at most {MAX_METADATA_KEYS} keys are allowed, "
            f"got {len(metadata)}.",
            param="metadata",
            code="invalid_value",
        )
    for key, value in metadata.items():
        if len(key) > MAX_METADATA_KEY_CHARS:
            raise InvalidRequestError(
                f"Invalid 'metadata': key '{key[:16]}...' is longer than "
                f"{MAX_METADATA_KEY_CHARS} characters.",
                param="metadata",
                code="invalid_value",
            )
        if len(value) > MAX_METADATA_VALUE_CHARS:
            raise InvalidRequestError(
                f"Invalid 'metadata': the value of '{key}' is longer than "
                f"{MAX_METADATA_VALUE_CHARS} characters.",
                param="metadata",
                code="invalid_value",
            )


def _fine_tune_file(session: Session, project: str, file_id: str, param: str) -> None:
    try:
        row = file_rows.get_file(session, project=project, file_id=file_id)
    except NotFoundError as exc:
        raise InvalidRequestError(
            f"File {file_id} does not exist.", param=param, code=f"invalid_{param}"
        ) from exc
    if row.purpose != FINE_TUNE_PURPOSE:
        raise InvalidRequestError(
            f"File {file_id} has purpose '{row.purpose}'; fine-tuning needs purpose "
            f"'{FINE_TUNE_PURPOSE}'.",
            param=param,
            code=f"invalid_{param}",
        )


# -- read --------------------------------------------------------------------------------------


def get_job(db: Database, *, project: str, job_id: str) -> JobRow:
    """The caller's job; 404 when absent or another project's."""
    with db.session() as session:
        return job_rows.get_job(session, project=project, job_id=job_id)


def list_jobs(
    db: Database,
    *,
    project: str,
    limit: int,
    after: str | None,
    metadata: dict[str, str] | None,
    metadata_is_null: bool,
) -> tuple[list[JobRow], bool]:
    """A page of the caller's jobs, newest first."""
    with db.session() as session:
        return job_rows.list_jobs(
            session,
            project=project,
            limit=limit,
            after=after,
            metadata=metadata,
            metadata_is_null=metadata_is_null,
        )


def list_events(
    db: Database, *, project: str, job_id: str, limit: int, after: str | None
) -> tuple[list[JobEventRow], bool]:
    """A page of the job's events, newest first."""
    with db.session() as session:
        return job_rows.list_events(
            session, project=project, job_id=job_id, limit=limit, after=after
        )


def list_checkpoints(
    db: Database, *, project: str, job_id: str, limit: int, after: str | None
) -> tuple[list[JobCheckpointRow], bool]:
    """A page of the job's checkpoints still in storage, newest first."""
    with db.session() as session:
        return job_rows.list_checkpoints(
            session, project=project, job_id=job_id, limit=limit, after=after
        )


# -- cancel, pause, resume ---------------------------------------------------------------------


def cancel_job(db: Database, *, project: str, job_id: str) -> JobRow:
    """Cancel an unfinished job; a running one is told to stop and does within one step."""
    for _ in range(_TRANSITION_TRIES):
        with db.session() as session:
            job = job_rows.get_job(session, project=project, job_id=job_id)
            if job.status == "cancelled":
                raise InvalidRequestError("Job has already been cancelled.", param=None)
            if job.status in FINISHED_STATUSES:
                raise InvalidRequestError("Job has already completed.", param=None)
            values: dict[str, Any] = {
                "status": "cancelled",
                "finished_at": now(),
                "estimated_finish": None,
            }
            if job.worker is not None:
                values["requested_action"] = "cancel"
            if job_rows.update_job(session, job_id=job.id, values=values, statuses=[job.status]):
                _event(session, job, "Fine-tuning job cancelled")
                return job_rows.get_job(session, project=project, job_id=job_id)
    raise ConflictError("The job changed state while being cancelled; retry.")


def pause_job(db: Database, *, project: str, job_id: str) -> JobRow:
    """Pause a queued or running job; a running one saves a checkpoint before it stops."""
    for _ in range(_TRANSITION_TRIES):
        with db.session() as session:
            job = job_rows.get_job(session, project=project, job_id=job_id)
            if job.status in FINISHED_STATUSES:
                raise InvalidRequestError(f"Job is {job.status} and cannot be paused.", param=None)
            if job.status == "paused":
                raise InvalidRequestError("Job is already paused.", param=None)
            if job.status == "validating_files":
                raise InvalidRequestError(
                    "Job cannot be paused while its files are being validated.", param=None
                )
            values: dict[str, Any] = {"status": "paused", "estimated_finish": None}
            if job.status == "running":
                values["requested_action"] = "pause"
            if job_rows.update_job(session, job_id=job.id, values=values, statuses=[job.status]):
                if job.status == "queued":
                    _event(session, job, "Fine-tuning job paused")
                else:
                    _event(session, job, "Pausing fine-tuning job: saving a checkpoint")
                return job_rows.get_job(session, project=project, job_id=job_id)
    raise ConflictError("The job changed state while being paused; retry.")


def resume_job(db: Database, *, project: str, job_id: str) -> JobRow:
    """Re-queue a paused job; it continues from its latest checkpoint, not from step zero.

    A job whose worker is still saving its pause checkpoint is queued at once but claimed only
    once that worker has finished (the claim skips jobs with a pending `requested_action`).
    """
    with db.session() as session:
        job = job_rows.get_job(session, project=project, job_id=job_id)
        if job.status != "paused":
            raise InvalidRequestError(
                f"Job is {job.status}; only a paused job can be resumed.", param=None
            )
        won = job_rows.update_job(
            session,
            job_id=job.id,
            values={"status": "queued", "queued_seq": job_rows.next_queued_seq()},
            statuses=["paused"],
        )
        if not won:
            raise ConflictError("The job changed state while being resumed; retry.")
        checkpoint = job_rows.latest_checkpoint(session, job_id=job.id)
        if job.requested_action is None and checkpoint is not None:
            _event(session, job, f"Fine-tuning job resumed from step {checkpoint.step_number}")
        else:
            _event(session, job, "Fine-tuning job resumed")
        return job_rows.get_job(session, project=project, job_id=job_id)


def _event(session: Session, job: JobRow, message: str, *, level: str = "info") -> None:
    job_rows.add_event(session, job_id=job.id, project=job.project, message=message, level=level)
