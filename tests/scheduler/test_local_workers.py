"""Local workers come from a forkserver that preloads torch, and still end with their server."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from tests.harness import REPO_ROOT

# A "server": a LocalExecutor whose worker runs the real orphan watch, then waits forever and
# reports whether torch came already imported (from the forkserver) and its own pid.
SERVER = """
import sys, time
from pathlib import Path
from service.core.config import Settings
from service.scheduler.executors.local import LocalExecutor
from tests.scheduler.test_local_workers import worker
from service.scheduler.worker import WorkerAssignment
import os

out = Path(sys.argv[1])
executor = LocalExecutor(Settings(data_dir=out), worker)
for name in ("first", "second"):
    assignment = WorkerAssignment(
        settings=Settings(data_dir=out / name), job_id=name, worker=name, device="cpu",
        threads=1, parent_pid=os.getpid(),
    )
    executor.start(assignment)
    while not (out / name / "pid").exists():
        time.sleep(0.05)
print("ready", flush=True)
time.sleep(600)
"""


def worker(assignment) -> None:
    """Start the orphan watch as run_worker does, then wait to be ended."""
    from service.scheduler.worker import _exit_when_orphaned

    had_torch = "torch" in sys.modules
    started = time.monotonic()
    import torch  # noqa: F401

    directory = assignment.settings.data_dir
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "import").write_text(f"{had_torch} {time.monotonic() - started:.3f}")
    _exit_when_orphaned(assignment.parent_pid)
    (directory / "pid").write_text(str(os.getpid()))
    time.sleep(600)


def alive(pid: int) -> bool:
    """Whether `pid` still runs (a zombie counts as ended)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except FileNotFoundError:
        return False
    return "\nState:\tZ" not in status


def test_workers_start_with_torch_loaded_and_end_when_the_server_is_killed(
    tmp_path: Path,
) -> None:
    server = subprocess.Popen(
        [sys.executable, "-c", SERVER, str(tmp_path)],
        cwd=REPO_ROOT,
        env={**os.environ, "PYTHONPATH": str(REPO_ROOT)},
        stdout=subprocess.PIPE,
        start_new_session=True,
    )
    try:
        assert server.stdout is not None
        assert server.stdout.readline().strip() == b"ready"
        for name in ("first", "second"):
            had_torch, seconds = (tmp_path / name / "import").read_text().split()
            assert had_torch == "True", "the forkserver did not preload torch"
            assert float(seconds) < 0.5
        pids = [int((tmp_path / name / "pid").read_text()) for name in ("first", "second")]
        assert all(alive(pid) for pid in pids)
        os.kill(server.pid, signal.SIGKILL)  # the server alone, not its process group
        deadline = time.monotonic() + 15
        while any(alive(pid) for pid in pids) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not any(alive(pid) for pid in pids), "a worker outlived its server"
    finally:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait(timeout=30)
