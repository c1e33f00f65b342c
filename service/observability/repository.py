"""The aggregate reads behind the database-backed metrics (read-only, keyword-only).

These read the jobs' tables across every project: the metrics describe the whole server, and
/metrics is an operator's endpoint, not a project's.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from service.core.tables import JobEventRow, JobRow

# Job ids per IN (...) list: well under every backend's bound-parameter limit.
_CHUNK = 500


def trained_tokens_total(session: Session) -> int:
    """The trained tokens of every job that recorded them (a job records them on success)."""
    return int(session.scalar(select(func.coalesce(func.sum(JobRow.trained_tokens), 0))) or 0)


def job_statuses(session: Session) -> dict[str, str]:
    """Every job's id and status."""
    return {job_id: status for job_id, status in session.execute(select(JobRow.id, JobRow.status))}


def latest_steps(session: Session, *, job_ids: Iterable[str]) -> dict[str, int]:
    """The highest step of each job's metrics events (jobs without one are left out)."""
    ids = list(job_ids)
    step = JobEventRow.data["step"].as_integer()
    steps: dict[str, int] = {}
    for start in range(0, len(ids), _CHUNK):
        query = (
            select(JobEventRow.job_id, func.max(step))
            .where(JobEventRow.job_id.in_(ids[start : start + _CHUNK]))
            .where(JobEventRow.type == "metrics")
            .group_by(JobEventRow.job_id)
        )
        steps.update({job_id: int(top) for job_id, top in session.execute(query) if top})
    return steps
