"""A Tinker forward_backward + optim_step round trip through the SDK, against the same step in
process.

Both sides train the same LoRA (rank 16, seed 0, Tinker's alpha 32 on every linear layer) on the
emulator `whetstone-tiny`, with the same batch (--batch sequences of --tokens tokens, drawn from
the emulator's vocabulary with a fixed seed, cross_entropy with unit weights) and the same Adam
(learning rate 1e-4, Tinker's defaults otherwise), on the same torch threads (those a CPU slot's
session worker gets):
  (a) in process: `SessionTrainer.train_step`, the trainer a session worker holds;
  (b) through the SDK (tinker 0.38) against a real `whetstone serve` (SQLite, local disk):
      `forward_backward` and `optim_step` submitted back to back, then both futures awaited,
      as a training loop does. The round trip is HTTP, the request rows, the session worker
      picking them up in seq order, protobuf both ways and the long-polled futures.
Both sides warm up (--warmup steps) first; then --rounds rounds alternate --steps steps of (a)
and of (b), so that a change in the machine's load touches both. It prints the median (and the
best) milliseconds per step of each, and the ratio of the medians (b)/(a); the issue's goal is
at most 1.3. It splits (b) in two with the server's request rows (its SQLite database): from
the submit to the moment the worker finished the optim_step (HTTP in, the queue, the worker's
step), and from then until the SDK held both results (the long-polled futures' answer). On a
busy machine wall times stretch with the load, so it also prints the CPU time per step of the
in-process side, and of the session worker, the API process and this process (the SDK) during
the SDK rounds (Linux: read from /proc).

    .venv/bin/python bench/tinker_overhead.py [--batch 8] [--tokens 128] [--steps 5] [--rounds 3]
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import tinker
import torch
from tinker import types

from service.catalog import EMULATOR_NAME, Catalog
from service.core.config import Settings
from service.scheduler.slots import discover_slots
from service.training.sessions import AdamSpec, LoraSpec, TrainingDatum
from service.training.sessions.trainer import SessionTrainer
from tests.harness import ServerProcess

RANK = 16
SEED = 0
LEARNING_RATE = 1e-4


def token_rows(batch: int, tokens: int, vocabulary: int) -> list[list[int]]:
    """`batch` rows of `tokens` token ids below `vocabulary`, the same on every run."""
    generator = np.random.default_rng(SEED)
    return [generator.integers(0, vocabulary, size=tokens).tolist() for _ in range(batch)]


def in_process_data(rows: list[list[int]]) -> list[TrainingDatum]:
    """The batch as the session worker hands it to the trainer: next-token targets."""
    return [
        TrainingDatum(
            tokens=row[:-1],
            loss_fn_inputs={
                "target_tokens": np.asarray(row[1:], dtype=np.int64),
                "weights": np.ones(len(row) - 1, dtype=np.float32),
            },
        )
        for row in rows
    ]


def sdk_data(rows: list[list[int]]) -> list[types.Datum]:
    """The same batch as the SDK sends it."""
    return [
        types.Datum(
            model_input=types.ModelInput.from_ints(row[:-1]),
            loss_fn_inputs={
                "target_tokens": np.asarray(row[1:], dtype=np.int64),
                "weights": np.ones(len(row) - 1, dtype=np.float32),
            },
        )
        for row in rows
    ]


def timed_in_process(trainer: SessionTrainer, data: list[TrainingDatum], steps: int) -> list[float]:
    """Seconds of each of `steps` in-process steps."""
    adam = AdamSpec(learning_rate=LEARNING_RATE)
    seconds = []
    for _ in range(steps):
        started = time.perf_counter()
        trainer.train_step(data, "cross_entropy", adam)
        seconds.append(time.perf_counter() - started)
    return seconds


def timed_sdk(
    client: tinker.TrainingClient, data: list[types.Datum], steps: int
) -> list[tuple[float, float]]:
    """Wall-clock start and end (epoch milliseconds) of each of `steps` SDK round trips."""
    adam = types.AdamParams(learning_rate=LEARNING_RATE)
    spans = []
    for _ in range(steps):
        started = time.time() * 1000
        forward_backward = client.forward_backward(data, "cross_entropy")
        optim_step = client.optim_step(adam)
        forward_backward.result()
        optim_step.result()
        spans.append((started, time.time() * 1000))
    return spans


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of process `pid` so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def descendants(pid: int) -> list[int]:
    """Every live process under `pid` (the server's forkserver and session worker)."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            parent = int(stat.read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            continue  # a process that ended while the table was read
        children.setdefault(parent, []).append(int(stat.parent.name))
    found, frontier = [], [pid]
    while frontier:
        below = children.get(frontier.pop(), [])
        found += below
        frontier += below
    return found


def optim_steps_finished(database: Path) -> list[int]:
    """When the worker finished each optim_step request (epoch ms), in submission order."""
    with sqlite3.connect(database) as connection:
        rows = connection.execute(
            "SELECT finished_at_ms FROM tinker_requests WHERE kind = 'optim_step' ORDER BY seq"
        ).fetchall()
    return [row[0] for row in rows]


def milliseconds(values: list[float]) -> str:
    """`median (best)` of millisecond figures."""
    return f"{statistics.median(values):7.1f} ms (best {min(values):7.1f})"


def main() -> None:
    """Warm both sides, time them in alternating rounds, and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batch", type=int, default=8)
    parser.add_argument("--tokens", type=int, default=128)
    parser.add_argument("--warmup", type=int, default=2)
    parser.add_argument("--steps", type=int, default=5)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="tinker-overhead-") as scratch:
        data_dir = Path(scratch)
        # The threads the server's session worker gets on this machine (one CPU slot).
        threads = discover_slots(Settings(data_dir=data_dir))[0].threads
        torch.set_num_threads(threads)
        catalog = Catalog.load(data_dir=data_dir, models_file=None)
        trainer = SessionTrainer.create(
            catalog=catalog,
            base_model=EMULATOR_NAME,
            lora=LoraSpec(rank=RANK, seed=SEED),
            device=torch.device("cpu"),
        )
        vocabulary = trainer.model.get_input_embeddings().num_embeddings
        rows = token_rows(args.batch, args.tokens, vocabulary)
        server = ServerProcess(data_dir / "server", env={"OMP_NUM_THREADS": str(threads)})
        server.start()
        try:
            service = tinker.ServiceClient(base_url=server.base_url, api_key="tml-bench")
            client = service.create_lora_training_client(
                EMULATOR_NAME, rank=RANK, seed=SEED
            ).result()
            local, remote = in_process_data(rows), sdk_data(rows)
            timed_in_process(trainer, local, args.warmup)
            spans = timed_sdk(client, remote, args.warmup)
            in_process: list[float] = []
            timed_spans: list[tuple[float, float]] = []
            workers = descendants(server.pid)
            local_cpu = 0.0
            remote_cpu = {pid: 0.0 for pid in [server.pid, os.getpid(), *workers]}
            for _ in range(args.rounds):
                started = time.process_time()
                in_process += [s * 1000 for s in timed_in_process(trainer, local, args.steps)]
                local_cpu += time.process_time() - started
                before = {pid: cpu_seconds(pid) for pid in remote_cpu}
                timed_spans += timed_sdk(client, remote, args.steps)
                for pid in remote_cpu:
                    remote_cpu[pid] += cpu_seconds(pid) - before[pid]
            finished = optim_steps_finished(server.data_dir / "whetstone.db")
        finally:
            server.stop()

    # Every SDK step made exactly one optim_step request, the warm-up's first.
    finished = finished[len(spans) :]
    through_sdk = [end - start for start, end in timed_spans]
    to_worker_done = [done - start for (start, _), done in zip(timed_spans, finished, strict=True)]
    answer_lag = [end - done for (_, end), done in zip(timed_spans, finished, strict=True)]
    load = os.getloadavg()[0]
    print(
        f"batch {args.batch} x {args.tokens} tokens, LoRA rank {RANK}, {threads} torch thread(s), "
        f"{args.rounds} rounds of {args.steps} steps, load average {load:.1f}"
    )
    print(f"in process (SessionTrainer.train_step):         {milliseconds(in_process)}")
    print(f"through the SDK (forward_backward + optim_step): {milliseconds(through_sdk)}")
    print(f"  submit to the worker's optim_step done:        {milliseconds(to_worker_done)}")
    print(f"  then until the SDK held both results:          {milliseconds(answer_lag)}")
    steps = args.rounds * args.steps
    print(
        f"CPU per step: in process {local_cpu / steps * 1000:.0f} ms; during the SDK rounds, "
        f"session worker {sum(remote_cpu[pid] for pid in workers) / steps * 1000:.0f} ms, "
        f"API process {remote_cpu[server.pid] / steps * 1000:.0f} ms, "
        f"SDK (this process) {remote_cpu[os.getpid()] / steps * 1000:.0f} ms"
    )
    ratio = statistics.median(through_sdk) / statistics.median(in_process)
    print(f"ratio SDK / in process: {ratio:.2f}x (goal <= 1.3x)")


if __name__ == "__main__":
    main()
