"""The scheduler: an asyncio loop inside `whetstone serve` that validates, claims and trains.

A loop of its own takes and renews the lead (service/scheduler/leadership.py). Every tick the
scheduler (1) reaps the runs of its own that ended and heartbeats the ones still going, and,
only while it leads, (2) validates the files of new jobs in threads, (3) adopts or recovers
runs that other schedulers left, (4) claims queued jobs for free slots and hands each to the
executor (a local worker process, or a Ray actor: service/scheduler/executors/), claiming a
job only once the executor has placed its run (Ray: reserved its resources), so that a job
says `running` only when its worker starts; the next job says what it waits for meanwhile. Database
calls run in threads (asyncio.to_thread): a busy SQLite writer must never stall the API's
event loop.

Recovery. On SQLite (one machine, one scheduler) start-up re-queues every job a previous
server left bound to a worker, as its workers died with it. On PostgreSQL several replicas may
run, so nothing is re-queued on sight: each scheduler heartbeats the jobs of its own runs, and
the leader re-queues a local run's job only once its heartbeat has stood still for a whole
lease, as it watched; a Ray run is adopted by name, or recorded as a crash when its actor is
gone. A non-leader never touches another replica's jobs.

Tinker sessions. A pending Tinker model takes a device slot as a job does (one each), so jobs
and sessions share the slots without overcommitting; its session worker
(service/scheduler/sessions.py) outlives the server. Every tick the scheduler watches the models
its workers hold: a worker whose process ended, or that stopped beating for
LOST_AFTER_BEATS beats, is lost (its pending futures fail with category `server`) and its slot
frees; one that closed its model (unloaded, idle) frees its slot. The leader adopts (never
kills) the held models of workers it did not start that still beat, e.g. after a restart (a
Ray actor also by name, so its end is seen at once). A model is claimed only once the executor
has placed its worker, as a job is.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy.exc import InterfaceError, OperationalError

from service.catalog import Catalog
from service.core.config import Settings
from service.core.db import Database
from service.core.errors import ModelNotFoundError, ServiceUnavailableError
from service.core.ids import random_token
from service.core.loops import run_forever
from service.core.tables import JobRow
from service.fine_tuning import scheduling as jobs
from service.fine_tuning import transitions
from service.fine_tuning.transitions import JobFailure
from service.scheduler.executors import (
    Executor,
    Run,
    RunHandle,
    SessionTarget,
    Unplaced,
    WorkerTarget,
    is_ray_worker,
    make_executor,
)
from service.scheduler.leadership import leadership_for
from service.scheduler.sessions import (
    SessionAssignment,
    ended_messages,
    lost_message,
    run_session_worker,
    stale_before_ms,
)
from service.scheduler.slots import DeviceSlot
from service.scheduler.validation import fail_validation, validate_job_files
from service.scheduler.worker import WorkerAssignment, run_worker
from service.storage import ArtifactStore
from service.tinker import queue as tinker_queue
from service.training.hyperparameters import job_devices
from service.webhooks.sender import WebhookSender

logger = logging.getLogger("whetstone.scheduler")

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
# Heartbeats and the leader's sweep of others' runs happen this many times per lease.
BEATS_PER_LEASE = 4
# heartbeat_at is in whole seconds: a value that is beaten may stand still this long.
HEARTBEAT_RESOLUTION = 1.0
LOST_SERVER = "The server running the job's worker stopped"
# The error code of a job the cluster can never place (no node has what its run asks for).
UNPLACEABLE_CODE = "unplaceable"
LOST_ACTOR = "The job's Ray actor is gone (its node was lost, or it was killed)"
SILENT_WORKER = "it stopped beating"


@dataclass
class SessionHold:
    """A device slot held by a Tinker model's session worker."""

    model_id: str
    worker: str
    slot: int
    # The worker's process, where this server started it; None for an adopted worker, which
    # only its heartbeat shows alive.
    handle: RunHandle | None


