"""The Ray executor: each claimed job trains in one detached, named Ray actor on the cluster.

The actor is `whetstone-job-<job id>-<run>` in the namespace `WHETSTONE_RAY_NAMESPACE`, with
lifetime "detached": it belongs to the cluster, not to the API process that created it, so a
run outlives every API replica. It asks for num_gpus=1 (WHETSTONE_RAY_DEVICE=cuda) or only
WHETSTONE_RAY_CPUS_PER_JOB CPUs, so Ray places it on a node with a free device. The actor
calls the same worker entry point as a local worker process (run_worker), which opens the
database and the store from the settings and writes everything there; when it returns, the
actor exits at once, so that a finished run never holds a device, watched or not.

Placement: before a job is claimed, the scheduler asks the executor to place the slot's next
run (`place`). The executor reserves the run's resources in a detached placement group named
`whetstone-run-<run>`, and only once Ray has reserved them is a job claimed and its actor
started inside the group, so it starts at once: a job says `running` only when its worker
starts, never while it waits for a device. While the group is pending the job stays `queued`,
and the scheduler writes on it what it waits for (the resources, and what the cluster has
free); when no node of the cluster could ever hold the run (WHETSTONE_RAY_DEVICE=cuda on a
cluster without a GPU), the job fails after WHETSTONE_RAY_UNPLACEABLE_GRACE_SECONDS. The group
lives as long as the run: the actor removes it when its run ends, and so does whoever
supervises the run when it sees the run end or stops it.

A sharded job (several devices) is placed as one bundle per device, and its actor asks for
nothing itself and runs outside the group: it drives one Ray Train run (ray_train.py), giving
the reservation back just before the trainer reserves the same bundles in a group of its own.

Supervision: whoever supervises a run holds the reference of a `join` call, which is queued
behind the actor's one `run` call and resolves when the actor ends. A new leader adopts a run
by looking the actor up by name and calling `join` again; an actor that is not found is gone
(its node was lost, it was killed), which the scheduler records as a worker crash.

Tinker sessions: a training model's session worker (run_session_worker, the same loop as on
the local executor) runs in a detached actor `whetstone-session-<model id>-<run>`, placed like
a job's run (a reservation first, then the actor inside it, with the same device and CPUs). It
holds the model until it is unloaded or reclaimed idle, then ends, giving its reservation back.
Like a job's actor it outlives every API replica: a new leader finds it by the name the model
row's worker token gives, and watches it through `join`; its heartbeat on the model's row is
what shows it alive to everyone else. An actor that dies (killed, its node lost) is seen at
once through `join`, and the scheduler declares the model lost.

`ray` is imported here only, and only when this executor is built.
"""

from __future__ import annotations

import dataclasses
import functools
import logging
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any

from service.core.config import Settings
from service.core.errors import ClusterUnavailableError
from service.core.ids import random_token
from service.scheduler.executors import (
    RAY_TOKEN_PREFIX,
    Ended,
    RankTarget,
    Run,
    RunHandle,
    SessionTarget,
    Unplaced,
    WorkerTarget,
)
from service.scheduler.sessions import SessionAssignment, run_session_worker
from service.scheduler.slots import DeviceSlot
from service.scheduler.worker import WorkerAssignment, run_rank

if TYPE_CHECKING:
    from ray import ObjectRef
    from ray.actor import ActorHandle
    from ray.util.placement_group import PlacementGroup

logger = logging.getLogger("whetstone.scheduler")

ACTOR_PREFIX = "whetstone-job-"
GROUP_PREFIX = "whetstone-run-"
# Ray's word for an actor that called exit_actor(): its run ended on its own.
_INTENDED_EXIT = "INTENDED_USER_EXIT"
# Ray's words for an actor ended by the removal of its placement group (its run's end).
_GROUP_REMOVED = "placement group"
SESSION_PREFIX = "whetstone-session-"


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
            _release_own_group()
            ray.actor.exit_actor()  # type: ignore[no-untyped-call]  # unannotated in ray

    def join(self) -> None:
        """Resolve once `run` has ended. The actor runs one call at a time and `run` ends it,
        so a `join` that runs at all found no `run` before it: the server that created the
        actor died before delivering it (Ray queues an actor's calls in the caller until the
        actor is placed). End the actor then, so that it holds no device for nothing."""
        import ray

        _release_own_group()
        ray.actor.exit_actor()  # type: ignore[no-untyped-call]  # unannotated in ray


