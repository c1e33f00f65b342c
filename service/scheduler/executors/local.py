"""The local executor: one worker process per job, on this machine's device slots.

Training runs in child processes, so a crash or an OOM kill takes down one job, never the
server. They are forked from a forkserver, which imports torch, transformers and peft once: a
job then starts in a fraction of a second instead of paying that import (about 4 s of CPU)
every time. The scheduler's first tick starts it (ensure_ready), so that the import overlaps
the server's start and the client's upload rather than delaying the first job, whose
turnaround it used to double. The forkserver is a fresh process started
by the server, never the server itself, so no thread, CUDA context or open connection of the
server is ever forked, and it never runs torch, so none of its own either.

A worker ends soon after its server dies (its orphan watch), so runs never outlive the server:
the next leader re-queues their jobs from their latest checkpoint.
"""

from __future__ import annotations

import multiprocessing
import multiprocessing.forkserver
import signal
from multiprocessing.process import BaseProcess

from service.core.config import Settings
from service.core.ids import random_token
from service.scheduler.executors import Ended, Run, WorkerTarget
from service.scheduler.slots import DeviceSlot, discover_slots
from service.scheduler.worker import WorkerAssignment

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

    def __init__(self, settings: Settings, target: WorkerTarget):
        self.settings = settings
        self.target = target
        self._context = multiprocessing.get_context("forkserver")
        self._context.set_forkserver_preload(FORKSERVER_PRELOAD)
        self._forkserver_started = False

    def slots(self) -> list[DeviceSlot]:
        """This machine's CUDA devices, else its CPU slots."""
        return discover_slots(self.settings)

    def ensure_ready(self) -> None:
        """Start the forkserver if it is not running; it imports in the background."""
        if not self._forkserver_started:
            # Returns once the process is spawned; a first job's fork waits for its imports.
            multiprocessing.forkserver.ensure_running()
            self._forkserver_started = True

    def token(self, scheduler: str, slot: DeviceSlot) -> str:
        """`<scheduler>/<slot>/<random>`."""
        return f"{scheduler}/{slot.index}/{random_token(8)}"

    def place(self, slot: DeviceSlot, worker: str) -> None:
        """Nothing to reserve: a slot is a device of this machine, free while no run holds it."""

    def unplace(self, worker: str) -> None:
        """Nothing was reserved."""

    def start(self, assignment: WorkerAssignment) -> BaseProcess:
        """Spawn the worker process."""
        process = self._context.Process(
            target=self.target, args=(assignment,), name=f"whetstone-worker-{assignment.job_id}"
        )
        process.start()
        return process

    def ended(self, runs: list[Run]) -> list[Ended]:
        """The runs whose process exited, with how."""
        ended = []
        for run in runs:
            process = _process(run)
            if process.is_alive():
                continue
            process.join(0)
            ended.append(Ended(run, describe_exit(process.exitcode), process.exitcode == 0))
        return ended

    def stop(self, run: Run) -> None:
        """SIGKILL the worker (it ignores SIGTERM) and reap it."""
        process = _process(run)
        if process.is_alive():
            process.kill()
        process.join(STOP_GRACE_SECONDS)

    def adopt(self, job_id: str, worker: str) -> None:
        """Another server's worker processes cannot be supervised from here."""
        return None

    def close(self) -> None:
        """Nothing held."""


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
