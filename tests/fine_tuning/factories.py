"""Jobs in a given status, without the API or a model, for the state machine and scheduler tests."""

from __future__ import annotations

from typing import Any

from service.core.db import Database
from service.core.tables import JobRow
from service.fine_tuning import repository as job_rows
from service.fine_tuning.schemas import JobStatus


def make_job(
    db: Database, *, status: str = "queued", project: str = "proj_a", **values: Any
) -> JobRow:
    """A job row moved straight to `status` (with `values` set), as the lifecycle would."""
    with db.session() as session:
        job = job_rows.insert_job(
            session,
            status=JobStatus(status),
            project=project,
            organization="org",
            model="gpt-4o-mini-2024-07-18",
            training_file="file-x",
            validation_file=None,
            suffix="s",
            seed=1,
            method={"type": "supervised", "supervised": {"hyperparameters": {"n_epochs": 1}}},
            metadata=None,
            integrations=None,
        )
        job_rows.update_job(
            session, job_id=job.id, values={"queued_seq": job_rows.next_queued_seq(), **values}
        )
    return reload(db, job.id)


def reload(db: Database, job_id: str) -> JobRow:
    """The job as stored now."""
    with db.session() as session:
        job = job_rows.find_job(session, job_id=job_id)
    assert job is not None
    return job


def messages(db: Database, job: JobRow) -> list[str]:
    """The job's event messages, oldest first."""
    with db.session() as session:
        events, _ = job_rows.list_events(session, project=job.project, job_id=job.id, limit=1000)
    return [event.message for event in reversed(events)]
