"""The leader lease on a real PostgreSQL: contenders racing at once give exactly one leader, a
lease that is not renewed passes to exactly one other, and the leader's sweep re-queues a local
run's job only once its heartbeat stood still for a whole lease."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from service.catalog import Catalog
from service.core.config import Settings
from service.core.db import Database
from service.core.ids import now
from service.fine_tuning import repository
from service.migrations import upgrade_database
from service.scheduler import Scheduler
from service.scheduler.leadership import LeaderLease, LoneLeader, leadership_for
from service.scheduler.worker import WorkerAssignment
from service.storage.local import LocalStore
from tests.conftest import POSTGRES_URL, empty_postgres, postgres_available
from tests.fine_tuning.factories import make_job, messages, reload
from tests.scheduler.test_scheduler import wait_until

CONTENDERS = 8
LEASE_SECONDS = 1.0


@pytest.fixture
def postgres() -> Iterator[Database]:
    """The worker's PostgreSQL test database, empty and migrated; skipped where absent."""
    reason = postgres_available()
    if reason is not None:
        pytest.skip(reason)
    empty_postgres()
    db = Database(POSTGRES_URL)
    upgrade_database(db)
    yield db
    db.dispose()


def race(leases: list[LeaderLease]) -> list[bool]:
    """Every lease renews at the same moment (each on its own connection); who won."""
    barrier = threading.Barrier(len(leases))

    def contend(lease: LeaderLease) -> bool:
        barrier.wait()
        return lease.renew()

    with ThreadPoolExecutor(len(leases)) as pool:
        return list(pool.map(contend, leases))


def test_contenders_racing_at_once_give_exactly_one_leader(postgres: Database) -> None:
    databases = [Database(POSTGRES_URL) for _ in range(CONTENDERS)]
    leases = [
        LeaderLease(db, holder=f"replica-{i}", seconds=LEASE_SECONDS)
        for i, db in enumerate(databases)
    ]
    try:
        for _ in range(3):
            won = race(leases)
            assert won.count(True) == 1, won
        leader = won.index(True)
        assert leases[leader].leading
        assert [lease.leading for lease in leases].count(True) == 1
        # Still held while renewed: the same one wins every round.
        assert race(leases).index(True) == leader

        # The leader stops renewing (it died): once the lease expires exactly one other takes
        # it, and the old leader, had it come back, knows it lost.
        rest = leases[:leader] + leases[leader + 1 :]
        time.sleep(LEASE_SECONDS * (1 - 0.2) + 0.05)
        assert not leases[leader].leading
        assert race(rest).count(True) == 0  # the database's clock has not passed it yet
        time.sleep(0.3)
        won = race(rest)
        assert won.count(True) == 1, won
        assert not leases[leader].renew()

        # A leader that gives up the lease hands it over at the next renewal.
        successor = rest[won.index(True)]
        successor.release()
        assert not successor.leading
        won = race(leases)
        assert won.count(True) == 1
    finally:
        for db in databases:
            db.dispose()


def test_sqlite_has_a_lone_leader(tmp_path: Path) -> None:
    db = Database(f"sqlite:///{tmp_path / 'w.db'}")
    assert isinstance(leadership_for(db, holder="a", lease_seconds=5), LoneLeader)
    db.dispose()


def sleep_until_killed(assignment: WorkerAssignment) -> None:
    """A worker entry that trains nothing and holds its job until the scheduler ends it."""
    time.sleep(600)


def test_the_leader_requeues_a_local_job_only_once_its_heartbeat_stops(
    postgres: Database, data_dir: Path
) -> None:
    settings = Settings(
        data_dir=data_dir,
        database_url=POSTGRES_URL,
        devices="cpu",
        cpu_slots=1,
        leader_lease_seconds=LEASE_SECONDS,
    )
    # A job another replica runs: its server heartbeats it, then dies.
    job = make_job(postgres, status="running", worker="sched-other/0/x", heartbeat_at=now())
    beating = threading.Event()
    beating.set()

    def other_replica() -> None:
        while beating.is_set():
            with postgres.session() as session:
                repository.touch_heartbeats(session, workers=["sched-other/0/x"])
            time.sleep(0.25)

    heart = threading.Thread(target=other_replica, daemon=True)
    heart.start()

    async def scenario() -> None:
        scheduler = Scheduler(
            settings,
            postgres,
            LocalStore(data_dir / "artifacts"),
            Catalog.load(data_dir=data_dir, models_file=None),
            worker_target=sleep_until_killed,
            poll_seconds=0.05,
        )
        await scheduler.start()
        try:
            await wait_until(lambda: scheduler.leading, timeout=10)
            # Three leases of leading while the other replica's heartbeat moves: never touched.
            await asyncio.sleep(LEASE_SECONDS * 3)
            assert reload(postgres, job.id).worker == "sched-other/0/x"
            beating.clear()
            stopped = time.monotonic()
            # Requeued, then claimed by this scheduler: the job resumes here.
            await wait_until(lambda: reload(postgres, job.id).attempts == 1, timeout=15)
            waited = time.monotonic() - stopped
            # Not before its heartbeat stood still for a whole lease (and its 1 s resolution).
            assert waited >= LEASE_SECONDS, waited
            await wait_until(
                lambda: reload(postgres, job.id).worker in scheduler_workers(scheduler)
            )
        finally:
            await scheduler.stop()

    asyncio.run(scenario())
    heart.join(5)
    assert "The server running the job's worker stopped; retrying (attempt 2 of 3)" in messages(
        postgres, reload(postgres, job.id)
    )
    # A graceful stop gives the lease up at once.
    lease = LeaderLease(postgres, holder="next", seconds=LEASE_SECONDS)
    assert lease.renew()


def scheduler_workers(scheduler: Scheduler) -> set[str]:
    """The worker tokens of the scheduler's own runs."""
    return {run.worker for run in scheduler.running.values()}
