"""The scheduler's side of the job lifecycle: claim, crash, recovery and shutdown.

Each function is one short transaction of guarded UPDATEs (see service/db/jobs.py), blocking:
the scheduler calls them with asyncio.to_thread. `attempts` counts runs that ended without
their worker recording an outcome (a crash, a kill, a server that died under it); a job
reaching `max_attempts` of them fails instead of looping.
"""

from __future__ import annotations

import logging
import signal
from typing import Any

from sqlalchemy.orm import Session

from service.db import Database
from service.db import jobs as job_rows
from service.db.tables import JobRow
from service.ids import now

logger = logging.getLogger("whetstone.scheduler")

CRASH_CODE = "worker_crashed"


def describe_exit(exitcode: int | None) -> str:
    """A sentence saying how a worker process ended, for an event or a job error."""
    if exitcode is None:
        return "Worker process vanished"
    if exitcode < 0:
        number = -exitcode
        try:
            name = signal.Signals(number).name
        except ValueError:
            name = f"signal {number}"
        likely = " (likely out of memory)" if number == signal.SIGKILL else ""
        return f"Worker process died with signal {number} ({name}){likely}"
    if exitcode == 0:
        return "Worker process exited without recording how the job ended"
    return f"Worker process exited with code {exitcode}"


def claim_job(db: Database, *, worker: str) -> JobRow | None:
    """Claim the next queued job for `worker`, or None; a fresh start gets its event."""
    with db.session() as session:
        job = job_rows.claim_next_job(session, worker=worker, is_postgresql=not db.is_sqlite)
        if job is None:
            return None
        if job_rows.latest_checkpoint(session, job_id=job.id) is None:
            _event(session, job, "Fine-tuning job started")
        return job


def release_unstarted(db: Database, *, job_id: str, worker: str, reason: str) -> None:
    """Put back a job claimed by a worker that never started (it keeps its queue position)."""
    with db.session() as session:
        job = job_rows.find_job(session, job_id=job_id)
        if job is None:
            return
        job_rows.update_job(
            session,
            job_id=job_id,
            values={"status": "queued", "worker": None},
            statuses=["running"],
            worker=worker,
        )
        job_rows.update_job(session, job_id=job_id, values={"worker": None}, worker=worker)
        _event(session, job, f"Could not start a worker ({reason}); the job stays queued", "warn")


def handle_worker_exit(
    db: Database, *, job_id: str, worker: str, exitcode: int | None, max_attempts: int
) -> None:
    """After a worker process ended: if it recorded no outcome, it crashed; fail the job after
    `max_attempts` crashes, else queue it again to resume from its latest checkpoint."""
    with db.session() as session:
        job = job_rows.find_job(session, job_id=job_id)
        if job is None or job.worker != worker:
            return  # the worker recorded its outcome and let go of the job
        _interrupted(session, job, describe_exit(exitcode), max_attempts=max_attempts)


def recover_interrupted_jobs(db: Database, *, max_attempts: int) -> int:
    """At start-up, before any worker runs: every job still bound to a worker lost it when the
    server stopped. Running ones are queued again (or failed after `max_attempts`); the rest
    just let go. Returns how many were queued or failed.

    Jobs in `validating_files` need nothing: the scheduler validates whatever it finds there.
    This assumes one scheduler per database (run extra API replicas with the scheduler off).
    """
    touched = 0
    with db.session() as session:
        for job in job_rows.jobs_with_worker(session):
            if job.status == "running":
                _interrupted(
                    session,
                    job,
                    "The server stopped while the job was running",
                    max_attempts=max_attempts,
                )
                touched += 1
            else:
                _let_go(session, job)
    return touched


def release_at_shutdown(db: Database, *, job_id: str, worker: str) -> None:
    """On a graceful stop: queue a running job again without counting an attempt (it resumes
    from its latest checkpoint at the next start); any other job just lets go of the worker."""
    with db.session() as session:
        job = job_rows.find_job(session, job_id=job_id)
        if job is None or job.worker != worker:
            return
        if job.status == "running":
            won = job_rows.update_job(
                session,
                job_id=job_id,
                values={"status": "queued", "worker": None, "estimated_finish": None},
                statuses=["running"],
                worker=worker,
            )
            if won:
                checkpoint = job_rows.latest_checkpoint(session, job_id=job.id)
                step = checkpoint.step_number if checkpoint is not None else 0
                _event(session, job, f"Server shutting down; the job will resume from step {step}")
                return
        _let_go(session, job)


def _interrupted(session: Session, job: JobRow, cause: str, *, max_attempts: int) -> None:
    """A run of `job` ended without an outcome: queue it again or, at the limit, fail it."""
    if job.status != "running":
        # Cancelled or paused meanwhile: the status already says what the user wanted.
        _let_go(session, job)
        return
    attempts = job.attempts + 1
    if attempts >= max_attempts:
        message = f"{cause}. The job failed after {attempts} attempts."
        won = job_rows.update_job(
            session,
            job_id=job.id,
            values={
                "status": "failed",
                "attempts": attempts,
                "worker": None,
                "requested_action": None,
                "finished_at": now(),
                "estimated_finish": None,
                "error": {"code": CRASH_CODE, "message": message, "param": None},
            },
            statuses=["running"],
            worker=job.worker,
        )
        if won:
            _event(session, job, message, "error")
            logger.error("job %s failed: %s", job.id, message)
        return
    won = job_rows.update_job(
        session,
        job_id=job.id,
        values={
            "status": "queued",
            "attempts": attempts,
            "worker": None,
            "requested_action": None,
            "estimated_finish": None,
        },
        statuses=["running"],
        worker=job.worker,
    )
    if won:
        _event(
            session,
            job,
            f"{cause}; retrying (attempt {attempts + 1} of {max_attempts})",
            "warn",
        )
        _event(session, job, f"{_resume_point(session, job)} after restart")
        logger.warning("job %s interrupted (%s); queued again", job.id, cause)


def _resume_point(session: Session, job: JobRow) -> str:
    checkpoint = job_rows.latest_checkpoint(session, job_id=job.id)
    if checkpoint is None:
        return "Restarting fine-tuning job from the beginning"
    return f"Resuming fine-tuning job from step {checkpoint.step_number}"


def _let_go(session: Session, job: JobRow) -> None:
    job_rows.update_job(
        session,
        job_id=job.id,
        values={"worker": None, "requested_action": None},
        worker=job.worker,
    )


def _event(session: Session, job: JobRow, message: str, level: str = "info") -> None:
    job_rows.add_event(session, job_id=job.id, project=job.project, message=message, level=level)


def job_error(code: str, message: str, param: str | None = None) -> dict[str, Any]:
    """OpenAI's job `error` object."""
    return {"code": code, "message": message, "param": param}