class SessionActor(JobActor):
    """The Ray actor of one Tinker session worker (decorated with ray.remote when the executor
    connects); watched through `join`, as a job's actor."""

    def serve(self, target: SessionTarget, assignment: SessionAssignment) -> None:
        """Hold the model until it ends (unloaded, reclaimed, taken), then end this actor."""
        import ray

        try:
            target(assignment)
        except BaseException:
            # The model stays bound to this worker; the supervisor sees the actor end and
            # declares it lost.
            logger.exception("the session worker of model %s raised", assignment.model_id)
        finally:
            _release_own_group()
            ray.actor.exit_actor()  # type: ignore[no-untyped-call]  # unannotated in ray


def _release_own_group() -> None:
    """Remove the placement group the calling actor runs in, so that its reservation ends with
    the run even when no server supervises it (a best effort: the supervisor removes it too)."""
    from ray.util.placement_group import get_current_placement_group, remove_placement_group

    group = get_current_placement_group()
    if group is not None:
        try:
            remove_placement_group(group)
        except Exception:
            logger.warning("could not remove the run's placement group", exc_info=True)


def group_name(worker: str) -> str:
    """The placement group's name: the last part of the run's worker token."""
    return f"{GROUP_PREFIX}{worker.rsplit('/', 1)[-1]}"


def actor_name(job_id: str, worker: str) -> str:
    """The actor's name: the job id and the last part of the run's worker token."""
    return f"{ACTOR_PREFIX}{job_id}-{worker.rsplit('/', 1)[-1]}"


def session_actor_name(model_id: str, worker: str) -> str:
    """A session actor's name: the model id (its colons as dashes) and the last part of the
    worker token its model row holds, so that any leader finds it from the row."""
    return f"{SESSION_PREFIX}{model_id.replace(':', '-')}-{worker.rsplit('/', 1)[-1]}"


@dataclasses.dataclass
class ActorRun:
    """A Ray run's handle: the actor and the reference that resolves when it ends."""

    actor: ActorHandle[JobActor]
    done: ObjectRef[None]
    # The run's reservation; None for a run whose group is already gone.
    group: PlacementGroup | None = None
    # The actor's name, where the supervisor cannot derive it (a session's).
    name: str = ""


@dataclasses.dataclass
class _Reservation:
    """A placement group being reserved for a run, and the reference that resolves once it is."""

    group: PlacementGroup
    ready: ObjectRef[Any]
    devices: int = 1


