"""The Scheduler with real worker processes: a worker that dies fails only its own job, after
three attempts, and the scheduler goes on claiming. The dying worker is a true edge: a process
killed by SIGKILL, the way the kernel's OOM killer ends it."""

from __future__ import annotations

import asyncio
import os
import signal
from pathlib import Path

from service.catalog import Catalog
from service.core.config import Settings
from service.core.db import Database
from service.migrations import upgrade_database
from service.scheduler import Scheduler
from service.scheduler.slots import discover_slots
from service.scheduler.worker import WorkerAssignment
from service.storage.local import LocalStore
from tests.fine_tuning.factories import make_job, messages, reload


def die_by_sigkill(assignment: WorkerAssignment) -> None:
    """A worker entry that is killed mid-run, as by the OOM killer."""
    os.kill(os.getpid(), signal.SIGKILL)


async def wait_until(predicate, timeout: float = 60.0) -> None:  # type: ignore[no-untyped-def]
    """Poll `predicate` until it holds."""
    deadline = asyncio.get_running_loop().time() + timeout
    while not predicate():
        assert asyncio.get_running_loop().time() < deadline, "timed out"
        await asyncio.sleep(0.05)


def test_a_dying_worker_fails_its_job_after_three_attempts(data_dir: Path) -> None:
    settings = Settings(data_dir=data_dir, devices="cpu", cpu_slots=1, max_job_attempts=3)
    db = Database(settings.resolved_database_url)
    upgrade_database(db)
    doomed = make_job(db)
    after = make_job(db)

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
            await wait_until(lambda: reload(db, doomed.id).status == "failed")
            # The next job is claimed once the slot is free again: the scheduler goes on.
            await wait_until(lambda: reload(db, after.id).attempts >= 1)
        finally:
            await scheduler.stop()

    asyncio.run(scenario())
    job = reload(db, doomed.id)
    assert job.attempts == 3 and job.worker is None
    assert job.error == {
        "code": "worker_crashed",
        "message": "Worker process died with signal 9 (SIGKILL) (likely out of memory). "
        "The job failed after 3 attempts.",
        "param": None,
    }
    log = messages(db, job)
    assert log.count("Restarting fine-tuning job from the beginning after restart") == 2
    db.dispose()


def test_slots_follow_the_settings(data_dir: Path) -> None:
    # One core is left to the API and the inference engine.
    cores = max(1, (os.cpu_count() or 1) - 1)
    two_gpus = discover_slots(Settings(data_dir=data_dir, devices="0,1"))
    assert [slot.device for slot in two_gpus] == ["cuda:0", "cuda:1"]
    cpus = discover_slots(Settings(data_dir=data_dir, devices="cpu", cpu_slots=2))
    assert [slot.device for slot in cpus] == ["cpu", "cpu"]
    assert all(slot.threads == max(1, cores // 2) for slot in cpus)
