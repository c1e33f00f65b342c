"""The scheduler: an asyncio loop inside `whetstone serve` that validates, claims and trains.

Every tick it (1) reaps worker processes that ended, (2) validates the files of new jobs in
threads, (3) claims queued jobs for free device slots and starts a worker process for each.
Database calls run in threads (asyncio.to_thread): a busy SQLite writer must never stall the
API's event loop. Training runs in spawned processes, so a crash or an OOM kill takes down one
job, never the server.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import multiprocessing
import os
import signal
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.process import BaseProcess

from sqlalchemy.exc import InterfaceError, OperationalError

from service.catalog import Catalog
from service.core.config import Settings
from service.core.db import Database
from service.core.errors import ServiceUnavailableError
from service.core.ids import random_token
from service.fine_tuning import repository as jobs
from service.fine_tuning import transitions
from service.fine_tuning.schemas import JobStatus
from service.scheduler.slots import DeviceSlot, discover_slots
from service.scheduler.validation import fail_validation, validate_job_files
from service.scheduler.worker import WorkerAssignment, run_worker
from service.storage import ArtifactStore
from service.webhooks.sender import WebhookSender

logger = logging.getLogger("whetstone.scheduler")

WorkerTarget = Callable[[WorkerAssignment], None]
# Files validated at once; validation is I/O and JSON parsing, and training needs the cores.
MAX_CONCURRENT_VALIDATIONS = 2
# After a storage or database outage, a job's validation is retried this much later (seconds).
VALIDATION_RETRY_SECONDS = 5.0
# Errors that mean a dependency is down, not that the files are bad: retried without limit.
# SQLAlchemy's connection errors count too, as in the worker, wherever they surface unwrapped.
VALIDATION_OUTAGES: tuple[type[Exception], ...] = (
    ServiceUnavailableError,
    OperationalError,
    InterfaceError,
)
# A worker that ignores its release gets this long before SIGKILL at shutdown (seconds).
STOP_GRACE_SECONDS = 2.0


@dataclass
class RunningWorker:
    """A worker process bound to a slot and a job."""

    job_id: str
    worker: str
    process: BaseProcess


class Scheduler:
    """Owns the device slots and the worker processes of one server."""

    def __init__(
        self,
        settings: Settings,
        db: Database,
        store: ArtifactStore,
        catalog: Catalog,
        *,
        worker_target: WorkerTarget = run_worker,
        poll_seconds: float = 0.5,
        on_webhook_outcome: Callable[[str], None] | None = None,
    ):
        self.settings, self.db, self.store, self.catalog = settings, db, store, catalog
        self.worker_target = worker_target
        self.poll_seconds = poll_seconds
        self.slots: list[DeviceSlot] = []
        self.running: dict[int, RunningWorker] = {}
        self._name = f"sched-{os.getpid()}-{random_token(6)}"
        self._validating: dict[str, asyncio.Task[None]] = {}
        self._retry_validation_at: dict[str, float] = {}
        # Unexpected validation errors per job, in memory: a restart grants a few more tries,
        # which still ends, and needs no column.
        self._validation_errors: dict[str, int] = {}
        self._context = multiprocessing.get_context("spawn")
        self._loop: asyncio.AbstractEventLoop | None = None
        self._wake: asyncio.Event | None = None
        self._task: asyncio.Task[None] | None = None
        self._outage: str | None = None  # what is down while ticks fail on an outage
        # Webhook deliveries go out from the process that runs the loop: one per database.
        self.webhooks = WebhookSender(settings, db, on_outcome=on_webhook_outcome)

    async def start(self) -> None:
        """Recover jobs a previous server left running, find the slots, start the loop."""
        self._loop = asyncio.get_running_loop()
        self._wake = asyncio.Event()
        recovered = await asyncio.to_thread(
            transitions.recover_interrupted, self.db, max_attempts=self.settings.max_job_attempts
        )
        if recovered:
            logger.warning("re-queued %d job(s) interrupted by the last shutdown", recovered)
        self.slots = await asyncio.to_thread(discover_slots, self.settings)
        logger.info("training slots: %s", ", ".join(slot.device for slot in self.slots))
        self._task = asyncio.create_task(self._run(), name="whetstone-scheduler")
        await self.webhooks.start()

    async def stop(self) -> None:
        """Stop the loop; queue running jobs again (they resume at the next start); end workers."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        # A validation thread cannot be interrupted; its job stays `validating_files` unless
        # it finishes, and is validated again at the next start.
        for task in list(self._validating.values()):
            task.cancel()
        for running in list(self.running.values()):
            with contextlib.suppress(Exception):
                await asyncio.to_thread(
                    transitions.release_at_shutdown,
                    self.db,
                    job_id=running.job_id,
                    worker=running.worker,
                )
            await asyncio.to_thread(_end_process, running.process)
        self.running.clear()
        await self.webhooks.stop()

    def wake(self) -> None:
        """Run a tick now (thread-safe: routers call it from the threadpool)."""
        if self._loop is not None and self._wake is not None and not self._loop.is_closed():
            self._loop.call_soon_threadsafe(self._wake.set)

    async def _run(self) -> None:
        assert self._wake is not None
        while True:
            try:
                await self.tick()
                if self._outage is not None:
                    logger.info("scheduler resumed: the database and the store answer again")
                    self._outage = None
            except ServiceUnavailableError as exc:
                # An outage is expected: one warning when it starts, not a traceback per tick;
                # the next tick tries again, and the dependencies' deadlines pace the retries.
                if self._outage is None:
                    logger.warning("scheduler paused, retrying every tick: %s", exc.message)
                self._outage = exc.message
            except Exception:
                # The loop must outlive any one failure; the next tick tries again.
                logger.exception("scheduler tick failed")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=self.poll_seconds)
            self._wake.clear()

    async def tick(self) -> None:
        """One round: reap ended workers, start validations, fill free slots."""
        await self._reap()
        await self._start_validations()
        await self._fill_slots()

    async def _reap(self) -> None:
        for index, running in list(self.running.items()):
            if running.process.is_alive():
                continue
            running.process.join(0)
            exitcode = running.process.exitcode
            # Recorded before the slot is freed: when the database is down this raises, the
            # worker stays listed, and the next tick records its exit (nothing is forgotten).
            await asyncio.to_thread(
                transitions.worker_exited,
                self.db,
                job_id=running.job_id,
                worker=running.worker,
                description=describe_exit(exitcode),
                max_attempts=self.settings.max_job_attempts,
            )
            del self.running[index]
            if exitcode != 0:
                logger.warning(
                    "worker of job %s ended: %s", running.job_id, describe_exit(exitcode)
                )

    async def _start_validations(self) -> None:
        if len(self._validating) >= MAX_CONCURRENT_VALIDATIONS:
            return
        waiting = await asyncio.to_thread(self._jobs_to_validate)
        self._forget_validations(keep=set(waiting))
        moment = asyncio.get_running_loop().time()
        for job_id in waiting:
            if len(self._validating) >= MAX_CONCURRENT_VALIDATIONS:
                break
            if job_id in self._validating or self._retry_validation_at.get(job_id, 0) > moment:
                continue
            task = asyncio.create_task(self._validate(job_id), name=f"validate-{job_id}")
            self._validating[job_id] = task

    def _jobs_to_validate(self) -> list[str]:
        with self.db.session() as session:
            return [
                job.id
                for job in jobs.jobs_in_status(session, statuses=[JobStatus.VALIDATING_FILES.value])
            ]

    async def _validate(self, job_id: str) -> None:
        try:
            await asyncio.to_thread(validate_job_files, self.db, self.store, self.catalog, job_id)
            self._forget_validations(drop={job_id})
        except VALIDATION_OUTAGES as exc:
            # The content is not at fault: wait for the dependency, however long it takes.
            logger.warning("validating job %s must wait: %s", job_id, exc)
            self._retry_validation_at[job_id] = (
                asyncio.get_running_loop().time() + VALIDATION_RETRY_SECONDS
            )
        except Exception as exc:
            await self._validation_raised(job_id, exc)
        finally:
            self._validating.pop(job_id, None)
            self.wake()

    async def _validation_raised(self, job_id: str, exc: Exception) -> None:
        """Retry an unexpected validation error a few times, then fail the job with it."""
        attempts = self._validation_errors.get(job_id, 0) + 1
        self._validation_errors[job_id] = attempts
        limit = self.settings.max_validation_attempts
        retry_at = asyncio.get_running_loop().time() + VALIDATION_RETRY_SECONDS
        logger.warning(
            "validating job %s raised (attempt %d of %d)", job_id, attempts, limit, exc_info=exc
        )
        if attempts < limit:
            self._retry_validation_at[job_id] = retry_at
            return
        message = (
            f"The job's files could not be validated: validation failed {attempts} times with "
            f"an unexpected error ({type(exc).__name__})."
        )
        try:
            failed = await asyncio.to_thread(fail_validation, self.db, job_id, message)
        except Exception as write_error:
            # Recording the failure needs the database; the next attempt tries again.
            logger.warning("could not fail job %s yet: %s", job_id, write_error)
            self._retry_validation_at[job_id] = retry_at
            return
        if failed:
            logger.error(
                "job %s failed: validation raised %s %d times", job_id, type(exc).__name__, attempts
            )
        self._forget_validations(drop={job_id})

    def _forget_validations(
        self, *, keep: set[str] | None = None, drop: set[str] | None = None
    ) -> None:
        """Drop the retry state of `drop`, or of every job but `keep` (and those under way)."""
        for state in (self._retry_validation_at, self._validation_errors):
            for job_id in list(state):
                if (drop is not None and job_id in drop) or (
                    keep is not None and job_id not in keep and job_id not in self._validating
                ):
                    del state[job_id]

    async def _fill_slots(self) -> None:
        for slot in self.slots:
            if slot.index in self.running:
                continue
            worker = f"{self._name}/{slot.index}/{random_token(8)}"
            job = await asyncio.to_thread(transitions.claim, self.db, worker=worker)
            if job is None:
                return
            assignment = WorkerAssignment(
                settings=self.settings,
                job_id=job.id,
                worker=worker,
                device=slot.device,
                threads=slot.threads,
                parent_pid=os.getpid(),
            )
            process = self._context.Process(
                target=self.worker_target,
                args=(assignment,),
                name=f"whetstone-worker-{job.id}",
            )
            try:
                await asyncio.to_thread(process.start)
            except Exception as exc:
                logger.exception("could not start a worker for job %s", job.id)
                await asyncio.to_thread(
                    transitions.release_unstarted,
                    self.db,
                    job_id=job.id,
                    worker=worker,
                    reason=type(exc).__name__,
                )
                return
            logger.info("job %s runs on %s (pid %s)", job.id, slot.device, process.pid)
            self.running[slot.index] = RunningWorker(job_id=job.id, worker=worker, process=process)


def _end_process(process: BaseProcess) -> None:
    """SIGKILL a worker (it ignores SIGTERM) and reap it; its job was released beforehand."""
    if process.is_alive():
        process.kill()
    process.join(STOP_GRACE_SECONDS)


def describe_exit(exitcode: int | None) -> str:
    """A sentence saying how a worker process ended, for an event or a job error."""
    if exitcode is None:
        return "Worker process vanished"
    if exitcode < 0:
        number = -exitcode
        try:
            name = signal.Signals(number).name
        except ValueError:
            name = f"signal {number}"
        likely = " (likely out of memory)" if number == signal.SIGKILL else ""
        return f"Worker process died with signal {number} ({name}){likely}"
    if exitcode == 0:
        return "Worker process exited without recording how the job ended"
    return f"Worker process exited with code {exitcode}"
