"""What every any-client workflow test shares: the training data, the server, waiting on a job."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tests.harness import ServerProcess

# The built-in emulator model answers to OpenAI's names.
BASE_MODEL = "gpt-4o-mini-2024-07-18"
TRAINED_REPLY = "Whetstone keeps the blade sharp."
# Ten optimizer steps: these tests check the contract, not what the model learns ("auto" gives
# the emulator 15 epochs at batch size 1, which tests/e2e/test_serving.py relies on).
FAST_HYPERPARAMETERS = {"n_epochs": 2, "batch_size": 4}
FAST_METHOD = {"type": "supervised", "supervised": {"hyperparameters": FAST_HYPERPARAMETERS}}
TERMINAL = ("succeeded", "failed", "cancelled")
JOB_TIMEOUT_S = 240.0


def training_jsonl(examples: int = 20) -> bytes:
    """A chat-format training file whose assistant replies are all TRAINED_REPLY."""
    lines = [
        json.dumps(
            {
                "messages": [
                    {"role": "system", "content": "You answer in one sentence."},
                    {"role": "user", "content": f"Tell me about tool number {index}."},
                    {"role": "assistant", "content": TRAINED_REPLY},
                ]
            }
        )
        for index in range(examples)
    ]
    return ("\n".join(lines) + "\n").encode()


def start_server(data_dir: Path, **env: str) -> ServerProcess:
    """A `whetstone serve` process on a free port, training with one small CPU slot."""
    return ServerProcess(data_dir, env={"WHETSTONE_CPU_SLOTS": "1", **env}).start()


def status_of(job: Any) -> str:
    """The status of a job, whether an SDK object or a decoded JSON dict."""
    return job["status"] if isinstance(job, dict) else job.status


def wait_for(
    poll: Callable[[], Any],
    *,
    until: Callable[[Any], bool] = lambda job: False,
    timeout: float = JOB_TIMEOUT_S,
    every: float = 0.5,
) -> Any:
    """Call `poll()` until the job it returns is terminal or `until(job)`; that job."""
    deadline = time.monotonic() + timeout
    while True:
        job = poll()
        if status_of(job) in TERMINAL or until(job):
            return job
        if time.monotonic() > deadline:
            raise TimeoutError(f"job still {status_of(job)} after {timeout}s")
        time.sleep(every)
