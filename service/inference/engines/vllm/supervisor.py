"""Where a vLLM base model's requests go: a vLLM server Whetstone runs, or replicas elsewhere.

`VllmProcess` starts one vLLM OpenAI server as a child of `whetstone serve` (through guard.py,
so that no vLLM process outlives it), waits for `/health`, logs start-up progress, and restarts
the server with exponential backoff whenever it dies or stops answering. `VllmReplicas` watches
the `/health` of servers run elsewhere (`vllm_url`) and spreads requests over the healthy ones.

While no server answers, `url()` raises EngineUnavailableError (503, retry-after) at once:
requests never wait on a start-up, and never fall back to the builtin engine.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import os
import signal
import socket
import sys
import time
from collections import deque
from pathlib import Path
from typing import Protocol

import httpx

from service.core.errors import EngineUnavailableError

logger = logging.getLogger("whetstone.inference.vllm")

GUARD = Path(__file__).with_name("guard.py")
# Seconds between health checks of a running server, and failed checks in a row that count it
# dead (a busy CPU server may miss one).
HEALTH_INTERVAL = 2.0
HEALTH_FAILURES = 3
# Backoff between restarts: doubles from the first to the last, reset once a server has run
# this long.
BACKOFF_FIRST, BACKOFF_LAST, BACKOFF_RESET = 1.0, 30.0, 120.0
# Lines of the server's output kept to name the cause when it dies.
TAIL_LINES = 20


class VllmBackend(Protocol):
    """The vLLM server(s) of one base model."""

    # True when the servers run on this host and can load adapters from local paths.
    local: bool
    # Counts (re)starts: a new value means the servers forgot every loaded adapter.
    epoch: int

    async def start(self) -> None:
        """Begin starting or watching the servers; returns at once."""
        ...

    async def stop(self) -> None:
        """Stop the servers Whetstone runs; stop watching."""
        ...

    def url(self) -> str:
        """The base URL of a server ready for a request; EngineUnavailableError if none is."""
        ...

    def failed(self, url: str) -> None:
        """A request could not reach `url`: check its health now."""
        ...

    def healthy_urls(self) -> list[str]:
        """Every server that answers now (an unload goes to each)."""
        ...


def free_port() -> int:
    """A TCP port free on 127.0.0.1 now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


class VllmProcess:
    """One vLLM server run and restarted by Whetstone, on this host."""

    local = True

    def __init__(
        self,
        name: str,
        command: list[str],
        *,
        env: dict[str, str],
        port: int,
        log_path: Path,
        start_timeout: float,
    ):
        self.name = name
        self.command = command
        self.env = env
        self.port = port
        self.log_path = log_path
        self.start_timeout = start_timeout
        self.epoch = 0
        self._base = f"http://127.0.0.1:{port}"
        self._ready = False
        self._process: asyncio.subprocess.Process | None = None
        self._task: asyncio.Task[None] | None = None
        self._check = asyncio.Event()
        self._stopping = False

    @property
    def pid(self) -> int | None:
        """The guard process's id (its process group holds the whole server)."""
        return None if self._process is None else self._process.pid

    async def start(self) -> None:
        """Start the server and its supervision in the background."""
        self._task = asyncio.create_task(self._supervise(), name=f"vllm-{self.name}")

    async def stop(self) -> None:
        """Stop supervising and end the server's whole process group."""
        self._stopping = True
        self._ready = False
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        await self._end_process()

    def url(self) -> str:
        """The server's URL when it answers; EngineUnavailableError while it (re)starts."""
        if not self._ready:
            raise _unavailable(self.name)
        return self._base

    def failed(self, url: str) -> None:
        """A request could not reach the server: check it now rather than at the next tick."""
        self._check.set()

    def healthy_urls(self) -> list[str]:
        """The server's URL while it answers."""
        return [self._base] if self._ready else []

    async def _supervise(self) -> None:
        backoff = BACKOFF_FIRST
        async with httpx.AsyncClient(timeout=httpx.Timeout(5.0, connect=1.0)) as client:
            while not self._stopping:
                started = time.monotonic()
                cause = await self._run_once(client)
                self._ready = False
                if self._stopping:
                    return
                if time.monotonic() - started > BACKOFF_RESET:
                    backoff = BACKOFF_FIRST
                logger.warning(
                    "vLLM server of %s %s; restarting in %.0f s. Its last output:\n%s",
                    self.name,
                    cause,
                    backoff,
                    self._tail(),
                )
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, BACKOFF_LAST)

    async def _run_once(self, client: httpx.AsyncClient) -> str:
        """Start the server, wait until it answers, watch it; return why it ended."""
        self.epoch += 1
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        with self.log_path.open("ab") as log:
            logger.info("starting vLLM for %s: %s", self.name, " ".join(self.command))
            self._process = await asyncio.create_subprocess_exec(
                sys.executable,
                str(GUARD),
                str(os.getpid()),
                *self.command,
                stdin=asyncio.subprocess.DEVNULL,
                stdout=log,
                stderr=log,
                env=self.env,
                # The guard leads a process group of its own, which holds every vLLM process.
                start_new_session=True,
            )
        process = self._process
        try:
            started = time.monotonic()
            next_report = started + 10
            while not await _healthy(client, self._base):
                if process.returncode is not None:
                    return f"exited while starting (code {process.returncode})"
                now = time.monotonic()
                if now - started > self.start_timeout:
                    return f"did not answer within {self.start_timeout:.0f} s"
                if now >= next_report:
                    logger.info("vLLM for %s still starting (%.0f s)", self.name, now - started)
                    next_report = now + 10
                await asyncio.sleep(0.5)
            logger.info("vLLM for %s ready in %.1f s", self.name, time.monotonic() - started)
            self._ready = True
            misses = 0
            while True:
                self._check.clear()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._check.wait(), HEALTH_INTERVAL)
                if process.returncode is not None:
                    return f"exited (code {process.returncode})"
                if await _healthy(client, self._base):
                    misses = 0
                    continue
                misses += 1
                self._ready = False
                if misses >= HEALTH_FAILURES:
                    return f"failed {misses} health checks"
        finally:
            self._ready = False
            await self._end_process()

    async def _end_process(self) -> None:
        process = self._process
        if process is None or process.returncode is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            await asyncio.wait_for(process.wait(), 10)
        except TimeoutError:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            await process.wait()

    def _tail(self) -> str:
        try:
            with self.log_path.open("rb") as log:
                log.seek(max(0, log.seek(0, os.SEEK_END) - 64 * 1024))
                lines = deque(log.read().decode(errors="replace").splitlines(), TAIL_LINES)
        except OSError:
            return "(no output)"
        return "\n".join(lines)


