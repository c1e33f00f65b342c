"""Repositories of fine-tuning jobs, their events and checkpoints, and the scheduler's queue.

Reads and writes made for an API caller filter on the caller's project. The scheduler and its
workers act for no caller: they address a job by its globally unique id.

`insert_job`, `write_status` and `claim_next_job` set a job's status; only
service/fine_tuning/transitions.py calls them. `update_job` refuses to.
"""

from __future__ import annotations

import time
from collections.abc import Collection, Mapping
from typing import Any, NamedTuple, TypedDict

from sqlalchemy import Select, Text, cast, func, or_, select, update
from sqlalchemy.orm import Session, aliased

from service.core.db import rows_affected
from service.core.errors import NotFoundError
from service.core.ids import new_id, now, random_token
from service.core.pagination import cursor_page
from service.core.tables import JobCheckpointRow, JobEventRow, JobRow
from service.fine_tuning.schemas import JobStatus

JOB_ID_PREFIX = "ftjob-"
EVENT_ID_PREFIX = "ftevent-"
CHECKPOINT_ID_PREFIX = "ftckpt_"
MODEL_TOKEN_LENGTH = 8


# A value of a step's metrics, as metrics events and checkpoint rows hold it (JSON).
MetricValue = float | int | str | bool


class JobColumns(TypedDict, total=False):
    """The columns of a job that a write sets besides its status (which is transitions.py's)."""

    worker: str | None
    requested_action: str | None
    heartbeat_at: int | None
    estimated_finish: int | None
    finished_at: int | None
    queued_seq: int
    attempts: int
    # JSON objects: OpenAI's `method` shape, and its job `error` (code, message, param).
    method: dict[str, Any]
    error: dict[str, str | None]
    fine_tuned_model: str
    adapter_key: str
    trained_tokens: int
    result_files: list[str]


class TrainingRun(NamedTuple):
    """A succeeded job's trained tokens and when it first started and finished (Unix s)."""

    trained_tokens: int
    started_at: int
    finished_at: int


def next_queued_seq() -> int:
    """A FIFO position for a job entering the queue (microseconds; ties fall back to seq)."""
    return time.time_ns() // 1000


# -- jobs, for API callers ---------------------------------------------------------------------


def insert_job(
    session: Session,
    *,
    status: JobStatus,
    project: str,
    organization: str,
    model: str,
    training_file: str,
    validation_file: str | None,
    suffix: str | None,
    seed: int,
    method: dict[str, Any],
    metadata: dict[str, str] | None,
    integrations: list[dict[str, Any]] | None,
    base_model: str | None = None,
    initial_adapter_key: str | None = None,
) -> JobRow:
    """Insert a job in `status`; its first event is the caller's to add in the same transaction."""
    row = JobRow(
        id=new_id(JOB_ID_PREFIX),
        project=project,
        organization=organization,
        model=model,
        training_file=training_file,
        validation_file=validation_file,
        suffix=suffix,
        seed=seed,
        status=status.value,
        method=method,
        job_metadata=metadata,
        integrations=integrations,
        error=None,
        result_files=[],
        created_at=now(),
        attempts=0,
        model_token=random_token(MODEL_TOKEN_LENGTH),
        base_model=base_model,
        initial_adapter_key=initial_adapter_key,
    )
    session.add(row)
    session.flush()
    return row


def get_job(session: Session, *, project: str, job_id: str) -> JobRow:
    """The job `job_id` of `project`, freshly read; NotFoundError when absent or foreign."""
    row = session.scalar(
        select(JobRow)
        .where(JobRow.id == job_id, JobRow.project == project)
        .execution_options(populate_existing=True)
    )
    if row is None:
        raise NotFoundError(f"No such fine-tuning job: {job_id}", param="fine_tuning_job_id")
    return row


