"""The worker's reporter for a DPO job: the resolved hyperparameters go under `method.dpo`, the
DPO metrics reach the events, and the results file keeps OpenAI's columns."""

from __future__ import annotations

from pathlib import Path

import pytest

from service.core.db import Database
from service.fine_tuning import repository as job_rows
from service.fine_tuning.operations import as_job
from service.scheduler.worker import JobReporter, results_csv
from service.storage.local import LocalStore
from tests.fine_tuning.factories import make_job, reload

DPO_STEP = {
    "step": 1,
    "total_steps": 10,
    "train_loss": 0.6931,
    "train_mean_token_accuracy": 0.25,
    "train_rewards_chosen": 0.0125,
    "train_rewards_rejected": -0.0125,
    "train_rewards_margins": 0.025,
    "train_rewards_accuracies": 1.0,
    "train_logps_chosen": -41.5,
    "train_logps_rejected": -37.25,
}


@pytest.fixture
def store(tmp_path: Path) -> LocalStore:
    """Artifacts on local disk."""
    return LocalStore(tmp_path / "artifacts")


def test_a_dpo_job_reports_under_its_method(database: Database, store: LocalStore) -> None:
    job = make_job(
        database,
        status="running",
        worker="w1",
        method={"type": "dpo", "dpo": {"hyperparameters": {"beta": "auto"}}},
    )
    reporter = JobReporter(database, store, job, "w1")
    hyperparameters = {
        "beta": 0.1,
        "n_epochs": 2,
        "batch_size": 4,
        "learning_rate_multiplier": 1.0,
        "lora_rank": 16,
        "lora_alpha": 16,
        "lora_dropout": 0.0,
        "lora_target_modules": "all-linear",
    }
    reporter.started(hyperparameters=hyperparameters, total_steps=10, n_examples=20)
    reporter.metrics(DPO_STEP)
    stored = reload(database, job.id)
    assert stored.method == {"type": "dpo", "dpo": {"hyperparameters": hyperparameters}}
    wire = as_job(stored)
    assert wire.method.type == "dpo" and wire.method.supervised is None
    assert wire.method.dpo is not None and wire.method.dpo.hyperparameters is not None
    assert wire.method.dpo.hyperparameters.model_dump() == hyperparameters
    assert (wire.hyperparameters.n_epochs, wire.hyperparameters.batch_size) == (2, 4)
    with database.session() as session:
        events, _ = job_rows.list_events(session, project=job.project, job_id=job.id, limit=1)
    assert events[0].type == "metrics" and events[0].data == DPO_STEP
    assert events[0].message == "Step 1/10: training loss=0.69"


def test_the_results_file_of_a_dpo_job_keeps_openais_columns() -> None:
    rows = results_csv([DPO_STEP, {**DPO_STEP, "step": 2, "train_loss": 0.5}]).splitlines()
    assert rows == [
        "step,train_loss,train_accuracy,valid_loss,valid_mean_token_accuracy",
        "1,0.6931,0.25,,",
        "2,0.5,0.25,,",
    ]
