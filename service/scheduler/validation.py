"""Validating a new job's files, streamed from storage; blocking, so run off the event loop."""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy.orm import Session

from service.catalog import Catalog
from service.datasets.errors import DatasetError
from service.datasets.validation import validate_training_file
from service.db import Database
from service.db import files as file_rows
from service.db import jobs as job_rows
from service.db.tables import JobRow
from service.errors import NotFoundError, ServiceUnavailableError, WhetstoneError
from service.ids import now
from service.storage import ArtifactStore
from service.training.hyperparameters import resolve_hyperparameters

logger = logging.getLogger("whetstone.scheduler")

# A validation file only needs enough lines to measure on.
MIN_VALIDATION_EXAMPLES = 1


def validate_job_files(db: Database, store: ArtifactStore, catalog: Catalog, job_id: str) -> None:
    """Move a `validating_files` job to `queued` with its hyperparameters resolved, or to
    `failed` with OpenAI's error (code, message with the line, param).

    Storage or database outages propagate (ServiceUnavailableError) so that the scheduler
    tries again later; anything else about the files fails the job.
    """
    with db.session() as session:
        job = job_rows.find_job(session, job_id=job_id)
        if job is None or job.status != "validating_files":
            return
    try:
        report = _validate(db, store, job, "training_file", job.training_file)
        if job.validation_file is not None:
            _validate(db, store, job, "validation_file", job.validation_file)
        entry = catalog.resolve(job.model)
        requested = job.method.get("supervised", {}).get("hyperparameters") or {}
        resolved = resolve_hyperparameters(requested, n_examples=report.n_examples, entry=entry)
    except DatasetError as exc:
        _fail(db, job, exc.as_job_error())
        return
    except ServiceUnavailableError:
        raise
    except WhetstoneError as exc:
        _fail(db, job, {"code": "validation_error", "message": exc.message, "param": exc.param})
        return
    method = {"type": "supervised", "supervised": {"hyperparameters": resolved}}
    with db.session() as session:
        won = job_rows.update_job(
            session,
            job_id=job.id,
            values={
                "status": "queued",
                "queued_seq": job_rows.next_queued_seq(),
                "method": method,
            },
            statuses=["validating_files"],
        )
        if won:
            for warning in report.warnings:
                _event(session, job, warning, "warn")
            _event(session, job, "Files validated, moving job to queued state")


def _validate(db: Database, store: ArtifactStore, job: JobRow, param: Any, file_id: str) -> Any:
    kind = "training" if param == "training_file" else "validation"
    with db.session() as session:
        _event(session, job, f"Validating {kind} file: {file_id}")
        try:
            row = file_rows.get_file(session, project=job.project, file_id=file_id)
        except NotFoundError as exc:
            raise DatasetError(
                f"The {kind} file {file_id} no longer exists.",
                code="invalid_training_file" if kind == "training" else "invalid_validation_file",
                param=param,
            ) from exc
        storage_key = row.storage_key
    return validate_training_file(
        store.iter_chunks(storage_key),
        param=param,
        min_examples=10 if kind == "training" else MIN_VALIDATION_EXAMPLES,
    )


def _fail(db: Database, job: JobRow, error: dict[str, Any]) -> None:
    with db.session() as session:
        won = job_rows.update_job(
            session,
            job_id=job.id,
            values={"status": "failed", "error": error, "finished_at": now()},
            statuses=["validating_files"],
        )
        if won:
            _event(session, job, error["message"], "error")
            logger.info("job %s failed validation: %s", job.id, error["message"])


def _event(session: Session, job: JobRow, message: str, level: str = "info") -> None:
    job_rows.add_event(session, job_id=job.id, project=job.project, message=message, level=level)