def list_jobs(
    session: Session,
    *,
    project: str,
    limit: int,
    after: str | None = None,
    metadata: dict[str, str] | None = None,
    metadata_is_null: bool = False,
) -> tuple[list[JobRow], bool]:
    """A page of the project's jobs, newest first, and whether more follow.

    `metadata` keeps jobs holding every key with that exact value; `metadata_is_null` keeps
    jobs created without metadata (OpenAI's `metadata=null`).
    """
    query = select(JobRow).where(JobRow.project == project)
    for key, value in (metadata or {}).items():
        # JSON ->> on PostgreSQL, json_extract on SQLite: both compare the text value.
        query = query.where(JobRow.job_metadata[key].as_string() == value)
    if metadata_is_null:
        text = cast(JobRow.job_metadata, Text)
        query = query.where(or_(JobRow.job_metadata.is_(None), text.in_(["null", "{}"])))
    return cursor_page(
        session,
        query,
        seq=JobRow.seq,
        after=after,
        cursor=select(JobRow.seq).where(JobRow.id == after, JobRow.project == project),
        missing=f"No such fine-tuning job for 'after': {after}",
        limit=limit,
    )


# -- jobs, for the scheduler -------------------------------------------------------------------


def find_job(session: Session, *, job_id: str) -> JobRow | None:
    """The job `job_id` whatever its project, freshly read (scheduler and workers only)."""
    return session.scalar(
        select(JobRow).where(JobRow.id == job_id).execution_options(populate_existing=True)
    )


def write_status(
    session: Session,
    *,
    job_id: str,
    status: JobStatus,
    sources: Collection[JobStatus],
    worker: str | None = None,
    values: JobColumns,
) -> bool:
    """Set `status` and `values` if the job's status is one of `sources` (and, when given, its
    worker is `worker`); True when this call won the row. For transitions.py alone."""
    # Plain strings: the drivers bind str, not the enum.
    allowed = [JobStatus(source).value for source in sources]
    statement = update(JobRow).where(JobRow.id == job_id, JobRow.status.in_(allowed))
    if worker is not None:
        statement = statement.where(JobRow.worker == worker)
    result = session.execute(
        statement.values(status=JobStatus(status).value, **values).execution_options(
            synchronize_session=False
        )
    )
    return rows_affected(result) == 1


def update_job(
    session: Session, *, job_id: str, values: JobColumns, worker: str | None = None
) -> bool:
    """Set `values` (never `status`: that is a transition's) on the job, if its worker is
    `worker` when given; True when a row was updated."""
    if "status" in values:
        raise ValueError("a job's status changes only through fine_tuning/transitions.py")
    statement = update(JobRow).where(JobRow.id == job_id)
    if worker is not None:
        statement = statement.where(JobRow.worker == worker)
    result = session.execute(
        statement.values(**values).execution_options(synchronize_session=False)
    )
    return rows_affected(result) == 1


def jobs_in_status(
    session: Session, *, statuses: Collection[str], limit: int = 100
) -> list[JobRow]:
    """Jobs in any of `statuses`, oldest first."""
    query = select(JobRow).where(JobRow.status.in_(list(statuses))).order_by(JobRow.seq)
    return list(session.scalars(query.limit(limit)))


def jobs_with_worker(session: Session) -> list[JobRow]:
    """Jobs a worker process was (or still is) attached to."""
    return list(session.scalars(select(JobRow).where(JobRow.worker.is_not(None))))


def touch_heartbeats(session: Session, *, workers: Collection[str]) -> int:
    """Set heartbeat_at to now on the jobs still held by `workers` (their supervisor is
    alive); how many."""
    if not workers:
        return 0
    result = session.execute(
        update(JobRow)
        .where(JobRow.worker.in_(list(workers)))
        .values(heartbeat_at=now())
        .execution_options(synchronize_session=False)
    )
    return rows_affected(result)


