"""The scheduler's job operations: a run that was given up writes nothing, checkpoints past the
kept few are retired with their storage keys, and the leader sees every bound run."""

from __future__ import annotations

from service.core.db import Database
from service.fine_tuning import scheduling
from tests.fine_tuning.factories import make_job, messages, reload


def test_a_step_of_a_run_that_was_given_up_is_not_recorded(database: Database) -> None:
    job = make_job(database, status="running", worker="w-1")
    common = {"message": "Step 1/2", "metrics": {"step": 1, "train_loss": 0.5}}
    kept = scheduling.record_step(
        database, job, worker="w-1", estimated_finish=123, heartbeat_at=100, **common
    )
    lost = scheduling.record_step(
        database, job, worker="w-2", estimated_finish=456, heartbeat_at=200, **common
    )
    assert (kept, lost) == (True, False)
    stored = reload(database, job.id)
    assert (stored.estimated_finish, stored.heartbeat_at) == (123, 100)
    assert scheduling.metrics_history(database, job_id=job.id) == [{"step": 1, "train_loss": 0.5}]


def test_checkpoints_past_the_kept_ones_are_retired_oldest_first(database: Database) -> None:
    job = make_job(database, status="running", worker="w-1")
    retired = [
        scheduling.record_checkpoint(
            database,
            job,
            step=step,
            metrics={"step": step},
            model_name=f"ft:m:ckpt-step-{step}",
            storage_key=f"jobs/{job.id}/checkpoints/step-{step}",
            keep=2,
        )
        for step in (1, 2, 3)
    ]
    assert retired == [[], [], [f"jobs/{job.id}/checkpoints/step-1"]]
    latest = scheduling.latest_checkpoint(database, job_id=job.id)
    assert latest is not None and latest.step_number == 3
    assert "Checkpoint created at step 3 with Snapshot ID: ft:m:ckpt-step-3" in messages(
        database, job
    )


def test_bound_runs_and_heartbeats(database: Database) -> None:
    running = make_job(database, status="running", worker="w-1")
    make_job(database, status="queued")
    assert scheduling.heartbeat(database, workers=["w-1", "w-gone"]) == 1
    (bound,) = scheduling.bound_runs(database)
    assert (bound.job_id, bound.worker) == (running.id, "w-1")
    assert bound.heartbeat_at is not None
    validating = make_job(database, status="validating_files")
    assert scheduling.jobs_to_validate(database) == [validating.id]
