"""What the scheduler and its workers do to jobs besides changing their status.

They act for no caller: every function addresses a job by its globally unique id. Each is one
transaction. Status changes are not here: they go through service/fine_tuning/transitions.py.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Literal, NamedTuple

from service.core.db import Database
from service.core.tables import JobCheckpointRow, JobRow
from service.fine_tuning import repository
from service.fine_tuning.repository import MetricValue
from service.fine_tuning.schemas import JobStatus

# One step's metrics, as a metrics event carries them.
StepMetrics = dict[str, MetricValue]
EventLevel = Literal["info", "warn", "error"]


class BoundRun(NamedTuple):
    """A job some worker is (or was) attached to, as the leader's sweep watches it."""

    job_id: str
    worker: str
    # Unix seconds of the last heartbeat of the worker's supervisor; None before the first.
    heartbeat_at: int | None


def find_job(db: Database, *, job_id: str) -> JobRow | None:
    """The job `job_id`, freshly read, whatever its project."""
    with db.session() as session:
        return repository.find_job(session, job_id=job_id)


def next_queued_job(db: Database) -> JobRow | None:
    """The job the next claim would take, not claimed."""
    with db.session() as session:
        return repository.next_queued_job(session)


def jobs_to_validate(db: Database) -> list[str]:
    """The ids of the jobs waiting for their files to be validated, oldest first."""
    with db.session() as session:
        rows = repository.jobs_in_status(session, statuses=[JobStatus.VALIDATING_FILES.value])
        return [job.id for job in rows]


def bound_runs(db: Database) -> list[BoundRun]:
    """Every job a worker is attached to, with its worker and heartbeat."""
    with db.session() as session:
        return [
            BoundRun(job.id, job.worker, job.heartbeat_at)
            for job in repository.jobs_with_worker(session)
            if job.worker is not None
        ]


def heartbeat(db: Database, *, workers: Collection[str]) -> int:
    """Show that the supervisor of `workers` is alive (heartbeat_at = now on their jobs);
    how many jobs."""
    with db.session() as session:
        return repository.touch_heartbeats(session, workers=workers)


def add_event(db: Database, job: JobRow, message: str, *, level: EventLevel = "info") -> None:
    """Append a message event to the job."""
    with db.session() as session:
        repository.add_event(
            session, job_id=job.id, project=job.project, message=message, level=level
        )


def store_method(db: Database, job: JobRow, *, worker: str, method: dict[str, object]) -> bool:
    """Replace the job's `method` (its hyperparameters resolved) while `worker` holds it;
    False when the run was given up."""
    with db.session() as session:
        return repository.update_job(
            session, job_id=job.id, values={"method": method}, worker=worker
        )


def record_step(
    db: Database,
    job: JobRow,
    *,
    worker: str,
    message: str,
    metrics: Mapping[str, MetricValue],
    estimated_finish: int | None,
    heartbeat_at: int,
) -> bool:
    """A step's metrics event, with a fresh estimated_finish and heartbeat, while `worker`
    holds the job; False (and no event) when the scheduler gave the run up."""
    with db.session() as session:
        owned = repository.update_job(
            session,
            job_id=job.id,
            values={"estimated_finish": estimated_finish, "heartbeat_at": heartbeat_at},
            worker=worker,
        )
        if not owned:
            return False
        repository.add_event(
            session,
            job_id=job.id,
            project=job.project,
            message=message,
            type="metrics",
            data=metrics,
        )
        return True


def metrics_history(db: Database, *, job_id: str) -> list[StepMetrics]:
    """The metrics of every step event of a job, oldest first (a step redone after a crash
    appears twice; the later one counts)."""
    with db.session() as session:
        return repository.metrics_history(session, job_id=job_id)


def latest_checkpoint(db: Database, *, job_id: str) -> JobCheckpointRow | None:
    """The available checkpoint with the highest step: where a new attempt resumes."""
    with db.session() as session:
        return repository.latest_checkpoint(session, job_id=job_id)


def record_checkpoint(
    db: Database,
    job: JobRow,
    *,
    step: int,
    metrics: Mapping[str, MetricValue],
    model_name: str,
    storage_key: str,
    keep: int,
) -> list[str]:
    """List a checkpoint whose bytes are stored under `storage_key`, announce it, and retire
    all but the `keep` latest; the storage keys of the retired ones, for the caller to delete
    (rows first: no listed checkpoint ever lacks its bytes)."""
    with db.session() as session:
        repository.add_checkpoint(
            session,
            job_id=job.id,
            project=job.project,
            step=step,
            metrics=metrics,
            model_name=model_name,
            storage_key=storage_key,
        )
        repository.add_event(
            session,
            job_id=job.id,
            project=job.project,
            # OpenAI's wording, which pipelines parse for the checkpoint's model name.
            message=f"Checkpoint created at step {step} with Snapshot ID: {model_name}",
        )
        retired = repository.retire_old_checkpoints(session, job_id=job.id, keep=keep)
        return [row.storage_key for row in retired]
