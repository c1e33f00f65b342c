"""The scheduler's validation step always ends: a file's content fails the job at once, an
unexpected error fails it after WHETSTONE_MAX_VALIDATION_ATTEMPTS tries, and only outages of
storage or the database are retried for as long as they last."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.exc import OperationalError

from service.catalog import Catalog
from service.core.config import Settings
from service.core.db import Database
from service.core.errors import ServiceUnavailableError, StorageUnavailableError
from service.files import operations as files
from service.migrations import upgrade_database
from service.scheduler import Scheduler
from service.scheduler import scheduler as scheduler_module
from service.scheduler.validation import validate_job_files
from service.scheduler.worker import WorkerAssignment
from service.storage.local import LocalStore
from tests.fine_tuning.factories import make_job, messages, reload


def never_trains(assignment: WorkerAssignment) -> None:
    """A worker entry these tests never reach (no job is queued)."""
    raise AssertionError("no job should train here")


@pytest.fixture
def settings(data_dir: Path) -> Settings:
    """One CPU slot and three validation attempts."""
    return Settings(data_dir=data_dir, devices="cpu", max_validation_attempts=3)


@pytest.fixture
def db(settings: Settings) -> Iterator[Database]:
    """A migrated SQLite database in the data dir."""
    database = Database(settings.resolved_database_url)
    upgrade_database(database)
    yield database
    database.dispose()


@pytest.fixture
def store(data_dir: Path) -> LocalStore:
    """Artifacts on local disk."""
    return LocalStore(data_dir / "artifacts")


@pytest.fixture(autouse=True)
def quick_retries(monkeypatch: pytest.MonkeyPatch) -> None:
    """Retry after 10 ms instead of 5 s."""
    monkeypatch.setattr(scheduler_module, "VALIDATION_RETRY_SECONDS", 0.01)


def run_scheduler(
    settings: Settings, db: Database, store: LocalStore, until: Callable[[], bool]
) -> None:
    """Run a real Scheduler until `until()` holds (at most 30 s)."""

    async def scenario() -> None:
        scheduler = Scheduler(
            settings,
            db,
            store,
            Catalog.load(data_dir=settings.data_dir, models_file=None),
            worker_target=never_trains,
            poll_seconds=0.01,
        )
        await scheduler.start()
        try:
            deadline = asyncio.get_running_loop().time() + 30
            while not until():
                assert asyncio.get_running_loop().time() < deadline, "timed out"
                await asyncio.sleep(0.01)
            # The scheduler forgets the retry state of jobs that left validating_files.
            await asyncio.sleep(0.05)
            assert not scheduler._validation_errors
            assert not scheduler._retry_validation_at
        finally:
            await scheduler.stop()

    asyncio.run(scenario())


def scripted(
    monkeypatch: pytest.MonkeyPatch, script: list[BaseException | None]
) -> list[BaseException | None]:
    """Make the scheduler's validation raise the errors of `script` in turn; past the end (or at
    a None) it validates for real. Returns the list of what each call did."""
    done: list[BaseException | None] = []

    def fake(db: Database, store: Any, catalog: Any, job_id: str) -> None:
        if reload(db, job_id).status != "validating_files":
            return  # a tick that listed the job just before it left validating_files
        step = script[len(done)] if len(done) < len(script) else None
        done.append(step)
        if step is not None:
            raise step
        validate_job_files(db, store, catalog, job_id)

    monkeypatch.setattr(scheduler_module, "validate_job_files", fake)
    return done


def store_training_file(db: Database, store: LocalStore, data: bytes) -> str:
    """A stored fine-tune file; its id."""
    row = files.store_file(
        db, store, project="proj_a", filename="t.jsonl", purpose="fine-tune", chunks=[data]
    )
    return row.id


def test_an_unexpected_error_fails_the_job_after_the_attempt_limit(
    settings: Settings,
    db: Database,
    store: LocalStore,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    job = make_job(db, status="validating_files")
    done = scripted(monkeypatch, [RecursionError("maximum recursion depth exceeded")] * 10)
    with caplog.at_level(logging.WARNING, logger="whetstone.scheduler"):
        run_scheduler(settings, db, store, lambda: reload(db, job.id).status != "validating_files")
    stored = reload(db, job.id)
    assert len(done) == 3
    assert stored.status == "failed"
    assert stored.error == {
        "code": "validation_error",
        "message": "The job's files could not be validated: validation failed 3 times with an "
        "unexpected error (RecursionError).",
        "param": None,
    }
    assert messages(db, stored)[-1] == stored.error["message"]
    tracebacks = [r for r in caplog.records if r.exc_info and r.levelno == logging.WARNING]
    assert len(tracebacks) == 3
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert [r.getMessage() for r in errors] == [
        f"job {job.id} failed: validation raised RecursionError 3 times"
    ]
    assert not any(r.exc_info for r in errors)


@pytest.mark.parametrize(
    "outage",
    [
        StorageUnavailableError("S3 does not answer"),
        ServiceUnavailableError("database unreachable"),
        OperationalError("SELECT 1", {}, Exception("connection refused")),
    ],
    ids=["storage", "database", "sqlalchemy"],
)
def test_outages_are_retried_without_limit_and_do_not_count(
    settings: Settings,
    db: Database,
    store: LocalStore,
    monkeypatch: pytest.MonkeyPatch,
    outage: Exception,
) -> None:
    # Two unexpected errors around eight outages: still under the limit of three, so the job
    # is then validated for real, and its (missing) file fails it.
    crash = RuntimeError("boom")
    job = make_job(db, status="validating_files", training_file="file-gone")
    done = scripted(monkeypatch, [outage] * 4 + [crash] + [outage] * 4 + [crash])
    run_scheduler(settings, db, store, lambda: reload(db, job.id).status != "validating_files")
    stored = reload(db, job.id)
    assert len(done) == 11
    assert stored.error == {
        "code": "invalid_training_file",
        "message": "The training file file-gone was deleted before the job could read it.",
        "param": "training_file",
    }


def test_deeply_nested_json_fails_the_job_on_the_first_attempt(
    settings: Settings, db: Database, store: LocalStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    rows = [
        json.dumps(
            {
                "messages": [
                    {"role": "user", "content": f"q{i}"},
                    {"role": "assistant", "content": "a"},
                ]
            }
        )
        for i in range(12)
    ]
    rows[4] = '{"messages": ' + "[" * 1000 + "]" * 1000 + "}"
    file_id = store_training_file(db, store, "\n".join(rows).encode())
    job = make_job(db, status="validating_files", training_file=file_id)
    done = scripted(monkeypatch, [])
    run_scheduler(settings, db, store, lambda: reload(db, job.id).status != "validating_files")
    stored = reload(db, job.id)
    assert len(done) == 1
    assert stored.status == "failed"
    assert stored.error == {
        "code": "invalid_training_file",
        "message": "Invalid file format. Line 5 nests arrays or objects more than 64 levels deep.",
        "param": "training_file",
    }