class VllmReplicas:
    """vLLM servers run elsewhere (`vllm_url`), health-checked; requests go round-robin."""

    local = False
    epoch = 1

    def __init__(self, name: str, urls: tuple[str, ...]):
        self.name = name
        self.urls = urls
        self._healthy: set[str] = set()
        self._turn = itertools.count()
        self._task: asyncio.Task[None] | None = None
        self._check = asyncio.Event()

    async def start(self) -> None:
        """Check the replicas once (so that a running one serves the first request), then
        watch their health in the background."""
        async with httpx.AsyncClient(timeout=httpx.Timeout(5.0, connect=1.0)) as client:
            await self._check_all(client)
        self._task = asyncio.create_task(self._watch(), name=f"vllm-replicas-{self.name}")

    async def stop(self) -> None:
        """Stop watching (the replicas are not ours to stop)."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    def url(self) -> str:
        """A healthy replica's URL, in turn; EngineUnavailableError when none is."""
        healthy = [u for u in self.urls if u in self._healthy]
        if not healthy:
            raise _unavailable(self.name)
        return healthy[next(self._turn) % len(healthy)]

    def failed(self, url: str) -> None:
        """Take `url` out of the rotation until its health check passes again."""
        self._healthy.discard(url)
        self._check.set()

    def healthy_urls(self) -> list[str]:
        """The replicas that answer now."""
        return [u for u in self.urls if u in self._healthy]

    async def _watch(self) -> None:
        async with httpx.AsyncClient(timeout=httpx.Timeout(5.0, connect=1.0)) as client:
            while True:
                await self._check_all(client)
                self._check.clear()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._check.wait(), HEALTH_INTERVAL)

    async def _check_all(self, client: httpx.AsyncClient) -> None:
        results = await asyncio.gather(*(_healthy(client, u) for u in self.urls))
        for url, ok in zip(self.urls, results, strict=True):
            if ok and url not in self._healthy:
                logger.info("vLLM replica %s of %s is healthy", url, self.name)
            elif not ok and url in self._healthy:
                logger.warning("vLLM replica %s of %s stopped answering", url, self.name)
            self._healthy = (self._healthy | {url}) if ok else (self._healthy - {url})


async def _healthy(client: httpx.AsyncClient, base: str) -> bool:
    try:
        return (await client.get(f"{base}/health")).status_code == 200
    except httpx.HTTPError:
        return False


def _unavailable(name: str) -> EngineUnavailableError:
    return EngineUnavailableError(
        f"The vLLM engine of {name} is starting or restarting; retry shortly."
    )
