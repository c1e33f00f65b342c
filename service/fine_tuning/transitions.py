"""The job state machine: the one module that changes a job's status.

    create ──▶ validating_files ──files valid──▶ queued ◀───────────── resume ──────────┐
                    │                             │  ▲                                  │
               files invalid                   claim │ interrupted (crash,              │
                    ▼                             ▼  │  restart, shutdown)              │
                  failed ◀──training error, ─── running ──pause──▶ pausing ──saved──▶ paused
                            crashes ≥ max          │                  ▼ a pause at the last step
                                                   └──finished──▶ succeeded
    queued ──pause──▶ paused (no worker to wait for)
    queued ──the cluster can never place its run──▶ failed (Ray; no worker was started)
    pausing ──worker lost (crash, restart, shutdown)──▶ paused, at its latest checkpoint
    resume: pausing | paused ──▶ queued (claimed once the worker has let go)
    cancel: validating_files | queued | running | pausing | paused ──▶ cancelled

`succeeded`, `failed` and `cancelled` are final. A running job that is cancelled through the
API changes status at once and leaves `requested_action` for its worker, which stops within one
optimizer step and then lets go. A pause makes a running job `pausing` (as OpenAI reports it)
until its worker has saved a checkpoint and let go; then it is `paused`. A pausing job may be
resumed at once: it is queued, but no one claims it before its worker has let go.

Every transition is one transaction that writes the status, its event and its error
together, through `_move`: a guarded UPDATE (`WHERE status IN (sources) [AND worker =
token]`) that reports whether it won, so the API, the scheduler and a worker can race on one
job and exactly one of them decides each change. A worker's writes carry its token, so a run
the scheduler has given up on can no longer change the job.

`attempts` counts runs that ended without their worker recording an outcome (a crash, a
kill, a server that died under it); a job reaching `max_attempts` of them fails.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Collection
from dataclasses import dataclass
from typing import Any, Unpack

from sqlalchemy.orm import Session

from service.core.db import Database
from service.core.errors import ConflictError, InvalidRequestError
from service.core.ids import now
from service.core.tables import JobRow
from service.fine_tuning import repository
from service.fine_tuning.repository import JobColumns
from service.fine_tuning.schemas import FINISHED_STATUSES, JobStatus
from service.webhooks import operations as webhooks

logger = logging.getLogger("whetstone.jobs")

CRASH_CODE = "worker_crashed"
# The event of a job's first claim; its time is when training started (no column holds it).
STARTED_MESSAGE = "Fine-tuning job started"
# How often a cancel/pause re-reads the job when the scheduler changed it in between.
_API_TRIES = 5


@dataclass(frozen=True)
class JobFailure:
    """Why a job failed: OpenAI's job `error` object (code, message, param)."""

    code: str
    message: str
    param: str | None = None

    def as_json(self) -> dict[str, str | None]:
        """The `error` column and wire value."""
        return {"code": self.code, "message": self.message, "param": self.param}


def _move(
    session: Session,
    job: JobRow,
    target: JobStatus,
    *,
    sources: Collection[JobStatus],
    held_by: str | None = None,
    message: str | None = None,
    level: str = "info",
    failure: JobFailure | None = None,
    detach: bool = False,
    **values: Unpack[JobColumns],
) -> bool:
    """Move `job` from one of `sources` to `target` (only while worker `held_by` holds it, when
    given) and write its event; False when another writer won the row first. `detach` lets go
    of the worker and of any pending request in the same write."""
    if detach:
        values["worker"] = None
        values["requested_action"] = None
    if failure is not None:
        values["error"] = failure.as_json()
    if target in FINISHED_STATUSES:
        values.setdefault("finished_at", now())
        values.setdefault("estimated_finish", None)
    won = repository.write_status(
        session, job_id=job.id, status=target, sources=sources, worker=held_by, values=values
    )
    if won and message is not None:
        repository.add_event(
            session, job_id=job.id, project=job.project, message=message, level=level
        )
    if won and target in FINISHED_STATUSES:
        # The outbox row commits with the status or not at all: no event lost, none invented.
        webhooks.record_event(
            session,
            project=job.project,
            event_type=f"fine_tuning.job.{JobStatus(target).value}",
            object_id=job.id,
        )
    return won


