"""Executors: where a claimed job's worker runs. The scheduler claims, an executor runs.

- `local` (local.py): a child process per job on this machine's device slots, forked from a
  forkserver that preloads torch; the workers end with the server, and their jobs resume from
  a checkpoint at the next leader.
- `ray` (ray.py): a detached Ray actor per job on the cluster; the runs outlive every API
  replica, and the next leader adopts them by name.

Both also run Tinker session workers (service/scheduler/sessions.py, run_session_worker), in a
forked process or a detached Ray actor, each holding one device slot like a job's run.

A run starts only once the executor has placed it (`place`): the Ray executor first reserves
the run's resources in a placement group, so a job is claimed (`running`) only when its worker
can start at once; until then the job stays `queued`, with an event saying what it waits for.

Either way the worker is `service.scheduler.worker.run_worker`, which opens the database and the
store from the settings and writes everything there itself, guarded by its worker token.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol, TypeAlias

from service.core.config import Settings
from service.scheduler.sessions import SessionAssignment, run_session_worker
from service.scheduler.slots import DeviceSlot
from service.scheduler.worker import WorkerAssignment
from service.training.contract import RankContext

if TYPE_CHECKING:
    from multiprocessing.process import BaseProcess

    from service.scheduler.executors.local import Gang
    from service.scheduler.executors.ray import ActorRun

WorkerTarget = Callable[[WorkerAssignment], None]
# A Tinker session worker's entry point (service.scheduler.sessions.run_session_worker).
SessionTarget = Callable[[SessionAssignment], None]
# A sharded job's rank entry point (service.scheduler.worker.run_rank, or a test's).
RankTarget = Callable[[WorkerAssignment, RankContext], None]
# Worker tokens of Ray runs start with this; the rest are local workers' tokens.
RAY_TOKEN_PREFIX = "ray/"
# An executor's own handle of a run: a local worker process (or a sharded job's gang of rank
# processes), or a Ray actor with its pending join. Each executor is handed back only the
# handles it made.
RunHandle: TypeAlias = "BaseProcess | Gang | ActorRun"


@dataclass
class Run:
    """One job's worker, as the scheduler tracks it."""

    job_id: str
    worker: str
    slot: int
    handle: RunHandle


@dataclass(frozen=True)
class Ended:
    """A run whose worker is gone, and how it went, for the job's event or error."""

    run: Run
    description: str
    clean: bool


@dataclass(frozen=True)
class Unplaced:
    """Why a slot's next run cannot start yet: what it waits for, for the queued job's event."""

    # None while the reservation is only under way (the cluster has room): nothing to say.
    waiting_for: str | None
    # True when no node of the cluster could ever hold the run, however long it waited.
    never: bool = False


class Executor(Protocol):
    """Starts, watches, stops and adopts the workers of claimed jobs."""

    # True where runs keep going when the server that started them stops (they are adopted
    # afterwards); False where they end with it (their jobs resume from a checkpoint).
    outlives_server: bool

    def slots(self) -> list[DeviceSlot]:
        """Where jobs run at once (blocking: may look at this machine's devices)."""
        ...

    def ensure_ready(self) -> None:
        """Before starting or adopting runs (blocking): connect where needed; raises a
        ServiceUnavailableError while the executor's cluster does not answer."""
        ...

    def warm_up(self) -> None:
        """A job is on its way (it is being validated): prepare what its worker will need,
        in the background, so that the worker starts without waiting (blocking only briefly)."""
        ...

    def token(self, scheduler: str, slot: DeviceSlot) -> str:
        """A fresh worker token for a run in `slot`."""
        ...

    def place(self, slot: DeviceSlot, worker: str, *, devices: int = 1) -> Unplaced | None:
        """Reserve what the run `worker` in `slot` needs on `devices` devices (blocking); None
        once reserved, so that `start` begins training at once."""
        ...

    def unplace(self, worker: str) -> None:
        """Give back the reservation of a run that will not start (no job claimed it)."""
        ...

    def start(self, assignment: WorkerAssignment) -> RunHandle:
        """Start the worker of a claimed job (blocking); its handle."""
        ...

    def ended(self, runs: list[Run]) -> list[Ended]:
        """Those of `runs` whose worker is gone."""
        ...

    def stop(self, run: Run) -> None:
        """End a run's worker now (its job was released beforehand)."""
        ...

    def adopt(self, job_id: str, worker: str) -> RunHandle | None:
        """The handle of a run another server started, found by its token; None when its
        worker is gone (or this executor cannot supervise runs it did not start)."""
        ...

    def close(self) -> None:
        """Let go of the executor's resources (not of runs that outlive the server)."""
        ...

    def start_session(self, assignment: SessionAssignment) -> RunHandle:
        """Start the worker of a claimed Tinker model (blocking); its handle. The worker
        outlives the server: it is never stopped with it."""
        ...

    def session_ended(self, handle: RunHandle) -> str | None:
        """How a session worker this executor started ended; None while it runs."""
        ...

    def stop_session(self, handle: RunHandle) -> None:
        """End a session worker now (its model was declared lost)."""
        ...

    def adopt_session(self, model_id: str, worker: str) -> RunHandle | None:
        """The handle of a session worker another server started, found from its model row;
        None where it cannot be watched from here (its heartbeat alone then shows it alive)."""
        ...


def is_ray_worker(worker: str) -> bool:
    """Whether a job's worker token names a Ray run."""
    return worker.startswith(RAY_TOKEN_PREFIX)


def make_executor(
    settings: Settings, target: WorkerTarget, session_target: SessionTarget = run_session_worker
) -> Executor:
    """The executor the settings name; Ray is imported only when it is the one."""
    if settings.executor == "ray":
        from service.scheduler.executors.ray import RayExecutor

        return RayExecutor(settings, target, session_target=session_target)
    from service.scheduler.executors.local import LocalExecutor

    return LocalExecutor(settings, target, session_target=session_target)
