"""API request rate: GET /v1/fine_tuning/jobs/{id} with metrics on, against a bare FastAPI route.

Three real uvicorn server processes on 127.0.0.1 (h11, one worker each), driven in one run
by the same keep-alive client with --concurrency requests in flight:
  (a) a bare FastAPI app whose one route returns a small JSON object (the baseline);
  (b) the same bare app behind Whetstone's MetricsMiddleware: what the metrics cost a request;
  (c) Whetstone itself (SQLite, local disk, scheduler off), GET of a stored job: auth, the
      request-id and metrics middleware, one database read, the wire model.
Each phase warms up, then counts requests answered in --seconds; phases interleave, best of
--repeats each. It prints requests/s of each and the ratios (b)/(a) and (c)/(a).

    .venv/bin/python bench/api_overhead.py [--seconds 5] [--concurrency 8] [--repeats 3]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
import uvicorn
from fastapi import FastAPI

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from service.core.db import Database
from service.migrations import upgrade_database
from service.observability.metrics import Metrics
from service.observability.middleware import MetricsMiddleware
from tests.harness import ServerProcess, free_port, wait_for_http


class _Container:
    """What MetricsMiddleware reads from an app: its Container's `metrics`."""

    def __init__(self, metrics: Metrics):
        self.metrics = metrics


def bare_app(*, with_metrics: bool, db: Any = None) -> FastAPI:
    """One route returning a job-sized JSON object; optionally behind the metrics middleware."""
    app = FastAPI()

    @app.get("/v1/fine_tuning/jobs/{job_id}")
    def job(job_id: str) -> dict[str, Any]:
        return {"object": "fine_tuning.job", "id": job_id, "status": "succeeded"}

    @app.get("/healthz")
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    if with_metrics:
        app.state.container = _Container(Metrics(db))
        app.add_middleware(MetricsMiddleware)
    return app


class Served:
    """A bench app (`bare` or `metered`) under uvicorn in a process of its own."""

    def __init__(self, kind: str, data_dir: Path):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.command = [sys.executable, __file__, "--serve", kind, "--port", str(self.port)]
        self.command += ["--data-dir", str(data_dir)]
        self.process: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> Served:
        self.process = subprocess.Popen(self.command)
        wait_for_http(f"{self.url}/healthz", timeout=60, process=self.process)
        return self

    def __exit__(self, *exc: object) -> None:
        assert self.process is not None
        self.process.terminate()
        self.process.wait(timeout=10)


def serve(kind: str, port: int, data_dir: Path) -> None:
    """Run one bench app until terminated (the child side of Served)."""
    db = None
    if kind == "metered":
        db = Database(f"sqlite:///{data_dir / 'metered.db'}")
        upgrade_database(db)
    app = bare_app(with_metrics=kind == "metered", db=db)
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", http="h11")


async def rate(url: str, path: str, seconds: float, concurrency: int) -> float:
    """Requests per second answered 200 over `seconds`, `concurrency` at a time."""
    headers = {"Authorization": "Bearer sk-bench"}
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(base_url=url, headers=headers, limits=limits) as client:

        async def worker(deadline: float) -> int:
            done = 0
            while time.perf_counter() < deadline:
                response = await client.get(path)
                assert response.status_code == 200, response.text
                done += 1
            return done

        await asyncio.gather(*(worker(time.perf_counter() + 1.0) for _ in range(concurrency)))
        started = time.perf_counter()
        counts = await asyncio.gather(*(worker(started + seconds) for _ in range(concurrency)))
        return sum(counts) / (time.perf_counter() - started)


def stored_job(url: str) -> str:
    """A job created through the API (scheduler off, so it stays `validating_files`)."""
    headers = {"Authorization": "Bearer sk-bench"}
    lines = b"\n".join(
        b'{"messages": [{"role": "user", "content": "Hi %d"}, '
        b'{"role": "assistant", "content": "Hello."}]}' % i
        for i in range(10)
    )
    file_id = httpx.post(
        f"{url}/v1/files",
        headers=headers,
        files={"file": ("train.jsonl", lines)},
        data={"purpose": "fine-tune"},
    ).json()["id"]
    return httpx.post(
        f"{url}/v1/fine_tuning/jobs",
        headers=headers,
        json={"model": "gpt-4o-mini-2024-07-18", "training_file": file_id},
    ).json()["id"]


def main() -> None:
    """Measure the three servers in turn and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--serve", choices=["bare", "metered"], help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--data-dir", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args.serve, args.port, args.data_dir)
        return
    path = "/v1/fine_tuning/jobs/ftjob-bench"
    rates: dict[str, list[float]] = {"bare": [], "metered": [], "whetstone": []}
    with tempfile.TemporaryDirectory() as tmp, contextlib.ExitStack() as stack:
        bare = stack.enter_context(Served("bare", Path(tmp)))
        metered = stack.enter_context(Served("metered", Path(tmp)))
        server = ServerProcess(Path(tmp) / "whetstone", env={"WHETSTONE_SCHEDULER_ENABLED": "0"})
        server.start()
        stack.callback(server.stop)
        targets = {
            "bare": (bare.url, path),
            "metered": (metered.url, path),
            "whetstone": (server.base_url, f"/v1/fine_tuning/jobs/{stored_job(server.base_url)}"),
        }
        # Interleaved, best of --repeats: on a shared machine the least disturbed phase of
        # each is the closest to what it costs.
        for _ in range(args.repeats):
            for kind, (url, target) in targets.items():
                rates[kind].append(asyncio.run(rate(url, target, args.seconds, args.concurrency)))
    results = {kind: max(values) for kind, values in rates.items()}
    bare_rate = results["bare"]
    print(
        f"{args.concurrency} requests in flight, best of {args.repeats} phases of "
        f"{args.seconds:g} s each"
    )
    print(f"bare FastAPI route:                {bare_rate:8.0f} req/s")
    print(
        f"bare route + metrics middleware:   {results['metered']:8.0f} req/s "
        f"({results['metered'] / bare_rate:.2f}x)"
    )
    print(
        f"whetstone GET job (metrics on):    {results['whetstone']:8.0f} req/s "
        f"({results['whetstone'] / bare_rate:.2f}x)"
    )


if __name__ == "__main__":
    main()
