"""The sandbox of python graders: each run is a fresh interpreter that confines itself.

A grader's source is code sent by a client, so it never runs in the API or a training process.
`PythonSandbox.run` starts `sys.executable -I -S -B sandbox_runner.py` (isolated mode, no site,
no bytecode written) with an empty environment (the server's secrets are not inherited), in a
session of its own, with a fresh private temporary directory as its working directory. The
request (source, sample, item, limits) goes in through a file on stdin; the result comes back
as one JSON line in a file on stdout, so that neither a grader that prints gigabytes nor one
that never reads can block or bloat the server. service/graders/sandbox_runner.py describes
how the child confines itself (namespaces, Landlock, rlimits, seccomp). From here: a wall-clock
deadline after which the whole session is killed, and the directory removed whatever happened.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import math
import os
import shutil
import signal
import sys
import sysconfig
import tempfile
import weakref
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from service.core.config import Settings
from service.core.wire import JSONObject, JSONValue

RUNNER = Path(__file__).with_name("sandbox_runner.py")
# Largest file the grader may write, and the most of its stdout/stderr files read back.
FILE_LIMIT_BYTES = 16 * 1024 * 1024
RESULT_READ_BYTES = 64 * 1024
STDERR_TAIL_BYTES = 2000
# A fresh interpreter needs a moment before the grader's own time starts.
STARTUP_GRACE_SECONDS = 1.0
_SYSTEM_LIBRARIES = ("/lib", "/lib64", "/usr/lib", "/usr/lib64", "/etc/ld.so.cache")


@dataclass(frozen=True)
class SandboxConfig:
    """Limits of one python grader run."""

    timeout_seconds: float
    memory_bytes: int
    # Strict: refuse to run when the kernel will not give namespaces, Landlock or seccomp.
    strict: bool = True
    max_concurrent: int = max(1, os.cpu_count() or 1)


@dataclass(frozen=True)
class PythonOutcome:
    """What a run gave: a score, or an error as RunGraderResponse reports it."""

    score: float | None = None
    # "runtime": the grader failed (raised, no number, over a limit); "server": we did.
    error: str | None = None
    details: str | None = None
    server_error_type: str | None = None


def sandbox_config(settings: Settings) -> SandboxConfig | None:
    """How python graders are confined, from the settings; None where they are off."""
    if not settings.python_graders_enabled:
        return None
    return SandboxConfig(
        timeout_seconds=settings.python_grader_timeout_seconds,
        memory_bytes=settings.python_grader_memory_bytes,
        strict=settings.python_grader_sandbox == "strict",
    )


def _package_paths() -> list[str]:
    # The server's installed packages (numpy, ...), readable by graders as on OpenAI's image;
    # with -S the child would not find a virtual environment's site-packages by itself.
    paths = sysconfig.get_paths()
    return sorted({paths["purelib"], paths["platlib"]})


def _read_paths(packages: list[str]) -> list[str]:
    roots = {sys.base_prefix, sys.base_exec_prefix, sys.prefix, sys.exec_prefix}
    return sorted(roots | set(packages) | set(_SYSTEM_LIBRARIES))


# One semaphore per event loop: a TestClient runs its own loop, and asyncio primitives belong
# to the loop they were first used on.
_limits: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Semaphore] = (
    weakref.WeakKeyDictionary()
)


def _semaphore(size: int) -> asyncio.Semaphore:
    loop = asyncio.get_running_loop()
    semaphore = _limits.get(loop)
    if semaphore is None:
        semaphore = _limits[loop] = asyncio.Semaphore(size)
    return semaphore


class PythonSandbox:
    """Runs python graders, at most `max_concurrent` at a time per event loop."""

    def __init__(self, config: SandboxConfig):
        self.config = config
        self._packages = _package_paths()
        self._read = _read_paths(self._packages)

    async def run(self, source: str, sample: JSONObject, item: JSONValue) -> PythonOutcome:
        """grade(sample, item) of `source`, in a sandboxed process."""
        request = {
            "source": source,
            "sample": sample,
            "item": item,
            "strict": self.config.strict,
            "cpu_seconds": max(1, math.ceil(self.config.timeout_seconds)),
            "memory_bytes": self.config.memory_bytes,
            "file_bytes": FILE_LIMIT_BYTES,
            "read_paths": self._read,
            "package_paths": self._packages,
        }
        async with _semaphore(self.config.max_concurrent):
            base = await asyncio.to_thread(_prepare, json.dumps(request).encode())
            try:
                return await self._run_in(base)
            finally:
                await asyncio.to_thread(shutil.rmtree, base, True)

    async def _run_in(self, base: Path) -> PythonOutcome:
        with (
            open(base / "request.json", "rb") as stdin,
            open(base / "result", "w+b") as stdout,
            open(base / "stderr", "w+b") as stderr,
        ):
            try:
                process = await asyncio.create_subprocess_exec(
                    sys.executable,
                    "-I",
                    "-S",
                    "-B",
                    str(RUNNER),
                    stdin=stdin,
                    stdout=stdout,
                    stderr=stderr,
                    cwd=base / "work",
                    env={},
                    start_new_session=True,
                )
            except OSError as exc:
                return PythonOutcome(
                    error="server", details=str(exc), server_error_type="spawn_failed"
                )
            deadline = self.config.timeout_seconds + STARTUP_GRACE_SECONDS
            try:
                await asyncio.wait_for(process.wait(), deadline)
                timed_out = False
            except TimeoutError:
                timed_out = True
            finally:
                # The whole session: the runner, and the grader if it outlived it.
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.killpg(process.pid, signal.SIGKILL)
                await process.wait()
            if timed_out:
                return PythonOutcome(
                    error="runtime",
                    details=f"The grader did not finish within the wall-clock limit of "
                    f"{self.config.timeout_seconds:g} s.",
                )
            stdout.seek(0)
            output = stdout.read(RESULT_READ_BYTES)
            stderr.seek(0, os.SEEK_END)
            stderr.seek(max(0, stderr.tell() - STDERR_TAIL_BYTES))
            tail = stderr.read().decode(errors="replace")
        return self._outcome(output, tail, process.returncode)

    def _outcome(self, output: bytes, stderr_tail: str, returncode: int | None) -> PythonOutcome:
        lines = [line for line in output.decode(errors="replace").splitlines() if line.strip()]
        try:
            result = json.loads(lines[-1]) if lines else None
        except ValueError:
            result = None
        if not isinstance(result, dict):
            details = f"The grader process exited ({returncode}) without a result."
            if stderr_tail.strip():
                details += f" Its last output: {stderr_tail.strip()}"
            return PythonOutcome(error="runtime", details=details)
        if result.get("error") is None and isinstance(result.get("score"), int | float):
            return PythonOutcome(score=float(result["score"]))
        kind = result.get("error")
        if kind == "sandbox":
            return PythonOutcome(
                error="server",
                details=f"The sandbox is not available here ({result.get('details')}); see "
                "WHETSTONE_PYTHON_GRADER_SANDBOX.",
                server_error_type="sandbox_unavailable",
            )
        if kind == "signal":
            return PythonOutcome(error="runtime", details=self._signal_details(result))
        if kind == "exit":
            return PythonOutcome(
                error="runtime",
                details=f"The grader exited with status {result.get('code')} before returning.",
            )
        return PythonOutcome(error="runtime", details=str(result.get("details") or "failed"))

    def _signal_details(self, result: dict[str, Any]) -> str:
        number = int(result.get("signal", 0))
        cpu = float(result.get("cpu_seconds", 0.0))
        limit = max(1, math.ceil(self.config.timeout_seconds))
        if number in (signal.SIGXCPU, signal.SIGKILL) and cpu >= limit - 0.5:
            return f"The grader exceeded its CPU time limit of {limit} s."
        try:
            name = signal.Signals(number).name
        except ValueError:
            name = str(number)
        return f"The grader was killed by signal {name}."


def _prepare(request: bytes) -> Path:
    base = Path(tempfile.mkdtemp(prefix="whetstone-grader-"))
    (base / "work").mkdir(mode=0o700)
    (base / "request.json").write_bytes(request)
    return base
