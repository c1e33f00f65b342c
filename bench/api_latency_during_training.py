"""API latency while a job trains: p50/p99 of GET /v1/fine_tuning/jobs/{id}, idle vs training.

Starts a real `whetstone serve` process (SQLite, local disk, one CPU slot) and, in one run:
  (a) idle: --requests sequential GETs of a job while nothing trains (the baseline);
  (b) training: the same GETs while a job trains in the worker process, which writes an event
      per optimizer step to the same SQLite database.
It prints both percentiles and the ratio (b)/(a). Training runs in a separate process and
every database call of the scheduler runs off the event loop, so the ratio should stay small
even on a 2-core machine where training takes all the cores it is given.

    .venv/bin/python bench/api_latency_during_training.py [--requests 300] [--interval-ms 20]
"""

from __future__ import annotations

import argparse
import io
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

import httpx
import openai

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.harness import ServerProcess

BASE = "gpt-4o-mini-2024-07-18"


def training_file() -> bytes:
    """20 chat examples answered with one sentence."""
    return "\n".join(
        json.dumps(
            {
                "messages": [
                    {"role": "user", "content": f"Question number {i}?"},
                    {"role": "assistant", "content": "The owl flies at midnight."},
                ]
            }
        )
        for i in range(20)
    ).encode()


def latencies(http: httpx.Client, path: str, n: int, interval: float = 0.0) -> list[float]:
    """Milliseconds of `n` sequential GETs of `path`, `interval` seconds apart (each must
    answer 200)."""
    seconds: list[float] = []
    for _ in range(n):
        started = time.perf_counter()
        response = http.get(path)
        seconds.append(time.perf_counter() - started)
        assert response.status_code == 200, response.text
        time.sleep(interval)
    return [s * 1000 for s in seconds]


def last_step(client: openai.OpenAI, job_id: str) -> int | None:
    """The step of the job's latest metrics event, if any (one page, no auto-paging)."""
    page = client.fine_tuning.jobs.list_events(job_id, limit=5)
    steps = [event.data["step"] for event in page.data if event.type == "metrics"]
    return steps[0] if steps else None


def percentile(values: list[float], q: int) -> float:
    """The q-th percentile (inclusive method)."""
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1]


def main() -> None:
    """Measure idle, then during training, and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument(
        "--interval-ms",
        type=float,
        default=20.0,
        help="pause between requests, so that they span many training steps",
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        server = ServerProcess(Path(tmp) / "server").start()
        try:
            client = openai.OpenAI(base_url=f"{server.base_url}/v1", api_key="sk", max_retries=0)
            http = httpx.Client(
                base_url=f"{server.base_url}/v1",
                headers={"Authorization": "Bearer sk"},
                timeout=30,
            )
            file_id = client.files.create(
                file=("train.jsonl", io.BytesIO(training_file())), purpose="fine-tune"
            ).id
            # (a) idle: a job that is created and cancelled before it trains.
            idle_job = client.fine_tuning.jobs.create(model=BASE, training_file=file_id)
            client.fine_tuning.jobs.cancel(idle_job.id)
            latencies(http, f"/fine_tuning/jobs/{idle_job.id}", 20)  # warm up
            pause = args.interval_ms / 1000
            idle = latencies(http, f"/fine_tuning/jobs/{idle_job.id}", args.requests, pause)

            # (b) during training: enough steps to outlast the requests.
            job = client.fine_tuning.jobs.create(
                model=BASE,
                training_file=file_id,
                hyperparameters={"n_epochs": 50, "batch_size": 1},
            )
            while last_step(client, job.id) is None:
                time.sleep(0.1)  # until the first metrics event: the worker is training
            first_step = last_step(client, job.id)
            busy = latencies(http, f"/fine_tuning/jobs/{job.id}", args.requests, pause)
            still = client.fine_tuning.jobs.retrieve(job.id).status
            final_step = last_step(client, job.id)
            client.fine_tuning.jobs.cancel(job.id)
        finally:
            server.stop()
    if still != "running":
        raise SystemExit(f"the job was {still} before the requests ended; use fewer requests")
    idle_p50, idle_p99 = percentile(idle, 50), percentile(idle, 99)
    busy_p50, busy_p99 = percentile(busy, 50), percentile(busy, 99)
    print(
        f"requests per phase: {args.requests}; the job trained steps {first_step} to "
        f"{final_step} meanwhile"
    )
    print(f"idle:     p50 {idle_p50:.2f} ms, p99 {idle_p99:.2f} ms")
    print(f"training: p50 {busy_p50:.2f} ms, p99 {busy_p99:.2f} ms")
    print(f"ratio training / idle: p50 {busy_p50 / idle_p50:.2f}x, p99 {busy_p99 / idle_p99:.2f}x")


if __name__ == "__main__":
    main()
