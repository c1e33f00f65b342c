"""API latency during an eval run: p50/p99 of GET /v1/fine_tuning/jobs/{id}, idle vs while a
200-item completions run samples and grades in the API process.

Starts a real `whetstone serve` process (SQLite, local disk) and, in one run:
  (a) idle: --requests sequential GETs of a job while nothing else happens (the baseline);
  (b) eval: the same GETs, for as long as an eval run of --items items samples the emulator
      (through the inference engine the API process hosts) and grades each reply with a
      string_check.
It prints both percentiles, the ratio (b)/(a), and how far the run got during (b). The run's
items wait for WHETSTONE_EVAL_CONCURRENCY slots and every database call of the executor runs
off the event loop, so the ratio should stay small.

    .venv/bin/python bench/eval_api_latency.py [--requests 300] [--items 200]
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


def latencies(http: httpx.Client, path: str, n: int, interval: float) -> list[float]:
    """Milliseconds of `n` sequential GETs of `path`, `interval` seconds apart."""
    seconds: list[float] = []
    for _ in range(n):
        started = time.perf_counter()
        response = http.get(path)
        seconds.append(time.perf_counter() - started)
        assert response.status_code == 200, response.text
        time.sleep(interval)
    return [s * 1000 for s in seconds]


def percentile(values: list[float], q: int) -> float:
    """The q-th percentile (inclusive method)."""
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1]


def main() -> None:
    """Measure idle, then during an eval run, and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--items", type=int, default=200)
    parser.add_argument("--interval-ms", type=float, default=10.0)
    parser.add_argument("--max-tokens", type=int, default=64)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        server = ServerProcess(Path(tmp) / "server").start()
        try:
            client = openai.OpenAI(base_url=f"{server.base_url}/v1", api_key="sk", max_retries=0)
            http = httpx.Client(
                base_url=f"{server.base_url}/v1", headers={"Authorization": "Bearer sk"}, timeout=30
            )
            line = {
                "messages": [
                    {"role": "user", "content": "Hi"},
                    {"role": "assistant", "content": "Hello"},
                ]
            }
            file_id = client.files.create(
                file=("train.jsonl", io.BytesIO("\n".join([json.dumps(line)] * 10).encode())),
                purpose="fine-tune",
            ).id
            job = client.fine_tuning.jobs.create(model=BASE, training_file=file_id)
            client.fine_tuning.jobs.cancel(job.id)
            path = f"/fine_tuning/jobs/{job.id}"
            # Warm the engine too, so that (b) does not pay for loading the emulator.
            client.chat.completions.create(model=BASE, messages=[{"role": "user", "content": "x"}])
            latencies(http, path, 20, 0)
            pause = args.interval_ms / 1000
            idle = latencies(http, path, args.requests, pause)

            evaluation = client.evals.create(
                name="bench",
                data_source_config={
                    "type": "custom",
                    "item_schema": {"type": "object", "properties": {"q": {"type": "string"}}},
                },
                testing_criteria=[
                    {
                        "type": "string_check",
                        "name": "hello",
                        "input": "{{sample.output_text}}",
                        "reference": "Hello",
                        "operation": "ilike",
                    }
                ],
            )
            items = [{"item": {"q": f"Question number {i}?"}} for i in range(args.items)]
            run = client.evals.runs.create(
                evaluation.id,
                data_source={
                    "type": "completions",
                    "model": BASE,
                    "input_messages": {
                        "type": "template",
                        "template": [{"role": "user", "content": "{{item.q}}"}],
                    },
                    # Sampled at temperature 1 with a token floor: every reply runs to the limit.
                    "sampling_params": {"max_completion_tokens": args.max_tokens},
                    "source": {"type": "file_content", "content": items},
                },
            )
            started = time.perf_counter()
            # GETs in rounds of 20 for as long as the run is unfinished: every one of them
            # falls inside the run.
            busy: list[float] = []
            during = client.evals.runs.retrieve(run.id, eval_id=evaluation.id)
            while during.status in ("queued", "in_progress"):
                busy += latencies(http, path, 20, pause)
                during = client.evals.runs.retrieve(run.id, eval_id=evaluation.id)
            wall = time.perf_counter() - started
        finally:
            server.stop()
    idle_p50, idle_p99 = percentile(idle, 50), percentile(idle, 99)
    busy_p50, busy_p99 = percentile(busy, 50), percentile(busy, 99)
    print(f"idle:   p50 {idle_p50:.2f} ms, p99 {idle_p99:.2f} ms ({len(idle)} GETs)")
    print(f"eval:   p50 {busy_p50:.2f} ms, p99 {busy_p99:.2f} ms ({len(busy)} GETs)")
    print(
        f"run: {during.status}, {during.result_counts.total}/{args.items} items graded in "
        f"{wall:.1f} s"
    )
    print(f"ratio p99 eval/idle: {busy_p99 / idle_p99:.2f} (p50 {busy_p50 / idle_p50:.2f})")


if __name__ == "__main__":
    main()
