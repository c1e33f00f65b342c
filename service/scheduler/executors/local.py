"""The local executor: one worker process per job, on this machine's device slots.

Training runs in child processes, so a crash or an OOM kill takes down one job, never the
server. They are forked from a forkserver, which imports torch, transformers and peft once: a
job then starts in a fraction of a second instead of paying that import (about 4 s of CPU)
every time. The scheduler starts it (warm_up) as soon as a first job is to be validated (or
re-queued after a crash), so that the import overlaps the validation of the job's files (or
the server's start) rather than delaying its worker, whose start it used to double; a server
that never trains never imports torch (about 4 s of CPU and a few hundred MB of memory
spared). The forkserver is a fresh process started by the server, never the server itself,
so no thread, CUDA context or open connection of the server is ever forked, and it never runs
torch, so none of its own either.

A worker ends soon after its server dies (its orphan watch), so runs never outlive the server:
the next leader re-queues their jobs from their latest checkpoint. Tinker session workers are
the exception: they have no orphan watch and are not joined at the server's exit, so a
restarted server adopts them (service/scheduler/sessions.py).

A sharded job (assignment.gang) runs as one process per rank, started the way torchrun starts
them (a free port on 127.0.0.1 as the rendezvous, RANK, WORLD_SIZE and LOCAL_RANK; gloo between
CPU processes, NCCL between CUDA devices), each in `run_rank`. The scheduler sees the gang as
one run: when any rank dies the others are ended at once, and the job is requeued whole, to
resume from its last sharded checkpoint.
"""

from __future__ import annotations

import dataclasses
import multiprocessing
import multiprocessing.forkserver
import multiprocessing.process
import signal
import socket
from dataclasses import dataclass
from multiprocessing.process import BaseProcess

from service.core.config import Settings
from service.core.ids import random_token
from service.scheduler.executors import (
    Ended,
    RankTarget,
    Run,
    RunHandle,
    SessionTarget,
    WorkerTarget,
)
from service.scheduler.sessions import SessionAssignment, run_session_worker
from service.scheduler.slots import DeviceSlot, discover_slots
from service.scheduler.worker import WorkerAssignment, run_rank
from service.training.contract import RankContext

# Where a gang's ranks meet (torchrun's default for a single node).
MASTER_ADDR = "127.0.0.1"

# A worker that ignores its release gets this long before SIGKILL at shutdown (seconds).
STOP_GRACE_SECONDS = 2.0
# Imported once by the forkserver, inherited by every worker (a module that fails to import is
# skipped by Python, and the worker imports it itself). The signal module goes first, so that
# the forkserver ignores a group-wide SIGTERM even while torch imports.
FORKSERVER_PRELOAD = [
    "service.scheduler.executors.forkserver_signals",
    "torch",
    "transformers",
    "peft",
    "service.training.recipe",
]