def _event(session: Session, job: JobRow, message: str, level: str = "info") -> None:
    repository.add_event(session, job_id=job.id, project=job.project, message=message, level=level)


def _let_go(session: Session, job: JobRow, worker: str | None) -> bool:
    """Detach the worker (no status change); True when `worker` still held the job."""
    return repository.update_job(
        session, job_id=job.id, values={"worker": None, "requested_action": None}, worker=worker
    )


# -- the API -----------------------------------------------------------------------------------


def create(session: Session, **fields: Any) -> JobRow:
    """Insert a job in `validating_files` with its first event, in the caller's transaction."""
    job = repository.insert_job(session, status=JobStatus.VALIDATING_FILES, **fields)
    _event(session, job, f"Created fine-tuning job: {job.id}")
    return job


def imported(
    db: Database,
    *,
    name_of: Callable[[JobRow], str],
    adapter_key: str,
    source: str,
    **fields: Any,
) -> JobRow:
    """A job that trained elsewhere (an adapter brought in whole): inserted and moved to
    succeeded in one transaction, with its events and webhook, so no scheduler ever sees it
    waiting. `name_of` names its model from the inserted row."""
    with db.session() as session:
        job = repository.insert_job(session, status=JobStatus.VALIDATING_FILES, **fields)
        _event(session, job, f"Created fine-tuning job: {job.id}")
        name = name_of(job)
        _move(
            session,
            job,
            JobStatus.SUCCEEDED,
            sources=[JobStatus.VALIDATING_FILES],
            message=f"New fine-tuned model created: {name} (imported from {source})",
            fine_tuned_model=name,
            adapter_key=adapter_key,
            trained_tokens=0,
            result_files=[],
        )
        _event(session, job, "The job has successfully completed")
        session.refresh(job)
        session.expunge(job)
        return job


def cancel(db: Database, *, project: str, job_id: str) -> JobRow:
    """Cancel an unfinished job; a running one is told to stop and does within one step."""
    for _ in range(_API_TRIES):
        with db.session() as session:
            job = repository.get_job(session, project=project, job_id=job_id)
            if job.status == JobStatus.CANCELLED:
                raise InvalidRequestError("Job has already been cancelled.")
            if job.status in FINISHED_STATUSES:
                raise InvalidRequestError("Job has already completed.")
            extra: JobColumns = {"requested_action": "cancel"} if job.worker is not None else {}
            if _move(
                session,
                job,
                JobStatus.CANCELLED,
                sources=[JobStatus(job.status)],
                message="Fine-tuning job cancelled",
                **extra,
            ):
                return repository.get_job(session, project=project, job_id=job_id)
    raise ConflictError("The job changed state while being cancelled; retry.")


def pause(db: Database, *, project: str, job_id: str) -> JobRow:
    """Pause a queued or running job; a running one saves a checkpoint before it stops."""
    for _ in range(_API_TRIES):
        with db.session() as session:
            job = repository.get_job(session, project=project, job_id=job_id)
            if job.status in FINISHED_STATUSES:
                raise InvalidRequestError(f"Job is {job.status} and cannot be paused.")
            if job.status == JobStatus.PAUSED:
                raise InvalidRequestError("Job is already paused.")
            if job.status == JobStatus.PAUSING:
                raise InvalidRequestError("Job is already pausing.")
            if job.status == JobStatus.VALIDATING_FILES:
                raise InvalidRequestError(
                    "Job cannot be paused while its files are being validated."
                )
            running = job.status == JobStatus.RUNNING
            values: JobColumns = {"estimated_finish": None}
            if running:
                values["requested_action"] = "pause"
            if _move(
                session,
                job,
                # A running job is `pausing` until its worker has saved the checkpoint.
                JobStatus.PAUSING if running else JobStatus.PAUSED,
                sources=[JobStatus(job.status)],
                message="Pausing fine-tuning job: saving a checkpoint"
                if running
                else "Fine-tuning job paused",
                **values,
            ):
                return repository.get_job(session, project=project, job_id=job_id)
    raise ConflictError("The job changed state while being paused; retry.")


