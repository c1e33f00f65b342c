"""Jobs, events and checkpoints repositories, and the atomic claim, on SQLite and PostgreSQL."""

from __future__ import annotations

import threading
from typing import Any

import pytest

from service.core.db import Database
from service.core.errors import InvalidRequestError, NotFoundError
from service.core.tables import JobRow
from service.fine_tuning import repository as job_rows
from service.fine_tuning.schemas import JobStatus


def new_job(db: Database, project: str = "proj_a", **fields: Any) -> JobRow:
    """A job row in `validating_files`."""
    with db.session() as session:
        return job_rows.insert_job(
            session,
            status=JobStatus.VALIDATING_FILES,
            project=project,
            organization="org",
            model="gpt-4o-mini-2024-07-18",
            training_file="file-x",
            validation_file=None,
            suffix=None,
            seed=1,
            method={"type": "supervised", "supervised": {"hyperparameters": {}}},
            metadata=fields.get("metadata"),
            integrations=None,
        )


def enqueue(db: Database, job: JobRow) -> None:
    """Move a job to `queued` at the back of the queue."""
    with db.session() as session:
        assert job_rows.write_status(
            session,
            job_id=job.id,
            status=JobStatus.QUEUED,
            sources=[JobStatus.VALIDATING_FILES],
            values={"queued_seq": job_rows.next_queued_seq()},
        )


def claim(db: Database, worker: str = "w") -> JobRow | None:
    """Claim the next job."""
    with db.session() as session:
        return job_rows.claim_next_job(session, worker=worker, is_postgresql=not db.is_sqlite)


def test_get_filters_on_the_project(database: Database) -> None:
    job = new_job(database)
    with database.session() as session:
        assert job_rows.get_job(session, project="proj_a", job_id=job.id).id == job.id
        with pytest.raises(NotFoundError):
            job_rows.get_job(session, project="proj_b", job_id=job.id)


def test_list_is_newest_first_with_after_and_metadata(database: Database) -> None:
    a = new_job(database, metadata={"team": "x"})
    b = new_job(database, metadata={"team": "y", "env": "ci"})
    c = new_job(database)
    new_job(database, project="proj_other", metadata={"team": "x"})
    with database.session() as session:
        rows, more = job_rows.list_jobs(session, project="proj_a", limit=2)
        assert [r.id for r in rows] == [c.id, b.id] and more
        rows, more = job_rows.list_jobs(session, project="proj_a", limit=2, after=b.id)
        assert [r.id for r in rows] == [a.id] and not more
        rows, _ = job_rows.list_jobs(session, project="proj_a", limit=10, metadata={"team": "x"})
        assert [r.id for r in rows] == [a.id]
        rows, _ = job_rows.list_jobs(
            session, project="proj_a", limit=10, metadata={"team": "y", "env": "ci"}
        )
        assert [r.id for r in rows] == [b.id]
        rows, _ = job_rows.list_jobs(session, project="proj_a", limit=10, metadata_is_null=True)
        assert [r.id for r in rows] == [c.id]
        with pytest.raises(InvalidRequestError):
            job_rows.list_jobs(session, project="proj_other", limit=2, after=a.id)


def test_events_page_newest_first(database: Database) -> None:
    job = new_job(database)
    with database.session() as session:
        for i in range(5):
            job_rows.add_event(session, job_id=job.id, project=job.project, message=f"m{i}")
        job_rows.add_event(
            session,
            job_id=job.id,
            project=job.project,
            message="Step 1/2: training loss=1.00",
            type="metrics",
            data={"step": 1, "train_loss": 1.0},
        )
    with database.session() as session:
        page, more = job_rows.list_events(session, project="proj_a", job_id=job.id, limit=4)
        assert [e.message for e in page][:2] == ["Step 1/2: training loss=1.00", "m4"] and more
        rest, more = job_rows.list_events(
            session, project="proj_a", job_id=job.id, limit=4, after=page[-1].id
        )
        assert [e.message for e in rest] == ["m1", "m0"] and not more
        assert job_rows.metrics_history(session, job_id=job.id) == [{"step": 1, "train_loss": 1.0}]
        with pytest.raises(NotFoundError):
            job_rows.list_events(session, project="proj_b", job_id=job.id, limit=4)


