"""The job state machine: claim, cancel/pause/resume against a running job, crashes, recovery
after a restart and the attempts limit, on SQLite and PostgreSQL."""

from __future__ import annotations

import ast
import signal
from pathlib import Path

import pytest

from service.core.db import Database
from service.core.errors import InvalidRequestError
from service.fine_tuning import repository as job_rows
from service.fine_tuning import transitions
from service.scheduler.executors.local import describe_exit
from tests.fine_tuning.factories import make_job, messages, reload

MAX_ATTEMPTS = 3


def add_checkpoint(db: Database, job_id: str, project: str, step: int) -> None:
    """A checkpoint row at `step`, as a worker records it."""
    with db.session() as session:
        job_rows.add_checkpoint(
            session,
            job_id=job_id,
            project=project,
            step=step,
            metrics={"step": step},
            model_name=f"ft:m:ckpt-step-{step}",
            storage_key=f"jobs/{job_id}/checkpoints/step-{step}",
        )


def test_a_claim_runs_the_job_and_says_it_started(database: Database) -> None:
    job = make_job(database)
    claimed = transitions.claim(database, worker="w1")
    assert claimed is not None and claimed.id == job.id and claimed.status == "running"
    assert messages(database, job)[-1] == "Fine-tuning job started"


def test_a_resumed_claim_does_not_say_started_again(database: Database) -> None:
    job = make_job(database)
    add_checkpoint(database, job.id, job.project, 5)
    transitions.claim(database, worker="w1")
    assert "Fine-tuning job started" not in messages(database, job)


def test_cancel_of_a_running_job_is_left_for_its_worker(database: Database) -> None:
    job = make_job(database, status="running", worker="w1")
    cancelled = transitions.cancel(database, project=job.project, job_id=job.id)
    assert cancelled.status == "cancelled" and cancelled.finished_at is not None
    assert cancelled.requested_action == "cancel" and cancelled.worker == "w1"
    with pytest.raises(InvalidRequestError, match="already"):
        transitions.cancel(database, project=job.project, job_id=job.id)


def test_cancel_of_a_finished_job_is_refused(database: Database) -> None:
    job = make_job(database, status="succeeded")
    with pytest.raises(InvalidRequestError, match="Job has already completed"):
        transitions.cancel(database, project=job.project, job_id=job.id)
    with pytest.raises(InvalidRequestError):
        transitions.pause(database, project=job.project, job_id=job.id)


def test_a_job_resumed_while_pausing_waits_for_its_worker(database: Database) -> None:
    job = make_job(database, status="running", worker="w1")
    paused = transitions.pause(database, project=job.project, job_id=job.id)
    assert paused.status == "pausing" and paused.requested_action == "pause"
    resumed = transitions.resume(database, project=job.project, job_id=job.id)
    assert resumed.status == "queued"
    # Its worker is still saving the pause checkpoint: nobody may claim it yet.
    assert transitions.claim(database, worker="w2") is None
    transitions.worker_exited(
        database,
        job_id=job.id,
        worker="w1",
        description=describe_exit(0),
        max_attempts=MAX_ATTEMPTS,
    )
    reclaimed = transitions.claim(database, worker="w2")
    assert reclaimed is not None and reclaimed.id == job.id


def test_a_running_job_is_pausing_until_its_worker_has_saved_the_checkpoint(
    database: Database,
) -> None:
    saved = make_job(database, status="running", worker="w1")
    assert transitions.pause(database, project=saved.project, job_id=saved.id).status == "pausing"
    with pytest.raises(InvalidRequestError, match="already pausing"):
        transitions.pause(database, project=saved.project, job_id=saved.id)
    transitions.paused_at(database, saved, worker="w1", step=3)
    saved = reload(database, saved.id)
    assert (saved.status, saved.worker, saved.requested_action) == ("paused", None, None)
    assert messages(database, saved)[-1] == "Fine-tuning job paused at step 3"

    # A worker that dies before it saved: paused all the same, at its latest checkpoint.
    lost = make_job(database, status="running", worker="w2")
    add_checkpoint(database, lost.id, lost.project, 2)
    transitions.pause(database, project=lost.project, job_id=lost.id)
    transitions.worker_exited(
        database,
        job_id=lost.id,
        worker="w2",
        description=describe_exit(-signal.SIGKILL),
        max_attempts=MAX_ATTEMPTS,
    )
    lost = reload(database, lost.id)
    assert (lost.status, lost.worker, lost.attempts) == ("paused", None, 0)
    assert messages(database, lost)[-1].endswith("; the job is paused at step 2")


def test_resume_says_from_which_step(database: Database) -> None:
    job = make_job(database, status="paused")
    add_checkpoint(database, job.id, job.project, 7)
    transitions.resume(database, project=job.project, job_id=job.id)
    assert messages(database, job)[-1] == "Fine-tuning job resumed from step 7"


def test_a_crashed_worker_requeues_its_job_to_resume(database: Database) -> None:
    job = make_job(database, status="running", worker="w1")
    add_checkpoint(database, job.id, job.project, 10)
    transitions.worker_exited(
        database,
        job_id=job.id,
        worker="w1",
        description=describe_exit(-signal.SIGKILL),
        max_attempts=MAX_ATTEMPTS,
    )
    job = reload(database, job.id)
    assert job.status == "queued" and job.worker is None and job.attempts == 1
    assert messages(database, job)[-2:] == [
        "Worker process died with signal 9 (SIGKILL) (likely out of memory); "
        "retrying (attempt 2 of 3)",
        "Resuming fine-tuning job from step 10 after restart",
    ]