def resume(db: Database, *, project: str, job_id: str) -> JobRow:
    """Re-queue a paused job; it continues from its latest checkpoint, not from step zero.

    A job whose worker is still saving its pause checkpoint is queued at once but claimed only
    once that worker has finished (the claim skips jobs with a pending `requested_action`).
    """
    with db.session() as session:
        job = repository.get_job(session, project=project, job_id=job_id)
        if job.status not in (JobStatus.PAUSED, JobStatus.PAUSING):
            raise InvalidRequestError(f"Job is {job.status}; only a paused job can be resumed.")
        checkpoint = repository.latest_checkpoint(session, job_id=job.id)
        message = (
            f"Fine-tuning job resumed from step {checkpoint.step_number}"
            if job.requested_action is None and checkpoint is not None
            else "Fine-tuning job resumed"
        )
        if not _move(
            session,
            job,
            JobStatus.QUEUED,
            sources=[JobStatus.PAUSED, JobStatus.PAUSING],
            message=message,
            queued_seq=repository.next_queued_seq(),
        ):
            raise ConflictError("The job changed state while being resumed; retry.")
        return repository.get_job(session, project=project, job_id=job_id)


# -- validation --------------------------------------------------------------------------------


def files_validated(
    db: Database, job: JobRow, *, method: dict[str, Any], warnings: list[str]
) -> bool:
    """validating_files -> queued, with the hyperparameters resolved into `method`."""
    with db.session() as session:
        won = _move(
            session,
            job,
            JobStatus.QUEUED,
            sources=[JobStatus.VALIDATING_FILES],
            queued_seq=repository.next_queued_seq(),
            method=method,
        )
        if won:
            for warning in warnings:
                _event(session, job, warning, "warn")
            _event(session, job, "Files validated, moving job to queued state")
        return won


def files_rejected(db: Database, job: JobRow, failure: JobFailure) -> bool:
    """validating_files -> failed, with OpenAI's error code and the line at fault."""
    with db.session() as session:
        won = _move(
            session,
            job,
            JobStatus.FAILED,
            sources=[JobStatus.VALIDATING_FILES],
            message=failure.message,
            level="error",
            failure=failure,
        )
    if won:
        logger.info("job %s failed validation: %s", job.id, failure.message)
    return won


# -- the scheduler -----------------------------------------------------------------------------


def claim(db: Database, *, worker: str) -> JobRow | None:
    """queued -> running for `worker`: the next job, or None; a fresh start gets its event."""
    with db.session() as session:
        job = repository.claim_next_job(session, worker=worker, is_postgresql=not db.is_sqlite)
        if job is None:
            return None
        if repository.latest_checkpoint(session, job_id=job.id) is None:
            _event(session, job, STARTED_MESSAGE)
        return job


def waiting_for_placement(db: Database, *, job_id: str, message: str) -> None:
    """Say on a queued job what its run waits for (an event; the job stays queued)."""
    with db.session() as session:
        job = repository.find_job(session, job_id=job_id)
        if job is not None and job.status == JobStatus.QUEUED:
            _event(session, job, message, level="warn")


def unplaceable(db: Database, *, job_id: str, failure: JobFailure) -> bool:
    """queued -> failed for a job whose run the cluster can never place; False when the job
    left the queue first."""
    with db.session() as session:
        job = repository.find_job(session, job_id=job_id)
        if job is None:
            return False
        return _move(
            session,
            job,
            JobStatus.FAILED,
            sources=[JobStatus.QUEUED],
            message=failure.message,
            level="error",
            failure=failure,
        )


