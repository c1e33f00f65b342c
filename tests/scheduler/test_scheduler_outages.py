"""The scheduler through a database outage: its loop goes on, and nothing it saw is forgotten."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path
from typing import Any

import pytest

from service.catalog import Catalog
from service.core.config import Settings
from service.core.db import Database
from service.core.errors import DatabaseUnavailableError
from service.fine_tuning import transitions
from service.migrations import upgrade_database
from service.scheduler import Scheduler
from service.storage.local import LocalStore
from tests.fine_tuning.factories import make_job, reload
from tests.scheduler.test_scheduler import die_by_sigkill, wait_until


def test_a_worker_exit_is_recorded_once_the_database_answers_again(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    settings = Settings(data_dir=data_dir, devices="cpu", cpu_slots=1, max_job_attempts=1)
    db = Database(settings.resolved_database_url)
    upgrade_database(db)
    job = make_job(db)
    recorded = transitions.worker_exited
    attempts: list[str] = []

    def down_the_first_time(*args: Any, **kwargs: Any) -> None:
        attempts.append(kwargs["job_id"])
        if len(attempts) == 1:
            raise DatabaseUnavailableError("The database is unavailable.")
        recorded(*args, **kwargs)

    monkeypatch.setattr(transitions, "worker_exited", down_the_first_time)

    async def scenario() -> None:
        scheduler = Scheduler(
            settings,
            db,
            LocalStore(data_dir / "artifacts"),
            Catalog.load(data_dir=data_dir, models_file=None),
            worker_target=die_by_sigkill,
            poll_seconds=0.05,
        )
        await scheduler.start()
        try:
            await wait_until(
                lambda: (
                    reload(db, job.id).status == "failed"
                    and any("scheduler resumed" in r.getMessage() for r in caplog.records)
                )
            )
        finally:
            await scheduler.stop()

    with caplog.at_level(logging.INFO, logger="whetstone.scheduler"):
        asyncio.run(scenario())
    # The exit that could not be recorded was recorded at the next tick, for the same job.
    assert attempts[:2] == [job.id, job.id]
    # The outage got a warning and a note when it ended, not a traceback per tick.
    own = [r for r in caplog.records if r.name == "whetstone.scheduler"]
    levels = [(r.levelname, r.getMessage()) for r in own]
    assert any(level == "WARNING" and "scheduler paused" in m for level, m in levels), levels
    assert any("scheduler resumed" in m for _, m in levels), levels
    assert not [r for r in own if r.levelno >= logging.ERROR or r.exc_info]
    db.dispose()