def test_a_job_that_keeps_crashing_fails_after_three_attempts(database: Database) -> None:
    job = make_job(database)
    for attempt in range(1, MAX_ATTEMPTS + 1):
        claimed = transitions.claim(database, worker=f"w{attempt}")
        assert claimed is not None and claimed.id == job.id
        transitions.worker_exited(
            database,
            job_id=job.id,
            worker=f"w{attempt}",
            description=describe_exit(1),
            max_attempts=MAX_ATTEMPTS,
        )
    job = reload(database, job.id)
    assert job.status == "failed" and job.attempts == MAX_ATTEMPTS
    assert job.error is not None and job.error["code"] == "worker_crashed"
    assert job.error["message"] == (
        "Worker process exited with code 1. The job failed after 3 attempts."
    )
    assert transitions.claim(database, worker="w4") is None


def test_a_worker_that_recorded_its_outcome_changes_nothing(database: Database) -> None:
    job = make_job(database, status="succeeded")
    transitions.worker_exited(
        database,
        job_id=job.id,
        worker="w1",
        description=describe_exit(0),
        max_attempts=MAX_ATTEMPTS,
    )
    assert reload(database, job.id).status == "succeeded"


def test_a_crash_after_cancel_keeps_the_job_cancelled(database: Database) -> None:
    job = make_job(database, status="running", worker="w1")
    transitions.cancel(database, project=job.project, job_id=job.id)
    transitions.worker_exited(
        database,
        job_id=job.id,
        worker="w1",
        description=describe_exit(-9),
        max_attempts=MAX_ATTEMPTS,
    )
    job = reload(database, job.id)
    assert job.status == "cancelled" and job.worker is None and job.requested_action is None


def test_start_up_requeues_what_a_dead_server_left_running(database: Database) -> None:
    running = make_job(database, status="running", worker="old/0/x")
    add_checkpoint(database, running.id, running.project, 4)
    exhausted = make_job(database, status="running", worker="old/1/y", attempts=2)
    pausing = make_job(database, status="pausing", worker="old/2/z", requested_action="pause")
    validating = make_job(database, status="validating_files")
    assert transitions.recover_interrupted(database, max_attempts=MAX_ATTEMPTS) == 2
    running = reload(database, running.id)
    assert running.status == "queued" and running.attempts == 1 and running.worker is None
    assert messages(database, running)[-1] == "Resuming fine-tuning job from step 4 after restart"
    exhausted = reload(database, exhausted.id)
    assert exhausted.status == "failed" and exhausted.attempts == 3
    pausing = reload(database, pausing.id)
    assert pausing.status == "paused" and pausing.worker is None
    assert pausing.requested_action is None
    assert reload(database, validating.id).status == "validating_files"


def test_a_graceful_shutdown_requeues_without_counting_an_attempt(database: Database) -> None:
    job = make_job(database, status="running", worker="w1")
    transitions.release_at_shutdown(database, job_id=job.id, worker="w1")
    job = reload(database, job.id)
    assert job.status == "queued" and job.attempts == 0 and job.worker is None


@pytest.mark.parametrize(
    ("exitcode", "text"),
    [
        (-9, "Worker process died with signal 9 (SIGKILL) (likely out of memory)"),
        (-11, "Worker process died with signal 11 (SIGSEGV)"),
        (2, "Worker process exited with code 2"),
    ],
)
def test_exits_are_described_plainly(exitcode: int, text: str) -> None:
    assert describe_exit(exitcode) == text


def test_only_the_state_machine_writes_a_status(database: Database) -> None:
    job = make_job(database, status="running", worker="w1")
    with database.session() as session, pytest.raises(ValueError, match="transitions"):
        job_rows.update_job(session, job_id=job.id, values={"status": "succeeded"})
    assert reload(database, job.id).status == "running"


def test_a_stale_worker_cannot_finish_a_job_it_lost(database: Database) -> None:
    job = make_job(database, status="running", worker="w2")
    won = transitions.fail(
        database, job, worker="w1", failure=transitions.JobFailure("training_failed", "boom")
    )
    job = reload(database, job.id)
    assert not won and job.status == "running" and job.error is None
    assert "boom" not in messages(database, job)


def test_a_failure_writes_status_error_and_event_together(database: Database) -> None:
    job = make_job(database, status="running", worker="w1")
    failure = transitions.JobFailure(
        "invalid_training_file", "Line 3 is not JSON.", "training_file"
    )
    assert transitions.fail(database, job, worker="w1", failure=failure)
    job = reload(database, job.id)
    assert job.status == "failed" and job.worker is None and job.finished_at is not None
    assert job.error == failure.as_json()
    assert messages(database, job)[-1] == "Line 3 is not JSON."


STATUS_WRITERS = {"write_status", "insert_job", "claim_next_job"}


def test_transitions_is_the_one_module_that_writes_a_status() -> None:
    package = Path(transitions.__file__).parents[1]
    writers = set()
    for path in package.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            called = isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
            if called and node.func.attr in STATUS_WRITERS:  # type: ignore[union-attr]
                writers.add(path.relative_to(package).as_posix())
            # `job.status = ...` on a loaded row (an upload's status is not a job's).
            assigned = isinstance(node, ast.Assign) and any(
                isinstance(target, ast.Attribute)
                and target.attr == "status"
                and "job" in ast.unparse(target.value)
                for target in node.targets
            )
            if assigned:
                writers.add(path.relative_to(package).as_posix())
    assert writers == {"fine_tuning/transitions.py"}, writers