def release_unstarted(db: Database, *, job_id: str, worker: str, reason: str) -> None:
    """running -> queued for a job whose worker never started (it keeps its queue position)."""
    with db.session() as session:
        job = repository.find_job(session, job_id=job_id)
        if job is None:
            return
        _move(
            session,
            job,
            JobStatus.QUEUED,
            sources=[JobStatus.RUNNING],
            held_by=worker,
            message=f"Could not start a worker ({reason}); the job stays queued",
            level="warn",
            detach=True,
        )
        _let_go(session, job, worker)


def worker_exited(
    db: Database, *, job_id: str, worker: str, description: str, max_attempts: int
) -> None:
    """After a worker process ended: if it recorded no outcome, it crashed; fail the job after
    `max_attempts` crashes, else queue it again to resume from its latest checkpoint."""
    with db.session() as session:
        job = repository.find_job(session, job_id=job_id)
        if job is None or job.worker != worker:
            return  # the worker recorded its outcome and let go of the job
        _interrupted(session, job, description, max_attempts=max_attempts)


def recover_interrupted(db: Database, *, max_attempts: int) -> int:
    """At start-up, before any worker runs: every job still bound to a worker lost it when the
    server stopped. Running ones are queued again (or failed after `max_attempts`); the rest
    just let go. Returns how many were queued or failed.

    Jobs in `validating_files` need nothing: the scheduler validates whatever it finds there.
    Only for SQLite, where one scheduler runs per database. On PostgreSQL replicas share the
    database, and the leading scheduler recovers runs one by one (`worker_exited`) once their
    supervisor is seen gone (service/scheduler/scheduler.py).
    """
    touched = 0
    with db.session() as session:
        for job in repository.jobs_with_worker(session):
            if job.status == JobStatus.RUNNING:
                _interrupted(
                    session,
                    job,
                    "The server stopped while the job was running",
                    max_attempts=max_attempts,
                )
                touched += 1
            elif job.status == JobStatus.PAUSING:
                _paused_without_worker(session, job, "The server stopped while the job was pausing")
            else:
                _let_go(session, job, job.worker)
    return touched


def release_at_shutdown(db: Database, *, job_id: str, worker: str) -> None:
    """running -> queued on a graceful stop, without counting an attempt (it resumes from its
    latest checkpoint at the next start); any other job just lets go of the worker."""
    with db.session() as session:
        job = repository.find_job(session, job_id=job_id)
        if job is None or job.worker != worker:
            return
        checkpoint = repository.latest_checkpoint(session, job_id=job.id)
        step = checkpoint.step_number if checkpoint is not None else 0
        if job.status == JobStatus.RUNNING and _move(
            session,
            job,
            JobStatus.QUEUED,
            sources=[JobStatus.RUNNING],
            held_by=worker,
            message=f"Server shutting down; the job will resume from step {step}",
            estimated_finish=None,
            detach=True,
        ):
            return
        if job.status == JobStatus.PAUSING:
            _paused_without_worker(session, job, "Server shutting down while the job was pausing")
            return
        _let_go(session, job, worker)


def _paused_without_worker(session: Session, job: JobRow, cause: str) -> None:
    """pausing -> paused for a job whose worker is gone before it saved the pause checkpoint:
    the job resumes from its latest checkpoint, like any interrupted run."""
    checkpoint = repository.latest_checkpoint(session, job_id=job.id)
    step = checkpoint.step_number if checkpoint is not None else 0
    _move(
        session,
        job,
        JobStatus.PAUSED,
        sources=[JobStatus.PAUSING],
        held_by=job.worker,
        message=f"{cause}; the job is paused at step {step}",
        level="warn",
        estimated_finish=None,
        detach=True,
    )


