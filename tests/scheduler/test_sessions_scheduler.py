"""Tinker session workers under the scheduler, as real processes: a model takes a device slot
as a job does, a worker killed mid-request or silent for five beats is lost (its pending
futures fail with category server), an idle model is reclaimed and its slot goes to the next,
and a restarted scheduler adopts a worker that still beats instead of losing the session."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import time
from multiprocessing.process import BaseProcess
from pathlib import Path

from service.catalog import Catalog
from service.core.config import Settings
from service.core.db import Database
from service.migrations import upgrade_database
from service.scheduler import Scheduler
from service.storage.local import LocalStore
from tests.fine_tuning.factories import make_job, reload
from tests.scheduler.test_scheduler import die_by_sigkill, wait_until
from tests.scheduler.tinker_factories import (
    MODEL,
    STALL_LEARNING_RATE,
    add_model,
    model,
    optim_payload,
    recording_session_worker,
    request,
    submit,
)

SECOND = f"{MODEL.rsplit(':', 1)[0]}:1"


def _settings(data_dir: Path, **values: object) -> Settings:
    return Settings(
        data_dir=data_dir,
        devices="cpu",
        cpu_slots=1,
        tinker_worker_heartbeat_seconds=0.2,
        **values,  # type: ignore[arg-type]
    )


def _scheduler(settings: Settings, db: Database) -> Scheduler:
    return Scheduler(
        settings,
        db,
        LocalStore(settings.data_dir / "artifacts"),
        Catalog.load(data_dir=settings.data_dir, models_file=None),
        worker_target=die_by_sigkill,
        session_target=recording_session_worker,
        poll_seconds=0.05,
    )


def _database(settings: Settings) -> Database:
    db = Database(settings.resolved_database_url)
    upgrade_database(db)
    return db


def _pid(handle: object) -> int | None:
    """A session worker's process id (a local executor's handle is its process)."""
    assert isinstance(handle, BaseProcess | None)
    return handle.pid if handle is not None else None


def _kill(pid: int | None) -> None:
    if pid is not None:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)


def test_a_killed_worker_fails_its_pending_futures_and_frees_the_slot_for_a_job(
    data_dir: Path,
) -> None:
    settings = _settings(data_dir)
    db = _database(settings)
    add_model(db)
    job = make_job(db)

    async def scenario() -> None:
        scheduler = _scheduler(settings, db)
        await scheduler.start()
        try:
            await wait_until(lambda: model(db).status == "ready")
            # The model holds the only slot: the job waits for it.
            assert reload(db, job.id).status == "queued"
            stalled = submit(
                db, kind="optim_step", seq_id=1, payload=optim_payload(STALL_LEARNING_RATE)
            )
            behind = submit(db, kind="save_weights", seq_id=2, payload=b'{"path": "a"}')
            await wait_until(lambda: request(db, stalled).status == "running")
            hold = scheduler.sessions[0]
            _kill(_pid(hold.handle))
            await wait_until(lambda: model(db).status == "lost")
            assert "Worker process died with signal 9" in (model(db).error or "")
            for request_id in (stalled, behind):
                failed = request(db, request_id)
                assert failed.status == "failed" and failed.error is not None
                assert failed.error["category"] == "server"
                assert "load_state" in failed.error["error"]
            # Its slot is free: the job is claimed.
            await wait_until(lambda: reload(db, job.id).attempts >= 1)
            # A request sent to the lost model afterwards fails as the caller's to fix.
            late = submit(db, kind="save_weights", seq_id=3, payload=b"{}")
            await wait_until(lambda: request(db, late).status == "failed")
            error = request(db, late).error
            assert error is not None and error["category"] == "user"
            assert "load_state" in error["error"]
        finally:
            await scheduler.stop()

    asyncio.run(scenario())
    db.dispose()


def test_a_worker_that_stops_beating_is_lost_and_ended(data_dir: Path) -> None:
    settings = _settings(data_dir)
    db = _database(settings)
    add_model(db)

    async def scenario() -> None:
        scheduler = _scheduler(settings, db)
        await scheduler.start()
        pid = None
        try:
            await wait_until(lambda: model(db).status == "ready")
            hold = scheduler.sessions[0]
            pid = _pid(hold.handle)
            assert pid is not None
            # Hung, not dead: only its silence tells.
            os.kill(pid, signal.SIGSTOP)
            waiting = submit(db, kind="save_weights", seq_id=1, payload=b'{"path": "a"}')
            await wait_until(lambda: model(db).status == "lost")
            assert "it stopped beating" in (model(db).error or "")
            error = request(db, waiting).error
            assert error is not None and error["category"] == "server"
            # The scheduler ended the hung process and freed its slot.
            await wait_until(lambda: not scheduler.sessions)
            assert hold.handle is not None and not hold.handle.is_alive()  # type: ignore[union-attr]
        finally:
            _kill(pid)
            await scheduler.stop()

    asyncio.run(scenario())
    db.dispose()


def test_an_idle_model_is_reclaimed_and_its_slot_goes_to_the_next(data_dir: Path) -> None:
    settings = _settings(data_dir, tinker_session_idle_seconds=1)
    db = _database(settings)
    # Last used long ago: idle from the start.
    add_model(db, created_at=int(time.time()) - 3600)
    add_model(db, model_id=SECOND)

    async def scenario() -> None:
        scheduler = _scheduler(settings, db)
        await scheduler.start()
        try:
            await wait_until(lambda: model(db).status == "closed")
            # One slot: the second model gets it only once the first one's worker is gone.
            await wait_until(lambda: model(db, SECOND).status == "ready")
            assert [hold.model_id for hold in scheduler.sessions.values()] == [SECOND]
            late = submit(db, kind="forward_backward", seq_id=1, payload=b"", payload_type="proto")
            await wait_until(lambda: request(db, late).status == "failed")
            error = request(db, late).error
            assert error is not None and error["category"] == "user"
            assert "load_state" in error["error"] and "idle" in error["error"]
        finally:
            for hold in scheduler.sessions.values():
                _kill(_pid(hold.handle))
            await scheduler.stop()

    asyncio.run(scenario())
    db.dispose()


def test_a_restarted_scheduler_adopts_a_worker_that_still_beats(data_dir: Path) -> None:
    settings = _settings(data_dir)
    db = _database(settings)
    add_model(db)

    async def scenario() -> None:
        first = _scheduler(settings, db)
        await first.start()
        await wait_until(lambda: model(db).status == "ready")
        pid = _pid(first.sessions[0].handle)
        await first.stop()
        second = _scheduler(settings, db)
        try:
            await second.start()
            await wait_until(lambda: bool(second.sessions))
            assert second.sessions[0].model_id == MODEL
            # The same worker, with its state, still serves the model.
            saved = submit(db, kind="save_weights", seq_id=1, payload=b'{"path": "kept"}')
            await wait_until(lambda: request(db, saved).status == "done")
            assert json.loads(request(db, saved).result or b"")["path"].endswith("/weights/kept")
            assert model(db).status == "ready"
        finally:
            _kill(pid)
            await second.stop()

    asyncio.run(scenario())
    db.dispose()
