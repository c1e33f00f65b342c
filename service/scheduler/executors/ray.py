"""The Ray executor: each claimed job trains in one detached, named Ray actor on the cluster.

The actor is `whetstone-job-<job id>-<run>` in the namespace `WHETSTONE_RAY_NAMESPACE`, with
lifetime "detached": it belongs to the cluster, not to the API process that created it, so a
run outlives every API replica. It asks for num_gpus=1 (WHETSTONE_RAY_DEVICE=cuda) or only
WHETSTONE_RAY_CPUS_PER_JOB CPUs, so Ray places it on a node with a free device. The actor
calls the same worker entry point as a local worker process (run_worker), which opens the
database and the store from the settings and writes everything there; when it returns, the
actor exits at once, so that a finished run never holds a device, watched or not.

Supervision: whoever supervises a run holds the reference of a `join` call, which is queued
behind the actor's one `run` call and resolves when the actor ends. A new leader adopts a run
by looking the actor up by name and calling `join` again; an actor that is not found is gone
(its node was lost, it was killed), which the scheduler records as a worker crash.

`ray` is imported here only, and only when this executor is built.
"""

from __future__ import annotations

import dataclasses
import logging
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any

from service.core.config import Settings
from service.core.errors import ClusterUnavailableError
from service.core.ids import random_token
from service.scheduler.executors import RAY_TOKEN_PREFIX, Ended, Run, WorkerTarget
from service.scheduler.slots import DeviceSlot
from service.scheduler.worker import WorkerAssignment

if TYPE_CHECKING:
    from ray import ObjectRef
    from ray.actor import ActorHandle

logger = logging.getLogger("whetstone.scheduler")

ACTOR_PREFIX = "whetstone-job-"
# Ray's word for an actor that called exit_actor(): its run ended on its own.
_INTENDED_EXIT = "INTENDED_USER_EXIT"


class JobActor:
    """The Ray actor of one run (decorated with ray.remote when the executor connects)."""

    def run(self, target: WorkerTarget, assignment: WorkerAssignment) -> None:
        """Train the job, then end this actor, whatever happened."""
        import ray

        try:
            target(assignment)
        except BaseException:
            # The job stays bound to this run; the supervisor records a crash and re-queues it.
            logger.exception("the worker of job %s raised", assignment.job_id)
        finally:
            ray.actor.exit_actor()  # type: ignore[no-untyped-call]  # unannotated in ray

    def join(self) -> None:
        """Resolve once `run` has ended. The actor runs one call at a time and `run` ends it,
        so a `join` that runs at all found no `run` before it: the server that created the
        actor died before delivering it (Ray queues an actor's calls in the caller until the
        actor is placed). End the actor then, so that it holds no device for nothing."""
        import ray

        ray.actor.exit_actor()  # type: ignore[no-untyped-call]  # unannotated in ray


def actor_name(job_id: str, worker: str) -> str:
    """The actor's name: the job id and the last part of the run's worker token."""
    return f"{ACTOR_PREFIX}{job_id}-{worker.rsplit('/', 1)[-1]}"


@dataclasses.dataclass
class ActorRun:
    """A Ray run's handle: the actor and the reference that resolves when it ends."""

    actor: ActorHandle[JobActor]
    done: ObjectRef[None]


