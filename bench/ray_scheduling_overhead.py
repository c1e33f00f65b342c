"""Ray scheduling overhead: create -> `running` of a Ray-run job, against a local one.

Starts, in one run, a local Ray head (127.0.0.1, 2 CPUs), a moto S3 server, and two
`whetstone serve` processes on PostgreSQL (127.0.0.1:5432, a fresh database each, so each
leads its own) and S3 that differ only in WHETSTONE_EXECUTOR: `local` (a spawned worker
process, the baseline) and `ray` (a detached actor per job). Jobs alternate between the two
servers, one at a time; for each it polls the job every 20 ms and records create -> `running`
(validation and the claim) and create -> the first metrics event (the worker started, loaded
the model and trained a step: for Ray this includes creating the actor and its worker
process). Prints the medians and the ratios ray/local.

    .venv/bin/python bench/ray_scheduling_overhead.py [--jobs 3]
"""

from __future__ import annotations

import argparse
import io
import json
import os
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

import boto3
import openai
import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.conftest import S3_TEST_CREDENTIALS, SHARED_POSTGRES_URL
from tests.harness import RAY_LOOPBACK_ENV, MotoServer, RayHead, ServerProcess

BASE = "gpt-4o-mini-2024-07-18"


def training_file() -> bytes:
    """10 short chat examples."""
    return "\n".join(
        json.dumps(
            {
                "messages": [
                    {"role": "user", "content": f"Say it ({i})."},
                    {"role": "assistant", "content": "It is said."},
                ]
            }
        )
        for i in range(10)
    ).encode()


def time_job(client: openai.OpenAI) -> tuple[float, float]:
    """(create -> running, create -> first metrics event) of one job, in seconds; waits for
    it to finish so that the next job finds a free slot."""
    file_id = client.files.create(
        file=("t.jsonl", io.BytesIO(training_file())), purpose="fine-tune"
    ).id
    started = time.perf_counter()
    job = client.fine_tuning.jobs.create(
        model=BASE, training_file=file_id, hyperparameters={"n_epochs": 1, "batch_size": 2}
    )
    running = stepped = None
    while stepped is None:
        now = time.perf_counter()
        status = client.fine_tuning.jobs.retrieve(job.id).status
        if running is None and status != "validating_files" and status != "queued":
            running = now - started
        if running is not None:
            events = client.fine_tuning.jobs.list_events(job.id, limit=5).data
            if any(event.type == "metrics" for event in events):
                stepped = time.perf_counter() - started
        if status in ("failed", "cancelled"):
            raise SystemExit(f"job {job.id} ended {status}")
        time.sleep(0.02)
    while client.fine_tuning.jobs.retrieve(job.id).status not in ("succeeded", "failed"):
        time.sleep(0.1)
    assert running is not None
    return running, stepped


def main() -> None:
    """Run both executors, interleaved, and print the medians and ratios."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--jobs", type=int, default=3, help="jobs per executor")
    args = parser.parse_args()
    for key, value in S3_TEST_CREDENTIALS.items():
        os.environ.setdefault(key, value)
    os.environ.update(RAY_LOOPBACK_ENV)
    names = {kind: f"whetstone_bench_{kind}_{uuid.uuid4().hex[:8]}" for kind in ("local", "ray")}
    admin = SHARED_POSTGRES_URL.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(admin, autocommit=True) as connection:
        for name in names.values():
            connection.execute(f'CREATE DATABASE "{name}"')
    urls = {
        kind: SHARED_POSTGRES_URL.rsplit("/", 1)[0] + f"/{name}" for kind, name in names.items()
    }
    moto = MotoServer().start()
    servers: list[ServerProcess] = []
    with tempfile.TemporaryDirectory() as scratch:
        root = Path(scratch)
        credentials = {key: os.environ[key] for key in S3_TEST_CREDENTIALS}
        head = RayHead(root / "ray.log", {**credentials, "OMP_NUM_THREADS": "1"}).start()
        try:
            bucket = f"bench-{uuid.uuid4().hex[:8]}"
            boto3.client("s3", endpoint_url=moto.endpoint_url).create_bucket(Bucket=bucket)
            shared = {
                **RAY_LOOPBACK_ENV,
                "WHETSTONE_STORAGE_URL": f"s3://{bucket}/w",
                "WHETSTONE_S3_ENDPOINT_URL": moto.endpoint_url,
                "WHETSTONE_DEVICES": "cpu",
            }
            local_env = {
                **shared,
                "WHETSTONE_DATABASE_URL": urls["local"],
                "WHETSTONE_EXECUTOR": "local",
            }
            ray_env = {
                **shared,
                "WHETSTONE_DATABASE_URL": urls["ray"],
                "WHETSTONE_EXECUTOR": "ray",
                "WHETSTONE_RAY_ADDRESS": head.address,
                "WHETSTONE_RAY_DEVICE": "cpu",
                "WHETSTONE_RAY_MAX_JOBS": "1",
                "WHETSTONE_RAY_WORKER_DATA_DIR": str(root / "ray-worker"),
            }
            clients = {}
            for kind, env in (("local", local_env), ("ray", ray_env)):
                server = ServerProcess(root / kind, env).start(timeout=120)
                servers.append(server)
                clients[kind] = openai.OpenAI(
                    base_url=f"{server.base_url}/v1", api_key="sk-bench", max_retries=0
                )
            figures: dict[str, list[tuple[float, float]]] = {"local": [], "ray": []}
            for _ in range(args.jobs):
                for kind, client in clients.items():
                    figures[kind].append(time_job(client))
        finally:
            for server in servers:
                server.stop()
            head.stop()
            moto.stop()
            with psycopg.connect(admin, autocommit=True) as connection:
                for name in names.values():
                    connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    medians = {
        kind: (statistics.median(r for r, _ in runs), statistics.median(s for _, s in runs))
        for kind, runs in figures.items()
    }
    (local_running, local_step), (ray_running, ray_step) = medians["local"], medians["ray"]
    print(f"jobs per executor: {args.jobs} (medians; every figure: {figures})")
    print(
        f"create -> running: ray {ray_running * 1000:.0f} ms, local {local_running * 1000:.0f} ms"
        f", ratio {ray_running / local_running:.2f}"
    )
    print(
        f"create -> first training step: ray {ray_step:.2f} s, local {local_step:.2f} s"
        f", ratio {ray_step / local_step:.2f}"
    )


if __name__ == "__main__":
    main()
