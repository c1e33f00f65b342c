"""Tinker sessions against `whetstone serve`, driven by the tinker 0.38 SDK, when processes
die: a session worker killed mid-session fails its pending future with category `server`, and
a new training client resumes from the last save_state with the same loss; a server killed
alone (its session worker goes on) is replaced by a new one on the same data, which adopts the
worker: the training client goes on with no state lost."""

from __future__ import annotations

import contextlib
import os
import signal
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
import tinker
from tinker import types

from tests.harness import ServerProcess

pytestmark = pytest.mark.e2e

MODEL = "whetstone-tiny"
API_KEY = "tml-e2e-recovery"
ADAM = types.AdamParams(learning_rate=2e-2)
# Short beats so a dead worker is noticed quickly; a slot per training client of the module.
ENV = {"WHETSTONE_TINKER_WORKER_HEARTBEAT_SECONDS": "0.5", "WHETSTONE_CPU_SLOTS": "3"}
# Losses compared after a resume: the state is restored exactly, up to float32 sums.
TOLERANCE = 1e-5


def _datum(tokens: list[int]) -> types.Datum:
    return types.Datum(
        model_input=types.ModelInput.from_ints(tokens[:-1]),
        loss_fn_inputs={
            "target_tokens": types.TensorData.from_numpy(np.array(tokens[1:], dtype=np.int64)),
            "weights": types.TensorData.from_numpy(np.ones(len(tokens) - 1, dtype=np.float32)),
        },
    )


BATCH = [_datum([5, 17, 42, 8, 99, 100, 101]), _datum([5, 23, 7, 64, 65])]


class Servers:
    """The module's server, and the one that replaces it on the same data."""

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir
        self.started = [ServerProcess(data_dir, env=ENV).start()]

    @property
    def current(self) -> ServerProcess:
        """The server answering now."""
        return self.started[-1]

    def replace(self) -> ServerProcess:
        """A new server on the same data and port (the SDK's base URL)."""
        old = self.current
        new = ServerProcess(self.data_dir, env=ENV)
        new.port, new.base_url = old.port, old.base_url
        self.started.append(new.start())
        return new

    def stop(self) -> None:
        """End every server and whatever it started, orphaned session workers included (they
        stay in the process group of the server that started them)."""
        for server in self.started:
            server.stop()
            with contextlib.suppress(ProcessLookupError):
                os.killpg(server.pid, signal.SIGKILL)


@pytest.fixture(scope="module")
def servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Servers]:
    """One server for the module; the restart test replaces it."""
    started = Servers(Path(tmp_path_factory.mktemp("recovery")))
    yield started
    started.stop()


@pytest.fixture(scope="module")
def service(servers: Servers) -> Iterator[tinker.ServiceClient]:
    """The SDK's ServiceClient on the server's root; closed before the servers stop, so that
    its heartbeat thread does not outlive them."""
    client = tinker.ServiceClient(base_url=servers.current.base_url, api_key=API_KEY)
    yield client
    client.close("success").result()


def _step(client: tinker.TrainingClient) -> None:
    backward = client.forward_backward(BATCH, "cross_entropy")
    client.optim_step(ADAM).result()
    backward.result()


def _loss(client: tinker.TrainingClient) -> float:
    return float(client.forward(BATCH, "cross_entropy").result().metrics["loss:sum"])


def _session_workers(server: ServerProcess) -> set[int]:
    """Process ids of the server's session (and job) workers: children of its forkserver."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError, IndexError, ValueError):
                stat = (entry / "stat").read_text()
                parents[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
    forkservers = {
        pid
        for pid, parent in parents.items()
        if parent == server.pid and b"forkserver" in _cmdline(pid)
    }
    return {pid for pid, parent in parents.items() if parent in forkservers}


def _cmdline(pid: int) -> bytes:
    with contextlib.suppress(OSError):
        return Path(f"/proc/{pid}/cmdline").read_bytes()
    return b""


def test_a_killed_worker_fails_the_pending_future_and_the_last_save_resumes(
    servers: Servers, service: tinker.ServiceClient
) -> None:
    before = _session_workers(servers.current)
    client = service.create_lora_training_client(base_model=MODEL, rank=8, seed=0).result()
    (worker,) = _session_workers(servers.current) - before
    for _ in range(2):
        _step(client)
    saved = client.save_state("before-crash").result()
    expected = _loss(client)

    # Frozen, the worker cannot finish the next request before it dies.
    os.kill(worker, signal.SIGSTOP)
    pending = client.forward(BATCH, "cross_entropy")
    os.kill(worker, signal.SIGKILL)
    with pytest.raises(tinker.RequestFailedError) as failure:
        pending.result()
    assert failure.value.category == types.RequestErrorCategory.Server
    # The error names what to resume from.
    assert "load_state" in failure.value.message and saved.path in failure.value.message

    resumed = service.create_training_client_from_state_with_optimizer(saved.path).result()
    assert _loss(resumed) == pytest.approx(expected, rel=TOLERANCE, abs=TOLERANCE)


def test_a_restarted_server_adopts_the_session_and_loses_nothing(
    servers: Servers, service: tinker.ServiceClient
) -> None:
    client = service.create_lora_training_client(base_model=MODEL, rank=8, seed=3).result()
    _step(client)
    saved = client.save_state("before-restart").result()

    # Only the server dies; its session worker goes on, and a new server adopts it.
    os.kill(servers.current.pid, signal.SIGKILL)
    servers.current.process.wait(timeout=30)  # type: ignore[union-attr]
    servers.replace()

    # The same training client goes on: its model kept the weights and the optimizer's
    # moments, as a fresh load of the state saved just before the crash shows.
    reference = service.create_training_client_from_state_with_optimizer(saved.path).result()
    assert _loss(client) == pytest.approx(_loss(reference), rel=TOLERANCE, abs=TOLERANCE)
    _step(client)
    _step(reference)
    assert _loss(client) == pytest.approx(_loss(reference), rel=TOLERANCE, abs=TOLERANCE)