class RayExecutor:
    """Runs on the Ray cluster at WHETSTONE_RAY_ADDRESS."""

    outlives_server = True

    def __init__(
        self,
        settings: Settings,
        target: WorkerTarget,
        rank_target: RankTarget = run_rank,
        *,
        session_target: SessionTarget = run_session_worker,
    ):
        self.settings = settings
        self.target = target
        # What each Ray Train worker of a sharded job calls.
        self.rank_target = rank_target
        self.session_target = session_target
        self._actor_class: Any = None
        self._session_class: Any = None
        # Placement groups reserved for runs not started yet, by worker token.
        self._reservations: dict[str, _Reservation] = {}

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
            self._session_class = ray.remote(SessionActor)
            self._warn_if_unplaceable(ray)
        return ray

    def _bundle(self) -> dict[str, float]:
        """What one run asks of a node: its CPUs, and a GPU for WHETSTONE_RAY_DEVICE=cuda."""
        bundle = {"CPU": float(self.settings.ray_cpus_per_job)}
        if self.settings.ray_device == "cuda":
            bundle["GPU"] = 1.0
        return bundle

    def _never_placed(self, ray: ModuleType, devices: int = 1) -> str | None:
        """Why the nodes of the cluster could never hold a run on `devices` devices together;
        None when they could."""
        bundle = self._bundle()
        nodes = [node for node in ray.nodes() if node.get("Alive")]
        if sum(_bundles_in(node.get("Resources", {}), bundle) for node in nodes) >= devices:
            return None
        shapes = "; ".join(
            f"{node.get('NodeManagerAddress', '?')}: {_describe(node.get('Resources', {}))}"
            for node in nodes
        )
        hint = (
            " Set WHETSTONE_RAY_DEVICE=cpu to train on CPUs, or add a node with a GPU."
            if "GPU" in bundle
            else " Lower WHETSTONE_RAY_CPUS_PER_JOB, or add a larger node."
        )
        asks = (
            f"each run asks one node for {_describe(bundle)}"
            if devices == 1
            else f"this run asks {devices} bundles (one per device) of {_describe(bundle)}"
        )
        holds = (
            "no node of the Ray cluster has that much"
            if devices == 1
            else ("the Ray cluster's nodes cannot hold that many together")
        )
        return (
            f"{asks} (WHETSTONE_RAY_DEVICE={self.settings.ray_device}, "
            f"WHETSTONE_RAY_CPUS_PER_JOB={self.settings.ray_cpus_per_job}), and {holds} "
            f"(nodes: {shapes or 'none'}).{hint}"
        )

    def _warn_if_unplaceable(self, ray: ModuleType) -> None:
        """At the first connection (the leader's start): say when no node can hold a run."""
        reason = self._never_placed(ray)
        if reason is not None:
            logger.warning("the Ray cluster cannot place any job: %s", reason)

    def place(self, slot: DeviceSlot, worker: str, *, devices: int = 1) -> Unplaced | None:
        """Reserve the run's resources (a bundle per device, packed on as few nodes as hold
        them) in a placement group; None once Ray has reserved them."""
        ray = self._connect()
        from ray.util.placement_group import placement_group

        reservation = self._reservations.get(worker)
        created = reservation is None or reservation.devices != devices
        if reservation is not None and reservation.devices != devices:
            self.unplace(worker)  # the next job asks for another number of devices
            reservation = None
        if reservation is None:
            never = self._never_placed(ray, devices)
            if never is not None:
                return Unplaced(never, never=True)
            group = placement_group(
                [self._bundle()] * devices,
                # One node when one holds them all, else as few as can (a gang across nodes).
                strategy="PACK",
                name=group_name(worker),
                # Like the actor, the reservation belongs to the cluster, not to this driver.
                lifetime="detached",
            )
            reservation = self._reservations[worker] = _Reservation(group, group.ready(), devices)
        ready, _ = ray.wait([reservation.ready], timeout=0, fetch_local=False)
        if ready:
            return None
        if created:
            # Judged at the next look: the group may already hold part of what is free, which
            # would read as a busy cluster.
            return Unplaced(None)
        free = ray.available_resources()
        if _bundles_in(free, self._bundle()) >= devices:
            return Unplaced(None)  # Ray is reserving it
        never = self._never_placed(ray, devices)
        if never is not None:
            self.unplace(worker)
            return Unplaced(never, never=True)
        needs = (
            f"{_describe(self._bundle())} on one node"
            if devices == 1
            else f"{devices} bundles (one per device) of {_describe(self._bundle())}"
        )
        return Unplaced(
            f"its run needs {needs}, and the Ray cluster has {_describe(free)} free; it "
            "starts once a running job ends."
        )

    def unplace(self, worker: str) -> None:
        """Remove the placement group reserved for a run that will not start."""
        reservation = self._reservations.pop(worker, None)
        if reservation is not None:
            _remove_group(reservation.group)

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

    def _worker_settings(self) -> Settings:
        """The settings an actor runs with: its data directory is the nodes' own."""
        data_dir = self.settings.ray_worker_data_dir or self.settings.data_dir
        return self.settings.model_copy(update={"data_dir": Path(data_dir)})

    def _options(self, name: str, group: PlacementGroup) -> dict[str, Any]:
        """A one-device actor's options: named and detached, placed in its run's group."""
        from ray.util.scheduling_strategies import PlacementGroupSchedulingStrategy

        return {
            "name": name,
            "namespace": self.settings.ray_namespace,
            "lifetime": "detached",
            # A restarted actor would have no run call; a lost run is the scheduler's to retry.
            "max_restarts": 0,
            "num_cpus": self.settings.ray_cpus_per_job,
            "num_gpus": 1 if self.settings.ray_device == "cuda" else 0,
            # Into the resources reserved for this run: the actor is placed at once.
            "scheduling_strategy": PlacementGroupSchedulingStrategy(
                placement_group=group,
                placement_group_bundle_index=0,
                placement_group_capture_child_tasks=True,
            ),
        }

    def start(self, assignment: WorkerAssignment) -> ActorRun:
        """Create the job's detached actor and start its run."""
        self._connect()
        settings = self._worker_settings()
        # No parent to watch: the run is meant to outlive the server that started it. Ray sets
        # CUDA_VISIBLE_DEVICES to the GPU it granted, so the job's device is cuda:0 there.
        assignment = dataclasses.replace(assignment, settings=settings, parent_pid=None)
        reservation = self._reservations.pop(assignment.worker)
        if assignment.gang:
            return self._start_gang(assignment, reservation)
        actor = self._actor_class.options(
            **self._options(actor_name(assignment.job_id, assignment.worker), reservation.group)
        ).remote()
        return self._run(actor, self.target, assignment, reservation)

    def _start_gang(self, assignment: WorkerAssignment, reservation: _Reservation) -> ActorRun:
        """A sharded job: the actor drives one Ray Train run (ray_train.py) of a worker per
        device. It asks for nothing itself and stays out of the reservation, which it gives
        back just before the trainer reserves the same bundles in a group of its own."""
        from service.scheduler.executors.ray_train import train_on_ray

        actor = self._actor_class.options(
            name=actor_name(assignment.job_id, assignment.worker),
            namespace=self.settings.ray_namespace,
            lifetime="detached",
            max_restarts=0,
            num_cpus=0,
            num_gpus=0,
        ).remote()
        target = functools.partial(
            train_on_ray,
            rank_target=self.rank_target,
            cpus_per_worker=float(self.settings.ray_cpus_per_job),
            reservation=group_name(assignment.worker),
        )
        return self._run(actor, target, assignment, reservation)

    def _run(
        self,
        actor: ActorHandle[JobActor],
        target: WorkerTarget,
        assignment: WorkerAssignment,
        reservation: _Reservation,
    ) -> ActorRun:
        """Hand the actor its one run call; its handle, watched through `join`."""
        try:
            actor.run.remote(target, assignment)
            return ActorRun(actor, actor.join.remote(), reservation.group)
        except BaseException:
            # The job is released as unstarted; an actor with no run must not linger.
            ray = self._connect()
            ray.kill(actor, no_restart=True)
            _remove_group(reservation.group)
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
            if (group := _actor_run(run).group) is not None:
                _remove_group(group)
            try:
                ray.get(ref)
                ended.append(Ended(run, "Ray worker ended without recording the outcome", True))
            except ray.exceptions.RayActorError as exc:
                reason = _reason(exc)
                clean = _INTENDED_EXIT in str(exc) or _GROUP_REMOVED in str(exc)
                description = (
                    "Ray worker ended without recording how the job ended"
                    if clean
                    else f"Ray actor {actor_name(run.job_id, run.worker)} died: {reason}"
                )
                ended.append(Ended(run, description, clean))
            except ray.exceptions.ActorPlacementGroupRemoved:
                # Its group goes only when its run ended (the actor removes it) or was stopped.
                ended.append(Ended(run, "Ray worker ended without recording the outcome", True))
            except ray.exceptions.RayError as exc:
                ended.append(Ended(run, f"Ray run failed: {_reason(exc)}", False))
        return ended

    def stop(self, run: Run) -> None:
        """Kill the run's actor (a cancel no worker can hear; never at shutdown)."""
        ray = self._connect()
        handle = _actor_run(run)
        ray.kill(handle.actor, no_restart=True)
        if handle.group is not None:
            _remove_group(handle.group)

    def adopt(self, job_id: str, worker: str) -> ActorRun | None:
        """Find the run's actor by name and watch it; None when it no longer exists."""
        ray = self._connect()
        from ray.util.placement_group import get_placement_group

        try:
            group: PlacementGroup | None = get_placement_group(group_name(worker))
        except ValueError:
            group = None  # a run started before runs had groups, or its group is gone
        try:
            actor = ray.get_actor(actor_name(job_id, worker), namespace=self.settings.ray_namespace)
        except ValueError:
            if group is not None:
                _remove_group(group)
            return None
        return ActorRun(actor, actor.join.remote(), group)

    def close(self) -> None:
        """Disconnect the driver; detached actors keep running."""
        import ray

        if self._actor_class is not None and ray.is_initialized():
            for worker in list(self._reservations):
                self.unplace(worker)
            ray.shutdown()
        self._actor_class = None

    def start_session(self, assignment: SessionAssignment) -> ActorRun:
        """Create the model's detached actor in the reservation `place` made for its worker,
        and start the session worker there; it outlives every API replica."""
        ray = self._connect()
        assignment = dataclasses.replace(assignment, settings=self._worker_settings())
        reservation = self._reservations.pop(assignment.worker)
        name = session_actor_name(assignment.model_id, assignment.worker)
        actor = self._session_class.options(**self._options(name, reservation.group)).remote()
        try:
            actor.serve.remote(self.session_target, assignment)
            return ActorRun(actor, actor.join.remote(), reservation.group, name)
        except BaseException:
            # The model is declared lost; an actor with no session must not linger.
            ray.kill(actor, no_restart=True)
            _remove_group(reservation.group)
            raise

    def session_ended(self, handle: RunHandle) -> str | None:
        """How a session actor ended (its reservation then given back); None while it runs."""
        ray = self._connect()
        assert isinstance(handle, ActorRun), "a Ray executor runs only Ray actors"
        ready, _ = ray.wait([handle.done], timeout=0, fetch_local=False)
        if not ready:
            return None
        if handle.group is not None:
            _remove_group(handle.group)
        try:
            ray.get(handle.done)
        except ray.exceptions.RayActorError as exc:
            if _INTENDED_EXIT in str(exc) or _GROUP_REMOVED in str(exc):
                return "its Ray actor ended"
            return f"its Ray actor {handle.name} died: {_reason(exc)}"
        except ray.exceptions.RayError as exc:
            return f"its Ray actor failed: {_reason(exc)}"
        return "its Ray actor ended"

    def stop_session(self, handle: RunHandle) -> None:
        """Kill a session actor (its model was declared lost) and give back its reservation."""
        ray = self._connect()
        assert isinstance(handle, ActorRun), "a Ray executor runs only Ray actors"
        ray.kill(handle.actor, no_restart=True)
        if handle.group is not None:
            _remove_group(handle.group)

    def adopt_session(self, model_id: str, worker: str) -> ActorRun | None:
        """The session actor another leader started, found by the name its model row gives;
        None when it is gone (its heartbeat then stops, and the model is declared lost)."""
        ray = self._connect()
        from ray.util.placement_group import get_placement_group

        name = session_actor_name(model_id, worker)
        try:
            actor = ray.get_actor(name, namespace=self.settings.ray_namespace)
        except ValueError:
            return None
        try:
            group: PlacementGroup | None = get_placement_group(group_name(worker))
        except ValueError:
            group = None
        return ActorRun(actor, actor.join.remote(), group, name)