class Scheduler:
    """Owns the slots and the runs of one server; leads the duties while it holds the lease."""

    def __init__(
        self,
        settings: Settings,
        db: Database,
        store: ArtifactStore,
        catalog: Catalog,
        *,
        worker_target: WorkerTarget = run_worker,
        session_target: SessionTarget = run_session_worker,
        executor: Executor | None = None,
        poll_seconds: float = 0.5,
        on_webhook_outcome: Callable[[str], None] | None = None,
    ):
        self.settings, self.db, self.store, self.catalog = settings, db, store, catalog
        self.executor = executor or make_executor(settings, worker_target, session_target)
        self.poll_seconds = poll_seconds
        self.slots: list[DeviceSlot] = []
        # Runs by slot index; adopted runs take free indexes, past the slots if need be. A
        # sharded job's run is listed under its first slot; its other slots are reserved, each
        # mapped to that first slot.
        self.running: dict[int, Run] = {}
        self.reserved: dict[int, int] = {}
        # Slots held by Tinker session workers, by slot index.
        self.sessions: dict[int, SessionHold] = {}
        self._name = f"sched-{os.getpid()}-{random_token(6)}"
        self.leadership = leadership_for(
            db, holder=self._name, lease_seconds=settings.leader_lease_seconds
        )
        self._leading = False  # as the lease loop last saw it
        self._lease_task: asyncio.Task[None] | None = None
        self._lease_failure: str | None = None  # why renewing fails, while it does
        self._beat_seconds = settings.leader_lease_seconds / BEATS_PER_LEASE
        self._last_beat = float("-inf")
        self._last_sweep = float("-inf")
        # Other schedulers' local jobs: the heartbeat_at last seen, and since when (loop time).
        self._watched: dict[str, tuple[int | None, float]] = {}
        self._validating: dict[str, asyncio.Task[None]] = {}
        # Worker tokens of runs being placed, by slot index: a reservation the executor holds
        # until a job is claimed for it.
        self._placing: dict[int, str] = {}
        # The same for pending Tinker models: a session worker's token, by slot index.
        self._placing_sessions: dict[int, str] = {}
        # Loop time since no node could ever hold the next session; None while one can.
        self._session_unplaceable_since: float | None = None
        # The placement message last written as an event, by job (only the next job's is kept).
        self._waiting_said: dict[str, str] = {}
        # Loop time since the cluster has had no node able to hold the next run; None while it
        # has one.
        self._unplaceable_since: float | None = None
        self._retry_validation_at: dict[str, float] = {}
        # Unexpected validation errors per job, in memory: a restart grants a few more tries,
        # which still ends, and needs no column.
        self._validation_errors: dict[str, int] = {}
        self._loop: asyncio.AbstractEventLoop | None = None
        self._wake: asyncio.Event | None = None
        self._task: asyncio.Task[None] | None = None
        # Webhook deliveries go out from the leading replica (started and stopped with the lead).
        self.webhooks = WebhookSender(settings, db, on_outcome=on_webhook_outcome)

    @property
    def leading(self) -> bool:
        """Whether this server holds the scheduler's duties: always on SQLite (one machine),
        on PostgreSQL while its running scheduler holds the lease."""
        return self.db.is_sqlite or (self._task is not None and self.leadership.leading)

    async def start(self) -> None:
        """Recover what a previous server left (SQLite), find the slots, start the loop."""
        self._loop = asyncio.get_running_loop()
        self._wake = asyncio.Event()
        if self.db.is_sqlite:
            # One scheduler per SQLite database: every job still bound to a worker lost it.
            recovered = await asyncio.to_thread(
                transitions.recover_interrupted,
                self.db,
                max_attempts=self.settings.max_job_attempts,
            )
            if recovered:
                logger.warning("re-queued %d job(s) interrupted by the last shutdown", recovered)
                # Their workers start on the first tick: the executor prepares meanwhile.
                await asyncio.to_thread(self.executor.warm_up)
        self.slots = await asyncio.to_thread(self.executor.slots)
        logger.info(
            "training slots (%s): %s",
            type(self.executor).__name__,
            ", ".join(slot.device for slot in self.slots),
        )
        # The lease is kept by a loop of its own, so that a long tick (a slow database call,
        # connecting to Ray) never lets it lapse; ticks check it before each duty.
        self._lease_task = asyncio.create_task(self._keep_lease(), name="whetstone-lease")
        self._task = asyncio.create_task(self._run(), name="whetstone-scheduler")

    async def stop(self) -> None:
        """Stop the loop. Local runs: queue their jobs again (they resume at the next start)
        and end the workers. Ray runs go on, for the next leader to adopt. Give the lead up."""
        for task in (self._lease_task, self._task):
            if task is not None:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
        self._lease_task = self._task = None
        # A validation thread cannot be interrupted; its job stays `validating_files` unless
        # it finishes, and is validated again at the next start.
        for task in list(self._validating.values()):
            task.cancel()
        if not self.executor.outlives_server:  # Ray runs go on, for the next leader to adopt
            for run in list(self.running.values()):
                with contextlib.suppress(Exception):
                    await asyncio.to_thread(
                        transitions.release_at_shutdown,
                        self.db,
                        job_id=run.job_id,
                        worker=run.worker,
                    )
                await asyncio.to_thread(self.executor.stop, run)
        self.running.clear()
        # Session workers go on: the next server adopts them while they beat.
        self.sessions.clear()
        await self._drop_placements()
        await self.webhooks.stop()
        if self._leading and not self.db.is_sqlite:
            # Another replica takes over at its next renewal instead of after the lease.
            with contextlib.suppress(Exception):
                await asyncio.to_thread(self.leadership.release)
        self._leading = False
        with contextlib.suppress(Exception):
            await asyncio.to_thread(self.executor.close)

    def wake(self) -> None:
        """Run a tick now (thread-safe: routers call it from the threadpool)."""
        if self._loop is not None and self._wake is not None and not self._loop.is_closed():
            self._loop.call_soon_threadsafe(self._wake.set)

    async def _run(self) -> None:
        assert self._wake is not None
        await run_forever(
            self.tick, wake=self._wake, interval=self.poll_seconds, name="scheduler", logger=logger
        )

    async def tick(self) -> None:
        """One round: reap and heartbeat our runs; while leading, start validations, adopt or
        recover others' runs, fill free slots."""
        await self._reap()
        await self._heartbeat()
        await self._watch_sessions()
        # Each duty checks the lead afresh: it may lapse while an earlier one waits.
        if not self.leadership.leading:
            return
        await self._start_validations()
        # A Ray cluster that does not answer pauses adoption and claiming, not validation.
        await asyncio.to_thread(self.executor.ensure_ready)
        if self.leadership.leading:
            await self._sweep()
        if self.leadership.leading:
            await self._fill_sessions()
        if self.leadership.leading:
            await self._fill_slots()

    async def _keep_lease(self) -> None:
        """Renew the lease every tick or quarter lease, whichever is sooner (free on SQLite);
        start the leader's own loops on gaining the lead and stop them on losing it."""
        interval = min(self.poll_seconds, self._beat_seconds)
        while True:
            try:
                await asyncio.to_thread(self.leadership.renew)
                self._lease_failure = None
            except Exception as exc:
                # The tick reports the outage; the lead ends when the last lease runs out.
                message = getattr(exc, "message", str(exc))
                if self._lease_failure is None:
                    logger.warning("could not renew the scheduler's lease: %s", message)
                self._lease_failure = message
            await self._follow_lead()
            await asyncio.sleep(interval)

    async def _follow_lead(self) -> None:
        leading = self.leadership.leading
        if leading and not self._leading:
            if not self.db.is_sqlite:
                logger.info("this replica leads the scheduler (%s)", self._name)
            self._watched.clear()
            self._last_sweep = float("-inf")
            self._leading = True
            await self.webhooks.start()
            self.wake()
        elif self._leading and not leading:
            logger.warning("this replica no longer leads the scheduler (%s)", self._name)
            self._leading = False
            await self.webhooks.stop()
            await self._drop_placements()

    async def _drop_placements(self) -> None:
        """Give back every reservation made for a run not started (jobs' and sessions')."""
        for placing in (self._placing, self._placing_sessions):
            for worker in list(placing.values()):
                with contextlib.suppress(Exception):
                    await asyncio.to_thread(self.executor.unplace, worker)
            placing.clear()

    async def _reap(self) -> None:
        ended = await asyncio.to_thread(self.executor.ended, list(self.running.values()))
        for end in ended:
            run = end.run
            # Recorded before the slot is freed: when the database is down this raises, the
            # run stays listed, and the next tick records its end (nothing is forgotten).
            await asyncio.to_thread(
                transitions.worker_exited,
                self.db,
                job_id=run.job_id,
                worker=run.worker,
                description=end.description,
                max_attempts=self.settings.max_job_attempts,
            )
            del self.running[run.slot]
            self.reserved = {
                slot: owner for slot, owner in self.reserved.items() if owner != run.slot
            }
            if not end.clean:
                logger.warning("worker of job %s ended: %s", run.job_id, end.description)

    async def _heartbeat(self) -> None:
        """Show other replicas that our runs' supervisor is alive (PostgreSQL only)."""
        moment = asyncio.get_running_loop().time()
        if self.db.is_sqlite or not self.running or moment - self._last_beat < self._beat_seconds:
            return
        workers = [run.worker for run in self.running.values()]
        await asyncio.to_thread(jobs.heartbeat, self.db, workers=workers)
        self._last_beat = moment

    async def _sweep(self) -> None:
        """The leader's look at jobs bound to runs that are not ours (PostgreSQL only): adopt
        Ray runs or record their end, and recover local runs whose supervisor stopped."""
        loop = asyncio.get_running_loop()
        if self.db.is_sqlite or loop.time() - self._last_sweep < self._beat_seconds:
            return
        self._last_sweep = loop.time()
        bound = await asyncio.to_thread(jobs.bound_runs, self.db)
        ours = {run.worker for run in self.running.values()}
        watched: dict[str, tuple[int | None, float]] = {}
        for job_id, worker, heartbeat_at in bound:
            if worker in ours:
                continue
            if is_ray_worker(worker):
                await self._adopt(job_id, worker)
                continue
            seen, since = self._watched.get(job_id, (None, None))
            moment = loop.time()
            if since is None or seen != heartbeat_at:
                # Moving (or new to us): its supervisor is alive, or was until just now.
                watched[job_id] = (heartbeat_at, moment)
            elif moment - since >= self.settings.leader_lease_seconds + HEARTBEAT_RESOLUTION:
                # Still for a whole lease while we watched: the server running it is gone
                # (its workers end with it), so the job resumes from its latest checkpoint.
                await self._lost(job_id, worker, LOST_SERVER)
            else:
                watched[job_id] = (seen, since)
        self._watched = watched

    async def _adopt(self, job_id: str, worker: str) -> None:
        """Supervise a Ray run another scheduler started, or record it gone."""
        if not self.executor.outlives_server:
            return  # a local executor cannot watch Ray runs; a Ray leader will
        handle = await asyncio.to_thread(self.executor.adopt, job_id, worker)
        if handle is None:
            await self._lost(job_id, worker, LOST_ACTOR)
            return
        job = await asyncio.to_thread(jobs.find_job, self.db, job_id=job_id)
        needed = self._devices_of(job) if job is not None else 1
        # A sharded run holds as many slots as devices, as when it was started (past the
        # slots if need be), so that this leader starts no more than its slots allow.
        limit = len(self.running) + len(self.reserved) + needed
        gang = [i for i in range(limit) if not self._taken(i)][:needed]
        self.running[gang[0]] = Run(job_id=job_id, worker=worker, slot=gang[0], handle=handle)
        for index in gang[1:]:
            self.reserved[index] = gang[0]
        logger.info("adopted job %s, still running in Ray", job_id)

    async def _lost(self, job_id: str, worker: str, cause: str) -> None:
        """A run with no supervisor and no worker: a crash (re-queue or, at the limit, fail)."""
        logger.warning("job %s lost its worker: %s", job_id, cause)
        await asyncio.to_thread(
            transitions.worker_exited,
            self.db,
            job_id=job_id,
            worker=worker,
            description=cause,
            max_attempts=self.settings.max_job_attempts,
        )
        await asyncio.to_thread(self.executor.warm_up)  # its next run is likely ours

    async def _start_validations(self) -> None:
        if len(self._validating) >= MAX_CONCURRENT_VALIDATIONS:
            return
        waiting = await asyncio.to_thread(jobs.jobs_to_validate, self.db)
        self._forget_validations(keep=set(waiting))
        if waiting:
            # A worker follows each validation: its executor prepares meanwhile.
            await asyncio.to_thread(self.executor.warm_up)
        moment = asyncio.get_running_loop().time()
        for job_id in waiting:
            if len(self._validating) >= MAX_CONCURRENT_VALIDATIONS:
                break
            if job_id in self._validating or self._retry_validation_at.get(job_id, 0) > moment:
                continue
            task = asyncio.create_task(self._validate(job_id), name=f"validate-{job_id}")
            self._validating[job_id] = task

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

    def _taken(self, index: int) -> bool:
        return (
            index in self.running
            or index in self.reserved
            or index in self.sessions
            or index in self._placing_sessions
        )

    async def _watch_sessions(self) -> None:
        """Free the slots of session workers whose model ended; declare lost those whose
        process died or that stopped beating; the leader adopts others' live workers and fails
        the requests sent to ended models."""
        leading = self.leadership.leading
        if not self.sessions and not leading:
            return
        held = {
            model.model_id: model
            for model in await asyncio.to_thread(tinker_queue.held_models, self.db)
        }
        stale_before = stale_before_ms(self.settings)
        for index, hold in list(self.sessions.items()):
            model = held.get(hold.model_id)
            ended = (
                await asyncio.to_thread(self.executor.session_ended, hold.handle)
                if hold.handle is not None
                else None
            )
            if model is None or model.worker != hold.worker:
                # The model ended (closed by its worker, or lost): the slot frees once the
                # worker's process is gone (at once for an adopted one).
                if hold.handle is None or ended is not None:
                    del self.sessions[index]
                continue
            starting = model.status == tinker_queue.STARTING and hold.handle is not None
            silent = (model.heartbeat_at_ms or 0) < stale_before and not starting
            if ended is None and not silent:
                continue
            cause = ended if ended is not None else SILENT_WORKER
            await self._session_lost(hold.model_id, hold.worker, cause)
            if hold.handle is not None and ended is None:
                await asyncio.to_thread(self.executor.stop_session, hold.handle)
            del self.sessions[index]
        if not self.leadership.leading:
            return
        ours = {hold.model_id for hold in self.sessions.values()}
        for model in held.values():
            if model.model_id in ours:
                continue
            if (model.heartbeat_at_ms or 0) < stale_before:
                await self._session_lost(model.model_id, model.worker, SILENT_WORKER)
                continue
            await asyncio.to_thread(
                tinker_queue.adopt_model,
                self.db,
                model_id=model.model_id,
                worker=model.worker,
                scheduler=self._name,
            )
            # A Ray actor is found by name and watched; a local worker by its heartbeat only.
            handle = await asyncio.to_thread(
                self.executor.adopt_session, model.model_id, model.worker
            )
            index = self._free_index()
            self.sessions[index] = SessionHold(model.model_id, model.worker, index, handle)
            logger.info("adopted Tinker model %s, whose worker still beats", model.model_id)
        await asyncio.to_thread(
            tinker_queue.fail_requests_of_ended_models,
            self.db,
            messages=ended_messages(self.settings),
        )

    def _free_index(self) -> int:
        """The first slot index no run holds, past the slots if need be (an adopted worker
        counts even when this server has fewer slots)."""
        index = 0
        while self._taken(index):
            index += 1
        return index

    async def _session_lost(self, model_id: str, worker: str, cause: str) -> None:
        logger.warning("Tinker model %s lost its session worker: %s", model_id, cause)
        last_save = await asyncio.to_thread(
            tinker_queue.last_saved_state, self.db, model_id=model_id
        )
        await asyncio.to_thread(
            tinker_queue.end_model,
            self.db,
            model_id=model_id,
            status=tinker_queue.LOST,
            message=lost_message(model_id, cause, last_save),
            category="server",
            worker=worker,
        )

    async def _fill_sessions(self) -> None:
        """Give free slots to pending Tinker models, oldest first, and start their workers,
        each once the executor has placed it (Ray: reserved its resources)."""
        while self.leadership.leading:
            # A slot being placed for a model first; one being placed for a job is the job's.
            free = [slot for slot in self.slots if slot.index in self._placing_sessions] + [
                slot
                for slot in self.slots
                if not self._taken(slot.index) and slot.index not in self._placing
            ]
            if not free:
                return
            model = await asyncio.to_thread(tinker_queue.next_pending_model, self.db)
            if model is None:
                # A reservation must not hold a device for nothing.
                for unused in list(self._placing_sessions.values()):
                    await asyncio.to_thread(self.executor.unplace, unused)
                self._placing_sessions.clear()
                return
            slot = free[0]
            worker = self._placing_sessions.get(slot.index)
            if worker is None:
                worker = self._placing_sessions[slot.index] = (
                    f"{self._name}/tinker/{slot.index}/{random_token(8)}"
                )
            unplaced = await asyncio.to_thread(self.executor.place, slot, worker)
            if unplaced is not None:
                await self._session_unplaced(model.id, slot.index, unplaced)
                return
            self._session_unplaceable_since = None
            claimed = await asyncio.to_thread(
                tinker_queue.claim_model,
                self.db,
                model_id=model.id,
                worker=worker,
                slot=slot.device,
                scheduler=self._name,
            )
            if claimed is None:
                continue  # another scheduler took it; the reservation waits for the next
            del self._placing_sessions[slot.index]
            assignment = SessionAssignment(
                settings=self.settings,
                model_id=model.id,
                worker=worker,
                device=slot.device,
                threads=slot.threads,
            )
            try:
                handle = await asyncio.to_thread(self.executor.start_session, assignment)
            except Exception as exc:
                logger.exception("could not start a session worker for %s", model.id)
                await self._session_lost(model.id, worker, f"it could not start: {exc}")
                await asyncio.to_thread(self.executor.unplace, worker)
                return
            logger.info(
                "Tinker model %s runs on %s (pid %s)",
                model.id,
                slot.device,
                getattr(handle, "pid", None),
            )
            self.sessions[slot.index] = SessionHold(model.id, worker, slot.index, handle)

    async def _session_unplaced(self, model_id: str, index: int, unplaced: Unplaced) -> None:
        """A pending model waits while its reservation is under way or the cluster is busy
        (its create_model future stays pending); it fails once no node could ever hold it
        for WHETSTONE_RAY_UNPLACEABLE_GRACE_SECONDS."""
        if not unplaced.never or unplaced.waiting_for is None:
            self._session_unplaceable_since = None
            return
        moment = asyncio.get_running_loop().time()
        if self._session_unplaceable_since is None:
            self._session_unplaceable_since = moment
            logger.warning("Tinker model %s cannot be placed: %s", model_id, unplaced.waiting_for)
            return
        if moment - self._session_unplaceable_since < self.settings.ray_unplaceable_grace_seconds:
            return
        self._session_unplaceable_since = None
        worker = self._placing_sessions.pop(index, None)
        if worker is not None:
            await asyncio.to_thread(self.executor.unplace, worker)
        await asyncio.to_thread(
            tinker_queue.end_model,
            self.db,
            model_id=model_id,
            status=tinker_queue.CLOSED,
            message=f"The model cannot be placed: {unplaced.waiting_for}",
            category="server",
        )

    def _devices_of(self, job: JobRow) -> int:
        """The slots a job's run takes: its devices (one per rank of a sharded job)."""
        try:
            entry = self.catalog.resolve(job.catalog_model)
        except ModelNotFoundError:
            return 1  # the worker fails it with the reason
        return job_devices(job.hyperparameters, entry, job.method_type)

    async def _fill_slots(self) -> None:
        while self.leadership.leading:
            free = [slot for slot in self.slots if not self._taken(slot.index)]
            if not free:
                return
            waiting = await asyncio.to_thread(jobs.next_queued_job, self.db)
            if waiting is None:
                await self._drop_placing()
                return
            needed = self._devices_of(waiting)
            if len(free) < needed <= len(self.slots):
                # A gang starts whole or not at all; the jobs behind it wait too, so that
                # single-device jobs never starve it of the slots it needs.
                return
            if not self.leadership.leading:
                return
            worker = self._placing.get(free[0].index)
            if needed <= len(self.slots):
                if worker is None:
                    worker = self._placing[free[0].index] = self.executor.token(self._name, free[0])
                unplaced = await asyncio.to_thread(
                    self.executor.place, free[0], worker, devices=needed
                )
                if unplaced is not None:
                    await self._wait_for_placement(waiting.id, unplaced)
                    return
                self._unplaceable_since = None
            elif worker is None:
                # Never placed: claimed only to fail it with the reason below.
                worker = self.executor.token(self._name, free[0])
            job = await asyncio.to_thread(transitions.claim, self.db, worker=worker)
            if job is None:
                return  # the reservation stays for the next job
            self._placing.pop(free[0].index, None)
            if self._devices_of(job) != needed:
                # Another job was claimed than the one placed (the queue moved): its run was
                # placed for another number of devices; it goes back to the queue.
                await asyncio.to_thread(
                    transitions.release_unstarted,
                    self.db,
                    job_id=job.id,
                    worker=worker,
                    reason=f"it needs {self._devices_of(job)} devices, {needed} were placed",
                )
                await asyncio.to_thread(self.executor.unplace, worker)
                return
            if needed > len(self.slots):
                await asyncio.to_thread(
                    transitions.fail,
                    self.db,
                    job,
                    worker=worker,
                    failure=JobFailure(
                        "insufficient_devices",
                        f"The job trains on {needed} devices, and this server has "
                        f"{len(self.slots)} training slot(s) "
                        f"({', '.join(slot.device for slot in self.slots)}).",
                    ),
                )
                continue
            gang = free[:needed]
            slot = gang[0]
            assignment = WorkerAssignment(
                settings=self.settings,
                job_id=job.id,
                worker=worker,
                device=slot.device,
                threads=slot.threads,
                parent_pid=os.getpid(),
                gang=tuple(member.device for member in gang) if needed > 1 else (),
            )
            try:
                handle = await asyncio.to_thread(self.executor.start, assignment)
            except Exception as exc:
                logger.exception("could not start a worker for job %s", job.id)
                await asyncio.to_thread(
                    transitions.release_unstarted,
                    self.db,
                    job_id=job.id,
                    worker=worker,
                    reason=type(exc).__name__,
                )
                await asyncio.to_thread(self.executor.unplace, worker)
                return
            pid = getattr(handle, "pid", None)
            logger.info(
                "job %s runs on %s (%s)",
                job.id,
                ", ".join(member.device for member in gang),
                f"pid {pid}" if pid else "Ray",
            )
            self.running[slot.index] = Run(
                job_id=job.id, worker=worker, slot=slot.index, handle=handle
            )
            for member in gang[1:]:
                self.reserved[member.index] = slot.index

    async def _drop_placing(self) -> None:
        """Give back the reservations no job will take: nothing waits to train."""
        for index, worker in list(self._placing.items()):
            # A reservation must not hold a device for nothing.
            await asyncio.to_thread(self.executor.unplace, worker)
            del self._placing[index]

    async def _wait_for_placement(self, job_id: str, unplaced: Unplaced) -> None:
        """Tell the next queued job what its run waits for (once per reason); fail it once the
        cluster has been unable to ever place it for the grace period."""
        message = unplaced.waiting_for
        if message is None:
            return  # the reservation is under way
        moment = asyncio.get_running_loop().time()
        if not unplaced.never:
            self._unplaceable_since = None
        elif self._unplaceable_since is None:
            self._unplaceable_since = moment
        elif moment - self._unplaceable_since >= self.settings.ray_unplaceable_grace_seconds:
            failure = JobFailure(UNPLACEABLE_CODE, f"The job cannot be placed: {message}")
            if await asyncio.to_thread(
                transitions.unplaceable, self.db, job_id=job_id, failure=failure
            ):
                logger.warning("job %s failed: %s", job_id, failure.message)
            return
        if self._waiting_said.get(job_id) == message:
            return
        grace = self.settings.ray_unplaceable_grace_seconds
        suffix = f" It fails if no node can hold it in {grace:g} s." if unplaced.never else ""
        await asyncio.to_thread(
            transitions.waiting_for_placement,
            self.db,
            job_id=job_id,
            message=f"Waiting to be placed: {message}{suffix}",
        )
        self._waiting_said = {job_id: message}