class RayExecutor:
    """Runs on the Ray cluster at WHETSTONE_RAY_ADDRESS."""

    outlives_server = True

    def __init__(self, settings: Settings, target: WorkerTarget):
        self.settings = settings
        self.target = target
        self._actor_class: Any = None

    def _connect(self) -> ModuleType:
        """Connect this process to the cluster once, as a driver; the `ray` module. Lazily, at
        the first run to start or adopt: a replica serves the API while the cluster is down,
        and its scheduler waits (an outage, retried every tick)."""
        import ray

        if self._actor_class is None:
            if not ray.is_initialized():
                try:
                    ray.init(
                        address=self.settings.ray_address or "auto",
                        namespace=self.settings.ray_namespace,
                        runtime_env=self.settings.ray_runtime_env,
                        # The workers log through the cluster; the API's log stays its own.
                        log_to_driver=False,
                        logging_level=logging.WARNING,
                    )
                except (ConnectionError, RuntimeError, TimeoutError) as exc:
                    where = self.settings.ray_address or "auto"
                    raise ClusterUnavailableError(
                        f"The Ray cluster at {where} does not answer: {exc}"
                    ) from exc
            self._actor_class = ray.remote(JobActor)
        return ray

    def slots(self) -> list[DeviceSlot]:
        """WHETSTONE_RAY_MAX_JOBS slots, each a request for one device of the cluster."""
        device = "cuda:0" if self.settings.ray_device == "cuda" else "cpu"
        threads = self.settings.ray_cpus_per_job
        return [
            DeviceSlot(index=i, device=device, threads=threads)
            for i in range(self.settings.ray_max_jobs)
        ]

    def ensure_ready(self) -> None:
        """Connect to the cluster, or raise ClusterUnavailableError."""
        self._connect()

    def warm_up(self) -> None:
        """Nothing to prepare: the cluster's nodes import what an actor needs."""

    def token(self, scheduler: str, slot: DeviceSlot) -> str:
        """`ray/<scheduler>/<random>`: the prefix tells any replica that Ray runs it."""
        return f"{RAY_TOKEN_PREFIX}{scheduler}/{random_token(8)}"

    def start(self, assignment: WorkerAssignment) -> ActorRun:
        """Create the job's detached actor and start its run."""
        self._connect()
        data_dir = self.settings.ray_worker_data_dir or self.settings.data_dir
        settings = self.settings.model_copy(update={"data_dir": Path(data_dir)})
        # No parent to watch: the run is meant to outlive the server that started it. Ray sets
        # CUDA_VISIBLE_DEVICES to the GPU it granted, so the job's device is cuda:0 there.
        assignment = dataclasses.replace(assignment, settings=settings, parent_pid=None)
        gpus = 1 if self.settings.ray_device == "cuda" else 0
        actor = self._actor_class.options(
            name=actor_name(assignment.job_id, assignment.worker),
            namespace=self.settings.ray_namespace,
            lifetime="detached",
            # A restarted actor would have no run call; a lost run is the scheduler's to retry.
            max_restarts=0,
            num_cpus=self.settings.ray_cpus_per_job,
            num_gpus=gpus,
        ).remote()
        try:
            actor.run.remote(self.target, assignment)
            return ActorRun(actor, actor.join.remote())
        except BaseException:
            # The job is released as unstarted; an actor with no run must not linger.
            ray = self._connect()
            ray.kill(actor, no_restart=True)
            raise

    def ended(self, runs: list[Run]) -> list[Ended]:
        """The runs whose actor has ended (on its own, killed, or with its node)."""
        if not runs:
            return []
        ray = self._connect()
        refs = {_actor_run(run).done: run for run in runs}
        ready, _ = ray.wait(list(refs), num_returns=len(runs), timeout=0, fetch_local=False)
        ended = []
        for ref in ready:
            run = refs[ref]
            try:
                ray.get(ref)
                ended.append(Ended(run, "Ray worker ended without recording the outcome", True))
            except ray.exceptions.RayActorError as exc:
                reason = _reason(exc)
                clean = _INTENDED_EXIT in str(exc)
                description = (
                    "Ray worker ended without recording how the job ended"
                    if clean
                    else f"Ray actor {actor_name(run.job_id, run.worker)} died: {reason}"
                )
                ended.append(Ended(run, description, clean))
            except ray.exceptions.RayError as exc:
                ended.append(Ended(run, f"Ray run failed: {_reason(exc)}", False))
        return ended

    def stop(self, run: Run) -> None:
        """Kill the run's actor (a cancel no worker can hear; never at shutdown)."""
        ray = self._connect()
        ray.kill(_actor_run(run).actor, no_restart=True)

    def adopt(self, job_id: str, worker: str) -> ActorRun | None:
        """Find the run's actor by name and watch it; None when it no longer exists."""
        ray = self._connect()
        try:
            actor = ray.get_actor(actor_name(job_id, worker), namespace=self.settings.ray_namespace)
        except ValueError:
            return None
        return ActorRun(actor, actor.join.remote())

    def close(self) -> None:
        """Disconnect the driver; detached actors keep running."""
        import ray

        if self._actor_class is not None and ray.is_initialized():
            ray.shutdown()
        self._actor_class = None


def _actor_run(run: Run) -> ActorRun:
    """The Ray handle of a run this executor started or adopted."""
    assert isinstance(run.handle, ActorRun), "a Ray executor runs only Ray actors"
    return run.handle


def _reason(exc: BaseException) -> str:
    """The sentence of a Ray error that says why (its last non-empty line)."""
    lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
    return lines[-1] if lines else type(exc).__name__
