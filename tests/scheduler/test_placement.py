"""The scheduler claims a job only once the executor has placed its run: while the cluster is
busy the job stays queued with one event saying what it waits for; when no node could ever
hold it, it fails as `unplaceable` after the grace period. The cluster's answer is the edge
(a Ray cluster: tests/e2e/test_ray_placement.py runs a real one), and so is the run it starts
(recorded, not trained: the workers are tested elsewhere); the rest is the real scheduler and
database."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from service.catalog import Catalog
from service.core.config import Settings
from service.core.db import Database
from service.migrations import upgrade_database
from service.scheduler import Scheduler
from service.scheduler.executors import Ended, Run, Unplaced
from service.scheduler.executors.local import LocalExecutor
from service.scheduler.slots import DeviceSlot
from service.scheduler.worker import WorkerAssignment
from service.storage.local import LocalStore
from tests.fine_tuning.factories import make_job, messages, reload
from tests.scheduler.test_scheduler import wait_until

BUSY = "its run needs 1 CPU, 1 GPU on one node, and the Ray cluster has 2 CPUs, 0 GPUs free"
NEVER = "no node of the Ray cluster has a GPU"


def never_called(assignment: WorkerAssignment) -> None:
    """No worker runs: the cluster records its runs."""
    raise AssertionError("a worker ran")


class Cluster(LocalExecutor):
    """A cluster whose placement answer the test sets (None once it has room), and which
    records the runs it starts rather than training them."""

    def __init__(self, settings: Settings):
        super().__init__(settings, never_called)
        self.answer: Unplaced | None = Unplaced(BUSY)
        self.asked = 0
        self.placed: list[str] = []
        self.released: list[str] = []
        self.started: list[str] = []
        self.devices: list[int] = []
        self.gangs: list[tuple[str, ...]] = []

    def place(self, slot: DeviceSlot, worker: str, *, devices: int = 1) -> Unplaced | None:
        self.asked += 1
        self.devices.append(devices)
        if self.answer is None:
            self.placed.append(worker)
        return self.answer

    def unplace(self, worker: str) -> None:
        self.released.append(worker)

    def start(self, assignment: WorkerAssignment) -> Any:
        self.started.append(assignment.worker)
        self.gangs.append(assignment.gang)
        return assignment

    def ended(self, runs: list[Run]) -> list[Ended]:
        return []

    def stop(self, run: Run) -> None:
        pass


def scheduler_with(settings: Settings, db: Database, cluster: Cluster) -> Scheduler:
    data_dir = settings.data_dir
    return Scheduler(
        settings,
        db,
        LocalStore(data_dir / "artifacts"),
        Catalog.load(data_dir=data_dir, models_file=None),
        executor=cluster,
        poll_seconds=0.05,
    )


def test_a_busy_cluster_keeps_the_job_queued_with_one_event(data_dir: Path) -> None:
    settings = Settings(data_dir=data_dir, devices="cpu", cpu_slots=1)
    db = Database(settings.resolved_database_url)
    upgrade_database(db)
    job = make_job(db)
    cluster = Cluster(settings)

    async def scenario() -> None:
        scheduler = scheduler_with(settings, db, cluster)
        await scheduler.start()
        try:
            waiting = f"Waiting to be placed: {BUSY}"
            await wait_until(lambda: waiting in messages(db, job))
            # Many ticks later: still queued, unclaimed, told once.
            await wait_until(lambda: cluster.asked >= 20)
            assert reload(db, job.id).status == "queued"
            assert reload(db, job.id).worker is None
            assert messages(db, job).count(waiting) == 1
            cluster.answer = None
            # Placed: claimed for the placed run, which starts at once.
            await wait_until(lambda: bool(cluster.started))
            assert reload(db, job.id).status == "running"
            assert cluster.started == cluster.placed == [reload(db, job.id).worker]
            assert messages(db, job).index(waiting) < messages(db, job).index(
                "Fine-tuning job started"
            )
        finally:
            await scheduler.stop()

    asyncio.run(scenario())


def test_a_run_no_node_can_hold_fails_its_job_after_the_grace(data_dir: Path) -> None:
    grace = 0.5
    settings = Settings(
        data_dir=data_dir, devices="cpu", cpu_slots=1, ray_unplaceable_grace_seconds=grace
    )
    db = Database(settings.resolved_database_url)
    upgrade_database(db)
    job = make_job(db)
    cluster = Cluster(settings)
    cluster.answer = Unplaced(NEVER, never=True)

    async def scenario() -> None:
        scheduler = scheduler_with(settings, db, cluster)
        await scheduler.start()
        try:
            await wait_until(lambda: reload(db, job.id).status == "failed")
        finally:
            await scheduler.stop()

    asyncio.run(scenario())
    failed = reload(db, job.id)
    assert failed.error is not None and failed.error["code"] == "unplaceable"
    assert NEVER in failed.error["message"]
    seen = messages(db, job)
    assert f"Waiting to be placed: {NEVER} It fails if no node can hold it in 0.5 s." in seen
    assert "Fine-tuning job started" not in seen
    assert not cluster.placed and not cluster.started


def test_a_sharded_job_is_placed_for_all_its_devices_before_it_is_claimed(data_dir: Path) -> None:
    settings = Settings(data_dir=data_dir, devices="cpu", cpu_slots=2)
    db = Database(settings.resolved_database_url)
    upgrade_database(db)
    method = {"type": "supervised", "supervised": {"hyperparameters": {"devices": 2}}}
    job = make_job(db, method=method)
    cluster = Cluster(settings)

    async def scenario() -> None:
        scheduler = scheduler_with(settings, db, cluster)
        await scheduler.start()
        try:
            await wait_until(lambda: cluster.asked >= 3)
            assert reload(db, job.id).status == "queued"
            cluster.answer = None
            await wait_until(lambda: bool(cluster.started))
            # One reservation for the whole gang (the Ray executor: a bundle per device), then
            # one run of both devices.
            assert set(cluster.devices) == {2}
            assert cluster.started == cluster.placed == [reload(db, job.id).worker]
            assert cluster.gangs == [("cpu", "cpu")]
        finally:
            await scheduler.stop()

    asyncio.run(scenario())