def _actor_run(run: Run) -> ActorRun:
    """The Ray handle of a run this executor started or adopted."""
    assert isinstance(run.handle, ActorRun), "a Ray executor runs only Ray actors"
    return run.handle


def _reason(exc: BaseException) -> str:
    """The sentence of a Ray error that says why (its last non-empty line)."""
    lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
    return lines[-1] if lines else type(exc).__name__


def _remove_group(group: PlacementGroup) -> None:
    """Remove a placement group; one already removed (by its actor) is no error."""
    from ray.util.placement_group import remove_placement_group

    try:
        remove_placement_group(group)
    except Exception as exc:
        logger.debug("placement group already gone: %s", exc)


def _bundles_in(resources: dict[str, float], bundle: dict[str, float]) -> int:
    """How many `bundle`s `resources` hold at once."""
    return min(int(resources.get(name, 0.0) // amount) for name, amount in bundle.items())


def _describe(resources: dict[str, float]) -> str:
    """CPUs and GPUs in words: "2 CPUs, 0 GPUs"."""
    cpus, gpus = resources.get("CPU", 0.0), resources.get("GPU", 0.0)
    return f"{cpus:g} CPU{'' if cpus == 1 else 's'}, {gpus:g} GPU{'' if gpus == 1 else 's'}"