def test_only_the_last_checkpoints_stay_available(database: Database) -> None:
    job = new_job(database)
    with database.session() as session:
        for step in (5, 10, 15, 20):
            job_rows.add_checkpoint(
                session,
                job_id=job.id,
                project=job.project,
                step=step,
                metrics={"step": step},
                model_name=f"ft:x:ckpt-step-{step}",
                storage_key=f"jobs/{job.id}/checkpoints/step-{step}",
            )
        retired = job_rows.retire_old_checkpoints(session, job_id=job.id, keep=3)
        assert [row.step_number for row in retired] == [5]
    with database.session() as session:
        listed, _ = job_rows.list_checkpoints(session, project="proj_a", job_id=job.id, limit=10)
        assert [row.step_number for row in listed] == [20, 15, 10]
        assert job_rows.latest_checkpoint(session, job_id=job.id).step_number == 20  # type: ignore[union-attr]


def test_a_guarded_update_wins_once(database: Database) -> None:
    job = new_job(database)
    with database.session() as session:
        guard = {"status": JobStatus.CANCELLED, "sources": [JobStatus.VALIDATING_FILES]}
        assert job_rows.write_status(session, job_id=job.id, values={}, **guard)
        assert not job_rows.write_status(session, job_id=job.id, values={}, **guard)


def test_claims_are_fifo_and_skip_other_statuses(database: Database) -> None:
    first, second, waiting = new_job(database), new_job(database), new_job(database)
    enqueue(database, first)
    enqueue(database, second)
    claimed = claim(database, "w1")
    assert claimed is not None and claimed.id == first.id
    assert claimed.status == "running" and claimed.worker == "w1"
    assert claim(database, "w2").id == second.id  # type: ignore[union-attr]
    assert claim(database, "w3") is None  # `waiting` is still validating
    assert waiting.status == "validating_files"


def test_claims_prefer_the_project_with_fewer_running_jobs(database: Database) -> None:
    a1, a2 = new_job(database, "proj_a"), new_job(database, "proj_a")
    b1 = new_job(database, "proj_b")
    for job in (a1, a2, b1):
        enqueue(database, job)
    assert claim(database).id == a1.id  # type: ignore[union-attr]
    # proj_a now runs one job, so proj_b's later job goes before proj_a's second.
    assert claim(database).id == b1.id  # type: ignore[union-attr]
    assert claim(database).id == a2.id  # type: ignore[union-attr]


def test_a_job_with_a_pending_action_is_not_claimed(database: Database) -> None:
    job = new_job(database)
    enqueue(database, job)
    with database.session() as session:
        job_rows.update_job(session, job_id=job.id, values={"requested_action": "pause"})
    assert claim(database) is None


def test_racing_claimers_never_win_the_same_job(database_url: str, database: Database) -> None:
    n_jobs, n_claimers = 12, 4
    for _ in range(n_jobs):
        enqueue(database, new_job(database))
    # Each claimer has its own engine, as separate processes would.
    claimers = [Database(database_url) for _ in range(n_claimers)]
    start = threading.Barrier(n_claimers)
    won: list[list[str]] = [[] for _ in range(n_claimers)]

    def run(index: int) -> None:
        start.wait()
        while (job := claim(claimers[index], f"w{index}")) is not None:
            won[index].append(job.id)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n_claimers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    for claimer in claimers:
        claimer.dispose()
    all_won = [job_id for ids in won for job_id in ids]
    assert len(all_won) == n_jobs and len(set(all_won)) == n_jobs
    with database.session() as session:
        rows = job_rows.jobs_in_status(session, statuses=["running"])
        owners = {row.id: row.worker for row in rows}
    for index, ids in enumerate(won):
        assert all(owners[job_id] == f"w{index}" for job_id in ids)