def claim_next_job(session: Session, *, worker: str, is_postgresql: bool) -> JobRow | None:
    """Atomically move the next queued job to `running` for `worker`; None when none waits.

    One UPDATE whose WHERE re-checks `status = 'queued'` picks the job with a subselect: two
    claimers can never both win it. SQLite serialises writers; on PostgreSQL the subselect
    locks its row FOR UPDATE SKIP LOCKED, so a concurrent claimer takes the next job instead
    of blocking. Order: the project with the fewest running jobs first (round-robin fairness
    across projects), then FIFO by queue position.
    """
    pick = _next_queued_pick(lock=is_postgresql)
    claimed = session.execute(
        update(JobRow)
        .where(JobRow.status == JobStatus.QUEUED.value, JobRow.id == pick.scalar_subquery())
        .values(
            status=JobStatus.RUNNING.value, worker=worker, heartbeat_at=now(), estimated_finish=None
        )
        .returning(JobRow.id)
        .execution_options(synchronize_session=False)
    ).scalar_one_or_none()
    if claimed is None:
        return None
    return find_job(session, job_id=claimed)


def next_queued_job(session: Session) -> JobRow | None:
    """The job claim_next_job would claim now, without claiming it."""
    picked = session.execute(_next_queued_pick(lock=False)).scalar_one_or_none()
    return None if picked is None else find_job(session, job_id=picked)


def _next_queued_pick(*, lock: bool) -> Select[str]:
    """The id of the next queued job: the project with the fewest running jobs first, then
    FIFO by queue position; `lock`: FOR UPDATE SKIP LOCKED (PostgreSQL)."""
    candidate = aliased(JobRow)
    running = aliased(JobRow)
    running_in_project = (
        select(func.count())
        .select_from(running)
        .where(running.project == candidate.project, running.status == JobStatus.RUNNING.value)
        .scalar_subquery()
    )
    pick = (
        select(candidate.id)
        .where(candidate.status == JobStatus.QUEUED.value, candidate.requested_action.is_(None))
        .order_by(running_in_project, candidate.queued_seq, candidate.seq)
        .limit(1)
    )
    return pick.with_for_update(skip_locked=True, of=candidate) if lock else pick


# -- events ------------------------------------------------------------------------------------


def add_event(
    session: Session,
    *,
    job_id: str,
    project: str,
    message: str,
    level: str = "info",
    type: str = "message",
    data: Mapping[str, MetricValue] | None = None,
) -> JobEventRow:
    """Append an event to a job."""
    row = JobEventRow(
        id=new_id(EVENT_ID_PREFIX),
        job_id=job_id,
        project=project,
        created_at=now(),
        level=level,
        message=message,
        type=type,
        data=dict(data) if data is not None else None,
    )
    session.add(row)
    session.flush()
    return row


def list_events(
    session: Session, *, project: str, job_id: str, limit: int, after: str | None = None
) -> tuple[list[JobEventRow], bool]:
    """A page of a job's events, newest first; NotFoundError when the job is not the project's."""
    get_job(session, project=project, job_id=job_id)
    query = select(JobEventRow).where(JobEventRow.job_id == job_id, JobEventRow.project == project)
    return cursor_page(
        session,
        query,
        seq=JobEventRow.seq,
        after=after,
        cursor=select(JobEventRow.seq).where(JobEventRow.id == after, JobEventRow.job_id == job_id),
        missing=f"No such event for 'after': {after}",
        limit=limit,
    )


def metrics_history(session: Session, *, job_id: str) -> list[dict[str, MetricValue]]:
    """The data of every metrics event of a job, oldest first (steps redone after a crash
    appear twice; the later one is the one that counts)."""
    query = (
        select(JobEventRow.data)
        .where(JobEventRow.job_id == job_id, JobEventRow.type == "metrics")
        .order_by(JobEventRow.seq)
    )
    return [data for data in session.scalars(query) if data]


