"""Test harness: a real `whetstone serve` process, and a real moto S3 server process."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Mapping
from pathlib import Path

import httpx

REPO_ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    """A TCP port that is free on 127.0.0.1 right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_http(url: str, *, timeout: float, process: subprocess.Popen | None = None) -> None:
    """Poll `url` until it answers 2xx; fail early if `process` exits."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"process exited with {process.returncode} before {url} answered")
        try:
            if httpx.get(url, timeout=1.0).status_code < 300:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise TimeoutError(f"{url} did not answer within {timeout}s")


class ServerProcess:
    """`python -m service serve` on a free port with its own data dir and environment."""

    def __init__(self, data_dir: Path, env: Mapping[str, str] | None = None):
        self.data_dir = data_dir
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.extra_env = dict(env or {})
        self.process: subprocess.Popen | None = None
        self.log_path = data_dir / f"server-{self.port}.log"

    def start(self, timeout: float = 60.0) -> ServerProcess:
        """Start the process and wait until /healthz answers."""
        self.data_dir.mkdir(parents=True, exist_ok=True)
        env = {key: value for key, value in os.environ.items() if not key.startswith("WHETSTONE_")}
        env.update(
            {
                "WHETSTONE_DATA_DIR": str(self.data_dir),
                "WHETSTONE_PORT": str(self.port),
                "WHETSTONE_LOG_LEVEL": "info",
                "PYTHONUNBUFFERED": "1",
                "PYTHONPATH": str(REPO_ROOT),
                "OMP_NUM_THREADS": env.get("OMP_NUM_THREADS", "1"),
                **self.extra_env,
            }
        )
        log = self.log_path.open("ab")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "service", "serve", "--port", str(self.port)],
            cwd=self.data_dir,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        wait_for_http(f"{self.base_url}/healthz", timeout=timeout, process=self.process)
        return self

    @property
    def pid(self) -> int:
        """The server's process id."""
        assert self.process is not None
        return self.process.pid

    def log(self) -> str:
        """What the server printed so far."""
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def kill(self) -> None:
        """SIGKILL the server and everything it spawned (a crash, not a shutdown)."""
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=30)

    def stop(self) -> None:
        """SIGTERM, then SIGKILL after 15 s."""
        if self.process is None or self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.kill()


class MotoServer:
    """moto's S3-compatible server as a separate process on 127.0.0.1."""

    def __init__(self) -> None:
        self.port = free_port()
        self.endpoint_url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen | None = None

    def start(self) -> MotoServer:
        """Start `moto_server` and wait until it answers."""
        executable = shutil.which("moto_server") or str(
            Path(sys.executable).with_name("moto_server")
        )
        self.process = subprocess.Popen(
            [executable, "-H", "127.0.0.1", "-p", str(self.port)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_for_http(f"{self.endpoint_url}/moto-api/", timeout=30, process=self.process)
        return self

    def stop(self) -> None:
        """Terminate the server."""
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=10)


# Without it Ray binds the machine's external interface; tests use loopback only.
RAY_LOOPBACK_ENV = {"RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER": "0"}


class RayHead:
    """`ray start --head --block` on 127.0.0.1 in its own process group, stopped by its id."""

    def __init__(self, log_path: Path, env: Mapping[str, str] | None = None, num_cpus: int = 2):
        self.port = free_port()
        self.address = f"127.0.0.1:{self.port}"
        self.log_path = log_path
        self.num_cpus = num_cpus
        self.extra_env = dict(env or {})
        self.process: subprocess.Popen | None = None

    def start(self, timeout: float = 60.0) -> RayHead:
        """Start the head and wait until its GCS accepts connections."""
        executable = shutil.which("ray") or str(Path(sys.executable).with_name("ray"))
        env = {key: value for key, value in os.environ.items() if not key.startswith("WHETSTONE_")}
        # Actors import `service` (and test targets from `tests`) from this checkout.
        env.update({"PYTHONPATH": str(REPO_ROOT), **RAY_LOOPBACK_ENV, **self.extra_env})
        self.process = subprocess.Popen(
            [
                executable,
                "start",
                "--head",
                "--block",
                "--node-ip-address=127.0.0.1",
                f"--port={self.port}",
                f"--num-cpus={self.num_cpus}",
                "--include-dashboard=false",
                "--disable-usage-stats",
            ],
            env=env,
            stdout=self.log_path.open("ab"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"ray start exited with {self.process.returncode}")
            with socket.socket() as sock:
                if sock.connect_ex(("127.0.0.1", self.port)) == 0:
                    return self
            time.sleep(0.2)
        raise TimeoutError(f"the Ray head did not listen on {self.address} within {timeout}s")

    def stop(self) -> None:
        """SIGKILL the head's process group: the GCS, the raylet and every actor's worker."""
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=30)
