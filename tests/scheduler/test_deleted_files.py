"""A file deleted under a job fails it with OpenAI's file error naming the file, whether the
file goes before validation or after it (the job queued or paused), and whether its row or only
its bytes are gone; never `training_failed`, never a traceback at error level."""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Callable
from pathlib import Path

import pytest

from service.catalog import Catalog
from service.core.config import Settings
from service.core.db import Database
from service.files import operations as files
from service.scheduler.validation import validate_job_files
from service.scheduler.worker import JobRun, WorkerAssignment
from service.storage.local import LocalStore
from tests.fine_tuning.factories import make_job, reload


def chat_file(n: int = 12) -> bytes:
    """A valid chat training file."""
    return b"\n".join(
        json.dumps(
            {
                "messages": [
                    {"role": "user", "content": f"q{i}"},
                    {"role": "assistant", "content": "a"},
                ]
            }
        ).encode()
        for i in range(n)
    )


@pytest.fixture(scope="module")
def models_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data dir shared by the module, so the emulator is built once."""
    return tmp_path_factory.mktemp("data")


@pytest.fixture
def store(tmp_path: Path) -> LocalStore:
    """Artifacts on local disk."""
    return LocalStore(tmp_path / "artifacts")


def stored_file(db: Database, store: LocalStore, data: bytes | None = None) -> str:
    """A fine-tune file of project proj_a; its id."""
    return files.store_file(
        db,
        store,
        project="proj_a",
        filename="t.jsonl",
        purpose="fine-tune",
        chunks=[chat_file() if data is None else data],
    ).id


Delete = Callable[[Database, LocalStore, str], None]


def delete_row(db: Database, store: LocalStore, file_id: str) -> None:
    """Delete the file through the Files API's operation (row, then bytes)."""
    files.delete_file(db, store, project="proj_a", file_id=file_id)


def delete_bytes(db: Database, store: LocalStore, file_id: str) -> None:
    """Lose only the bytes, as when a delete races a read that already found the row."""
    store.delete(files.storage_key_of(db, project="proj_a", file_id=file_id))


# before validation


@pytest.mark.parametrize("delete", [delete_row, delete_bytes], ids=["row", "bytes"])
def test_validation_fails_a_job_whose_training_file_is_gone(
    database: Database, store: LocalStore, delete: Delete, models_dir: Path
) -> None:
    file_id = stored_file(database, store)
    job = make_job(database, status="validating_files", training_file=file_id)
    delete(database, store, file_id)
    validate_job_files(database, store, Catalog.load(data_dir=models_dir, models_file=None), job.id)
    stored = reload(database, job.id)
    assert stored.status == "failed"
    assert stored.error == {
        "code": "invalid_training_file",
        "message": f"The training file {file_id} was deleted before the job could read it.",
        "param": "training_file",
    }


def test_validation_fails_a_job_whose_validation_file_is_gone(
    database: Database, store: LocalStore, models_dir: Path
) -> None:
    training, validation = stored_file(database, store), stored_file(database, store)
    job = make_job(
        database, status="validating_files", training_file=training, validation_file=validation
    )
    delete_row(database, store, validation)
    validate_job_files(database, store, Catalog.load(data_dir=models_dir, models_file=None), job.id)
    stored = reload(database, job.id)
    assert stored.error == {
        "code": "invalid_validation_file",
        "message": f"The validation file {validation} was deleted before the job could read it.",
        "param": "validation_file",
    }


# after validation: the worker finds the file gone


def run_job(db: Database, store: LocalStore, data_dir: Path, job_id: str) -> None:
    """One JobRun in this process, as a worker process runs it."""
    settings = Settings(data_dir=data_dir, devices="cpu")
    assignment = WorkerAssignment(
        settings=settings,
        job_id=job_id,
        worker="w1",
        device="cpu",
        threads=1,
        parent_pid=os.getpid(),
    )
    JobRun(assignment, db, store).run()


@pytest.mark.parametrize(
    ("param", "delete"),
    [
        ("training_file", delete_row),
        ("training_file", delete_bytes),
        ("validation_file", delete_row),
    ],
    ids=["training-row", "training-bytes", "validation-row"],
)
def test_the_worker_fails_a_job_whose_file_is_gone(
    database: Database,
    store: LocalStore,
    models_dir: Path,
    caplog: pytest.LogCaptureFixture,
    param: str,
    delete: Delete,
) -> None:
    training, validation = stored_file(database, store), stored_file(database, store)
    job = make_job(
        database,
        status="running",
        worker="w1",
        training_file=training,
        validation_file=validation,
    )
    gone = training if param == "training_file" else validation
    delete(database, store, gone)
    with caplog.at_level(logging.INFO):
        run_job(database, store, models_dir, job.id)
    stored = reload(database, job.id)
    kind = "training" if param == "training_file" else "validation"
    assert stored.status == "failed" and stored.worker is None
    assert stored.error == {
        "code": f"invalid_{kind}_file",
        "message": f"The {kind} file {gone} was deleted before the job could read it.",
        "param": param,
    }
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR or r.exc_info]