def recent_training_runs(
    session: Session, *, started_message: str, limit: int
) -> list[TrainingRun]:
    """(trained_tokens, started_at, finished_at) of the latest succeeded jobs of every project,
    newest first; started_at is the first event with `started_message` (no column holds it)."""
    started = (
        select(JobEventRow.job_id, func.min(JobEventRow.created_at).label("started_at"))
        .where(JobEventRow.message == started_message)
        .group_by(JobEventRow.job_id)
        .subquery()
    )
    query = (
        select(JobRow.trained_tokens, started.c.started_at, JobRow.finished_at)
        .join(started, started.c.job_id == JobRow.id)
        .where(
            JobRow.status == JobStatus.SUCCEEDED,
            JobRow.trained_tokens.is_not(None),
            JobRow.finished_at.is_not(None),
        )
        .order_by(JobRow.finished_at.desc(), JobRow.seq.desc())
        .limit(limit)
    )
    # The WHERE clause keeps only rows whose columns are set; `or 0` only narrows the types.
    return [
        TrainingRun(tokens or 0, started, finished or 0)
        for tokens, started, finished in session.execute(query)
    ]


# -- checkpoints -------------------------------------------------------------------------------


def add_checkpoint(
    session: Session,
    *,
    job_id: str,
    project: str,
    step: int,
    metrics: Mapping[str, MetricValue],
    model_name: str,
    storage_key: str,
) -> JobCheckpointRow:
    """Record a checkpoint whose bytes are complete under `storage_key`; a checkpoint saved
    again at the same step (a step redone after a crash) replaces the earlier row's data."""
    row = session.scalar(
        select(JobCheckpointRow).where(
            JobCheckpointRow.job_id == job_id, JobCheckpointRow.step_number == step
        )
    )
    if row is None:
        row = JobCheckpointRow(
            id=new_id(CHECKPOINT_ID_PREFIX),
            job_id=job_id,
            project=project,
            step_number=step,
        )
        session.add(row)
    row.created_at = now()
    row.metrics = dict(metrics)
    row.fine_tuned_model_checkpoint = model_name
    row.storage_key = storage_key
    row.available = True
    session.flush()
    return row


def list_checkpoints(
    session: Session, *, project: str, job_id: str, limit: int, after: str | None = None
) -> tuple[list[JobCheckpointRow], bool]:
    """A page of a job's checkpoints still in storage, newest first."""
    get_job(session, project=project, job_id=job_id)
    query = select(JobCheckpointRow).where(
        JobCheckpointRow.job_id == job_id,
        JobCheckpointRow.project == project,
        JobCheckpointRow.available.is_(True),
    )
    return cursor_page(
        session,
        query,
        seq=JobCheckpointRow.seq,
        after=after,
        cursor=select(JobCheckpointRow.seq).where(
            JobCheckpointRow.id == after, JobCheckpointRow.job_id == job_id
        ),
        missing=f"No such checkpoint for 'after': {after}",
        limit=limit,
    )


def latest_checkpoint(session: Session, *, job_id: str) -> JobCheckpointRow | None:
    """The available checkpoint with the highest step: where a new attempt resumes."""
    query = (
        select(JobCheckpointRow)
        .where(JobCheckpointRow.job_id == job_id, JobCheckpointRow.available.is_(True))
        .order_by(JobCheckpointRow.step_number.desc())
        .limit(1)
    )
    return session.scalar(query)


def retire_old_checkpoints(session: Session, *, job_id: str, keep: int) -> list[JobCheckpointRow]:
    """Mark all but the `keep` latest available checkpoints unavailable and return them, so
    the caller deletes their bytes (rows first: no listed checkpoint ever lacks its bytes)."""
    query = (
        select(JobCheckpointRow)
        .where(JobCheckpointRow.job_id == job_id, JobCheckpointRow.available.is_(True))
        .order_by(JobCheckpointRow.step_number.desc())
        .offset(keep)
    )
    retired = list(session.scalars(query))
    for row in retired:
        row.available = False
    session.flush()
    return retired


# -- fine-tuned models ------------------------------------------------------------------------


def list_fine_tuned_models(session: Session, *, project: str) -> list[JobRow]:
    """The project's servable fine-tuned models (succeeded, not deleted), newest first."""
    query = (
        select(JobRow)
        .where(
            JobRow.project == project,
            JobRow.status == JobStatus.SUCCEEDED.value,
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
        JobRow.status == JobStatus.SUCCEEDED.value,
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