class LocalExecutor:
    """Worker processes of this server, one per device slot."""

    outlives_server = False

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
        self.rank_target = rank_target
        self.session_target = session_target
        self._context = multiprocessing.get_context("forkserver")
        self._context.set_forkserver_preload(FORKSERVER_PRELOAD)
        self._forkserver_started = False

    def slots(self) -> list[DeviceSlot]:
        """This machine's CUDA devices, else its CPU slots."""
        return discover_slots(self.settings)

    def ensure_ready(self) -> None:
        """Always ready: a worker's start starts the forkserver if warm_up has not."""

    def warm_up(self) -> None:
        """Start the forkserver if it is not running; it imports in the background."""
        if not self._forkserver_started:
            # Returns once the process is spawned; a first job's fork waits for its imports.
            multiprocessing.forkserver.ensure_running()
            self._forkserver_started = True

    def token(self, scheduler: str, slot: DeviceSlot) -> str:
        """`<scheduler>/<slot>/<random>`."""
        return f"{scheduler}/{slot.index}/{random_token(8)}"

    def place(self, slot: DeviceSlot, worker: str, *, devices: int = 1) -> None:
        """Nothing to reserve: a slot is a device of this machine, free while no run holds it
        (a gang's slots are the scheduler's to count)."""

    def unplace(self, worker: str) -> None:
        """Nothing was reserved."""

    def start(self, assignment: WorkerAssignment) -> BaseProcess | Gang:
        """Spawn the worker process, or a sharded job's rank processes."""
        if assignment.gang:
            return self._start_gang(assignment)
        process = self._context.Process(
            target=self.target, args=(assignment,), name=f"whetstone-worker-{assignment.job_id}"
        )
        process.start()
        return process

    def _start_gang(self, assignment: WorkerAssignment) -> Gang:
        port = free_port()
        world_size = len(assignment.gang)
        processes: list[BaseProcess] = []
        for index, device in enumerate(assignment.gang):
            cuda = device.startswith("cuda")
            rank = RankContext(
                rank=index,
                world_size=world_size,
                # torch.cuda.set_device's index; a CPU rank's place on this machine.
                local_rank=int(device.split(":")[1]) if cuda else index,
                master_addr=MASTER_ADDR,
                master_port=port,
                backend="nccl" if cuda else "gloo",
            )
            process = self._context.Process(
                target=self.rank_target,
                args=(dataclasses.replace(assignment, device=device), rank),
                name=f"whetstone-worker-{assignment.job_id}-rank{index}",
            )
            process.start()
            processes.append(process)
        return Gang(processes)

    def ended(self, runs: list[Run]) -> list[Ended]:
        """The runs whose process exited (a gang: every rank, or any one that failed), with
        how; a failed rank's gang is ended whole."""
        ended = []
        for run in runs:
            if isinstance(run.handle, Gang):
                end = _gang_end(run.handle)
                if end is not None:
                    ended.append(Ended(run, *end))
                continue
            process = _process(run)
            if process.is_alive():
                continue
            process.join(0)
            ended.append(Ended(run, describe_exit(process.exitcode), process.exitcode == 0))
        return ended

    def stop(self, run: Run) -> None:
        """SIGKILL the worker, or every rank (they ignore SIGTERM), and reap them."""
        processes = run.handle.processes if isinstance(run.handle, Gang) else [_process(run)]
        _kill(processes)

    def adopt(self, job_id: str, worker: str) -> None:
        """Another server's worker processes cannot be supervised from here."""
        return None

    def close(self) -> None:
        """Nothing held."""

    def start_session(self, assignment: SessionAssignment) -> BaseProcess:
        """Fork the session worker; unlike a job's, it is not joined when the server exits."""
        process = self._context.Process(
            target=self.session_target,
            args=(assignment,),
            name=f"whetstone-session-{assignment.model_id}",
        )
        process.start()
        # multiprocessing joins every child it knows of at the interpreter's exit: a server
        # stopping would wait for the session to end, which is exactly what must not happen.
        multiprocessing.process._children.discard(process)  # type: ignore[attr-defined]
        return process

    def session_ended(self, handle: RunHandle) -> str | None:
        """How the session worker's process ended, or None while it runs."""
        assert isinstance(handle, BaseProcess), "a local executor runs only local workers"
        if handle.is_alive():
            return None
        handle.join(0)
        return describe_exit(handle.exitcode)

    def stop_session(self, handle: RunHandle) -> None:
        """SIGKILL the session worker and reap it."""
        assert isinstance(handle, BaseProcess), "a local executor runs only local workers"
        _kill([handle])

    def adopt_session(self, model_id: str, worker: str) -> None:
        """Another server's worker process cannot be watched from here: its heartbeat can."""
        return None


@dataclass
class Gang:
    """A sharded job's rank processes, rank 0 first."""

    processes: list[BaseProcess]

    @property
    def pid(self) -> int | None:
        """Rank 0's process id."""
        return self.processes[0].pid


def _gang_end(gang: Gang) -> tuple[str, bool] | None:
    """How a gang ended (a description, and whether cleanly), or None while it runs: every
    rank exited 0, or one failed and the others were ended."""
    for index, process in enumerate(gang.processes):
        if process.is_alive() or process.exitcode in (None, 0):
            continue
        # One rank is gone: the others would wait on it in their next collective.
        _kill(gang.processes)
        description = f"Rank {index} of {len(gang.processes)}: {describe_exit(process.exitcode)}"
        return description + "; the job's other ranks were stopped", False
    if any(process.is_alive() for process in gang.processes):
        return None
    for process in gang.processes:
        process.join(0)
    return describe_exit(gang.processes[0].exitcode), True


def _kill(processes: list[BaseProcess]) -> None:
    for process in processes:
        if process.is_alive():
            process.kill()
    for process in processes:
        process.join(STOP_GRACE_SECONDS)


def free_port() -> int:
    """A TCP port free on MASTER_ADDR now, for a gang's rendezvous (torchrun's way: bind to
    port 0 and let the kernel choose)."""
    with socket.socket() as probe:
        probe.bind((MASTER_ADDR, 0))
        port: int = probe.getsockname()[1]
        return port


def _process(run: Run) -> BaseProcess:
    """The worker process of a run this executor started."""
    assert isinstance(run.handle, BaseProcess), "a local executor runs only local workers"
    return run.handle


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
