"""Validating a new job's files, streamed from storage; blocking, so run off the event loop."""

from __future__ import annotations

import logging

from service.catalog import Catalog
from service.chaos import operations as chaos
from service.core.db import Database
from service.core.errors import NotFoundError, ServiceUnavailableError, WhetstoneError
from service.core.tables import JobRow, stored_method
from service.datasets.errors import DatasetError, DatasetParam, missing_file
from service.datasets.formats import DATA_FORMAT_KEY, FileReport, validate_file
from service.files import operations as files
from service.fine_tuning import scheduling as jobs
from service.fine_tuning import transitions
from service.fine_tuning.schemas import JobStatus
from service.fine_tuning.transitions import JobFailure
from service.reports import operations as reports
from service.reports.analysis import ADVISORY_FINDINGS
from service.storage import ArtifactStore
from service.training.hyperparameters import resolve_hyperparameters

logger = logging.getLogger("whetstone.scheduler")

# A validation file only needs enough lines to measure on.
MIN_VALIDATION_EXAMPLES = 1
# Larger training files get the report's warn event only when their report is cached already:
# counting tokens runs at about 1 MB/s, so this bounds what it adds to validation (a minute).
REPORT_AT_VALIDATION_MAX_BYTES = 64 * 1024 * 1024
# The job error code when validation itself broke rather than the file being invalid.
VALIDATION_ERROR_CODE = "validation_error"


def validate_job_files(db: Database, store: ArtifactStore, catalog: Catalog, job_id: str) -> None:
    """Move a `validating_files` job to `queued` with its hyperparameters resolved, or to
    `failed` with OpenAI's error (code, message with the line, param).

    Storage or database outages propagate (ServiceUnavailableError) so that the scheduler
    tries again later; anything else about the files fails the job.
    """
    job = jobs.find_job(db, job_id=job_id)
    if job is None or job.status != JobStatus.VALIDATING_FILES:
        return
    fault = chaos.job_fault(job.job_metadata)
    if fault is not None and fault.kind == "fail_validation":
        transitions.files_rejected(db, job, JobFailure(*fault.validation_failure()))
        return
    try:
        report = _validate(db, store, job, "training_file", job.training_file)
        if job.validation_file is not None:
            _validate(db, store, job, "validation_file", job.validation_file)
        entry = catalog.resolve(job.catalog_model)
        resolved = resolve_hyperparameters(
            job.hyperparameters, n_examples=report.n_examples, entry=entry, method=job.method_type
        )
    except DatasetError as exc:
        transitions.files_rejected(db, job, JobFailure(exc.code, exc.message, exc.param))
        return
    except ServiceUnavailableError:
        raise
    except WhetstoneError as exc:
        transitions.files_rejected(
            db, job, JobFailure(VALIDATION_ERROR_CODE, exc.message, exc.param)
        )
        return
    method = stored_method(job.method_type, resolved, **job.method_extras)
    summary = _report_summary(db, store, catalog, job)
    warnings = [*report.warnings, summary] if summary is not None else report.warnings
    transitions.files_validated(db, job, method=method, warnings=warnings)


def _report_summary(
    db: Database, store: ArtifactStore, catalog: Catalog, job: JobRow
) -> str | None:
    """One warning summarising the training file's data report (cached per file and model, so
    the report page later costs nothing); None when it finds nothing."""
    if job.method_extras.get(DATA_FORMAT_KEY) is not None:
        # The report reads OpenAI lines; a cloud's file would only show up as invalid there.
        return None
    try:
        entry = catalog.resolve(job.catalog_model)
        report = reports.data_report(
            db,
            store,
            catalog,
            project=job.project,
            file_id=job.training_file,
            entry=entry,
            max_bytes=REPORT_AT_VALIDATION_MAX_BYTES,
        )
    except NotFoundError:
        # Deleted since it validated: training says so, with the file's error code.
        return None
    except Exception:
        # The report is advice: it never fails a job, nor holds one in validation.
        logger.warning("data report of %s failed", job.training_file, exc_info=True)
        return None
    return report.summary(skip=ADVISORY_FINDINGS) if report is not None else None


def _validate(
    db: Database, store: ArtifactStore, job: JobRow, param: DatasetParam, file_id: str
) -> FileReport:
    kind = "training" if param == "training_file" else "validation"
    jobs.add_event(db, job, f"Validating {kind} file: {file_id}")
    try:
        storage_key = files.storage_key_of(db, project=job.project, file_id=file_id)
        return validate_file(
            store.iter_chunks(storage_key),
            method=job.method_type,
            param=param,
            min_examples=10 if kind == "training" else MIN_VALIDATION_EXAMPLES,
            data_format=job.method_extras.get(DATA_FORMAT_KEY),
        )
    except NotFoundError as exc:
        # The row is gone (deleted, expired) or, deleted meanwhile, its bytes: the row goes
        # first, then the bytes, so a stream already under way may find them missing.
        raise missing_file(param, file_id) from exc


def fail_validation(db: Database, job_id: str, message: str) -> bool:
    """validating_files -> failed with code `validation_error`, for a job whose validation
    kept raising unexpected errors; False when the job had moved on meanwhile."""
    job = jobs.find_job(db, job_id=job_id)
    if job is None or job.status != JobStatus.VALIDATING_FILES:
        return False
    return transitions.files_rejected(db, job, JobFailure(VALIDATION_ERROR_CODE, message))
