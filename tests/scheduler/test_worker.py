"""The worker's reporter against a real database and store: metrics events, checkpoints kept
to the last three, cancel/pause polling, and the results file."""

from __future__ import annotations

from pathlib import Path

import pytest

from service.core.db import Database
from service.core.tables import JobRow
from service.fine_tuning import repository as job_rows
from service.fine_tuning import transitions
from service.fine_tuning.operations import fine_tuned_model_name
from service.scheduler.worker import JobReporter, results_csv
from service.storage.local import LocalStore
from tests.fine_tuning.factories import make_job, messages, reload


@pytest.fixture
def store(tmp_path: Path) -> LocalStore:
    """Artifacts on local disk."""
    return LocalStore(tmp_path / "artifacts")


def running_job(db: Database) -> JobRow:
    """A job claimed by worker `w1`."""
    return make_job(db, status="running", worker="w1")


def write_checkpoint(root: Path, step: int) -> Path:
    """A directory shaped like the recipe's checkpoint."""
    directory = root / f"step-{step}"
    (directory / "adapter").mkdir(parents=True)
    (directory / "state").mkdir()
    (directory / "adapter" / "adapter_model.safetensors").write_bytes(b"w" * step)
    (directory / "state" / "training_state.pt").write_bytes(b"s")
    return directory


def test_metrics_become_openai_style_events(database: Database, store: LocalStore) -> None:
    job = running_job(database)
    reporter = JobReporter(database, store, job, "w1")
    reporter.started(
        hyperparameters={"n_epochs": 3, "batch_size": 1}, total_steps=30, n_examples=10
    )
    for step in (1, 2, 3):
        reporter.metrics(
            {
                "step": step,
                "total_steps": 30,
                "train_loss": 1.5234,
                "train_mean_token_accuracy": 0.5,
                "valid_loss": None,
            }
        )
    with database.session() as session:
        events, _ = job_rows.list_events(session, project=job.project, job_id=job.id, limit=1)
    assert events[0].message == "Step 3/30: training loss=1.52"
    assert events[0].type == "metrics"
    assert events[0].data == {
        "step": 3,
        "total_steps": 30,
        "train_loss": 1.5234,
        "train_mean_token_accuracy": 0.5,
    }
    stored = reload(database, job.id)
    assert stored.method["supervised"]["hyperparameters"]["n_epochs"] == 3
    assert stored.estimated_finish is not None and stored.heartbeat_at is not None


def test_the_last_step_reports_the_full_validation_loss(
    database: Database, store: LocalStore
) -> None:
    job = running_job(database)
    reporter = JobReporter(database, store, job, "w1")
    reporter.metrics(
        {
            "step": 30,
            "total_steps": 30,
            "train_loss": 0.1234,
            "valid_loss": 0.4012,
            "full_valid_loss": 0.3821,
            "full_valid_mean_token_accuracy": 0.9,
        }
    )
    with database.session() as session:
        events, _ = job_rows.list_events(session, project=job.project, job_id=job.id, limit=1)
    assert events[0].message == (
        "Step 30/30: training loss=0.12, validation loss=0.40, full validation loss=0.38"
    )
    assert events[0].data["full_valid_loss"] == 0.3821


def test_only_the_last_three_checkpoints_stay_in_storage(
    database: Database, store: LocalStore, tmp_path: Path
) -> None:
    job = running_job(database)
    reporter = JobReporter(database, store, job, "w1")
    for step in (5, 10, 15, 20):
        reporter.checkpoint(
            step=step,
            epoch=step // 5,
            checkpoint_dir=write_checkpoint(tmp_path / "work", step),
            metrics={"train_loss": 0.5, "valid_loss": None},
        )
    with database.session() as session:
        listed, _ = job_rows.list_checkpoints(session, project=job.project, job_id=job.id, limit=10)
    assert [row.step_number for row in listed] == [20, 15, 10]
    assert listed[0].fine_tuned_model_checkpoint == (f"{fine_tuned_model_name(job)}:ckpt-step-20")
    assert listed[0].metrics == {"step": 20, "train_loss": 0.5}
    prefix = f"jobs/{job.id}/checkpoints/"
    assert not store.list_keys(prefix + "step-5/")
    assert store.list_keys(prefix + "step-20/") == [
        prefix + "step-20/adapter/adapter_model.safetensors",
        prefix + "step-20/state/training_state.pt",
    ]
    # OpenAI's words, which pipelines parse for the checkpoint's model name.
    assert messages(database, job)[-1] == (
        f"Checkpoint created at step 20 with Snapshot ID: {fine_tuned_model_name(job)}:ckpt-step-20"
    )


def test_control_follows_cancel_and_pause_requests(database: Database, store: LocalStore) -> None:
    job = running_job(database)
    reporter = JobReporter(database, store, job, "w1")
    assert reporter.control() == "continue"
    transitions.pause(database, project=job.project, job_id=job.id)
    # A fresh reporter: the first one reads the database at most every 0.2 s.
    assert JobReporter(database, store, job, "w1").control() == "pause"

    other = running_job(database)
    reporter = JobReporter(database, store, other, "w1")
    transitions.cancel(database, project=other.project, job_id=other.id)
    assert reporter.control() == "cancel"


def test_a_superseded_worker_stops_and_writes_nothing(
    database: Database, store: LocalStore
) -> None:
    job = running_job(database)
    with database.session() as session:
        job_rows.update_job(session, job_id=job.id, values={"worker": "w2"})
    reporter = JobReporter(database, store, job, "w1")
    reporter.metrics({"step": 1, "total_steps": 2, "train_loss": 1.0})
    assert not any(message.startswith("Step") for message in messages(database, job))
    assert reporter.control() == "cancel"


def test_results_csv_keeps_the_last_report_of_each_step() -> None:
    history = [
        {"step": 1, "train_loss": 2.0, "train_mean_token_accuracy": 0.1},
        {"step": 2, "train_loss": 1.9, "train_mean_token_accuracy": 0.2},
        # Steps redone after a crash resumed from the checkpoint at step 1.
        {
            "step": 2,
            "train_loss": 1.8,
            "train_mean_token_accuracy": 0.3,
            "valid_loss": 1.7,
            "valid_mean_token_accuracy": 0.25,
        },
    ]
    assert results_csv(history).splitlines() == [
        "step,train_loss,train_accuracy,valid_loss,valid_mean_token_accuracy",
        "1,2,0.1,,",
        "2,1.8,0.3,1.7,0.25",
    ]


def test_results_csv_adds_the_forgetting_check_to_the_last_step() -> None:
    history = [
        {"step": 1, "train_loss": 2.0, "train_mean_token_accuracy": 0.1},
        {
            "step": 2,
            "train_loss": 1.5,
            "train_mean_token_accuracy": 0.2,
            "reference_base_loss": 6.0,
            "reference_tuned_loss": 6.6,
            "reference_loss_ratio": 1.1,
        },
    ]
    assert results_csv(history).splitlines() == [
        "step,train_loss,train_accuracy,valid_loss,valid_mean_token_accuracy,"
        "reference_base_loss,reference_tuned_loss,reference_loss_ratio",
        "1,2,0.1,,,,,",
        "2,1.5,0.2,,,6,6.6,1.1",
    ]