def _interrupted(session: Session, job: JobRow, cause: str, *, max_attempts: int) -> None:
    """A run of `job` ended without an outcome: queue it again or, at the limit, fail it."""
    if job.status == JobStatus.PAUSING:
        _paused_without_worker(session, job, cause)
        return
    if job.status != JobStatus.RUNNING:
        # Cancelled or paused meanwhile: the status already says what the user wanted.
        _let_go(session, job, job.worker)
        return
    attempts = job.attempts + 1
    if attempts >= max_attempts:
        message = f"{cause}. The job failed after {attempts} attempts."
        if _move(
            session,
            job,
            JobStatus.FAILED,
            sources=[JobStatus.RUNNING],
            held_by=job.worker,
            message=message,
            level="error",
            failure=JobFailure(CRASH_CODE, message),
            attempts=attempts,
            detach=True,
        ):
            logger.error("job %s failed: %s", job.id, message)
        return
    if _move(
        session,
        job,
        JobStatus.QUEUED,
        sources=[JobStatus.RUNNING],
        held_by=job.worker,
        message=f"{cause}; retrying (attempt {attempts + 1} of {max_attempts})",
        level="warn",
        attempts=attempts,
        estimated_finish=None,
        detach=True,
    ):
        checkpoint = repository.latest_checkpoint(session, job_id=job.id)
        _event(
            session,
            job,
            "Restarting fine-tuning job from the beginning after restart"
            if checkpoint is None
            else f"Resuming fine-tuning job from step {checkpoint.step_number} after restart",
        )
        logger.warning("job %s interrupted (%s); queued again", job.id, cause)


# -- the worker --------------------------------------------------------------------------------


def succeed(
    db: Database,
    job: JobRow,
    *,
    worker: str,
    fine_tuned_model: str,
    adapter_key: str,
    trained_tokens: int,
    result_files: list[str],
) -> bool:
    """running (or pausing at the last step) -> succeeded, naming the new model."""
    with db.session() as session:
        won = _move(
            session,
            job,
            JobStatus.SUCCEEDED,
            sources=[JobStatus.RUNNING, JobStatus.PAUSING],
            held_by=worker,
            message=f"New fine-tuned model created: {fine_tuned_model}",
            fine_tuned_model=fine_tuned_model,
            adapter_key=adapter_key,
            trained_tokens=trained_tokens,
            result_files=result_files,
            detach=True,
        )
        if won:
            _event(session, job, "The job has successfully completed")
        else:
            _let_go(session, job, worker)
        return won


def fail(db: Database, job: JobRow, *, worker: str, failure: JobFailure) -> bool:
    """running (or pausing) -> failed on a bad file or a training error (not retried)."""
    with db.session() as session:
        won = _move(
            session,
            job,
            JobStatus.FAILED,
            sources=[JobStatus.RUNNING, JobStatus.PAUSING],
            held_by=worker,
            message=failure.message,
            level="error",
            failure=failure,
            detach=True,
        )
        if not won:
            _let_go(session, job, worker)
        return won


def stopped(db: Database, job: JobRow, *, worker: str, step: int) -> None:
    """A worker stopped after a cancel: it lets go; the status already says `cancelled`."""
    with db.session() as session:
        if _let_go(session, job, worker):
            _event(session, job, f"Training stopped at step {step}")


def paused_at(db: Database, job: JobRow, *, worker: str, step: int) -> None:
    """A worker saved its pause checkpoint and lets go: pausing -> paused; clearing
    `requested_action` last makes a job resumed meanwhile claimable."""
    with db.session() as session:
        current = repository.find_job(session, job_id=job.id)
        pausing = current is not None and current.status == JobStatus.PAUSING
        if pausing and _move(
            session,
            job,
            JobStatus.PAUSED,
            sources=[JobStatus.PAUSING],
            held_by=worker,
            message=f"Fine-tuning job paused at step {step}",
            detach=True,
        ):
            return
        owned = _let_go(session, job, worker)
        if owned and current is not None and current.status in (JobStatus.PAUSED, JobStatus.QUEUED):
            _event(session, job, f"Fine-tuning job paused at step {step}")
