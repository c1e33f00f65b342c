"""Queries behind /v1/models and serving: fine-tuned and checkpoint models of a project."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from service.db.tables import JobCheckpointRow, JobRow


def list_fine_tuned_models(session: Session, *, project: str) -> list[JobRow]:
    """The project's servable fine-tuned models (succeeded, not deleted), newest first."""
    query = (
        select(JobRow)
        .where(
            JobRow.project == project,
            JobRow.status == "succeeded",
            JobRow.fine_tuned_model.is_not(None),
            JobRow.fine_tuned_model_deleted.is_(False),
        )
        .order_by(JobRow.seq.desc())
    )
    return list(session.scalars(query))


def find_fine_tuned_model(session: Session, *, project: str, name: str) -> JobRow | None:
    """The job whose servable fine-tuned model is `name` in `project`, if any."""
    query = select(JobRow).where(
        JobRow.project == project,
        JobRow.fine_tuned_model == name,
        JobRow.status == "succeeded",
        JobRow.fine_tuned_model_deleted.is_(False),
    )
    return session.scalars(query).first()


def find_checkpoint_model(
    session: Session, *, project: str, name: str
) -> tuple[JobCheckpointRow, JobRow] | None:
    """The available checkpoint named `name` in `project` and its job, if any."""
    query = (
        select(JobCheckpointRow, JobRow)
        .join(JobRow, JobRow.id == JobCheckpointRow.job_id)
        .where(
            JobCheckpointRow.project == project,
            JobRow.project == project,
            JobCheckpointRow.fine_tuned_model_checkpoint == name,
            JobCheckpointRow.available.is_(True),
            JobRow.fine_tuned_model_deleted.is_(False),
        )
    )
    row = session.execute(query).first()
    return (row[0], row[1]) if row is not None else None


def mark_model_deleted(
    session: Session, *, project: str, name: str
) -> tuple[JobRow, list[JobCheckpointRow]] | None:
    """Mark `name` deleted and its checkpoints unavailable; the job keeps its history.

    Returns the job and its checkpoints (whose adapters the caller removes), or None when the
    project has no such servable model.
    """
    job = find_fine_tuned_model(session, project=project, name=name)
    if job is None:
        return None
    job.fine_tuned_model_deleted = True
    checkpoints = list(
        session.scalars(
            select(JobCheckpointRow).where(
                JobCheckpointRow.job_id == job.id, JobCheckpointRow.project == project
            )
        )
    )
    for checkpoint in checkpoints:
        checkpoint.available = False
    return job, checkpoints
