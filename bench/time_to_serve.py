"""Time to serve: from a job's `succeeded` to the first token its model streams back.

Starts a real `whetstone serve` process, trains one job on the emulator with the official SDK,
polls the job every 20 ms, and as soon as it reads `succeeded` streams a chat completion from
the new `ft:` model. Prints the time to the first content token, split into what the client
sees, and, as the baseline in the same run, the same request's time to first token once the
adapter is loaded (the difference is the cost of loading an adapter on first use).

    .venv/bin/python bench/time_to_serve.py
"""

from __future__ import annotations

import io
import json
import sys
import tempfile
import time
from pathlib import Path

import openai

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.harness import ServerProcess

BASE = "gpt-4o-mini-2024-07-18"
SENTENCE = "The sea is deep and blue."


def training_file() -> bytes:
    """20 chat examples answered with one sentence."""
    lines = [
        json.dumps(
            {
                "messages": [
                    {"role": "user", "content": f"Question number {i}?"},
                    {"role": "assistant", "content": SENTENCE},
                ]
            }
        )
        for i in range(20)
    ]
    return ("\n".join(lines) + "\n").encode()


def first_token_seconds(client: openai.OpenAI, model: str) -> float:
    """Seconds from sending a streamed chat request to its first content chunk."""
    started = time.perf_counter()
    stream = client.chat.completions.create(
        model=model,
        messages=[{"role": "user", "content": "Question number 3?"}],
        temperature=0,
        max_tokens=16,
        stream=True,
    )
    for chunk in stream:
        if chunk.choices and chunk.choices[0].delta.content:
            elapsed = time.perf_counter() - started
            stream.close()
            return elapsed
    raise RuntimeError("the stream carried no content")


def main() -> None:
    """Train, wait, and time the first token."""
    with tempfile.TemporaryDirectory() as scratch:
        server = ServerProcess(Path(scratch)).start()
        try:
            client = openai.OpenAI(
                base_url=f"{server.base_url}/v1", api_key="sk-bench", max_retries=0
            )
            # Load the base model first, as a running server would have it already.
            first_token_seconds(client, BASE)
            uploaded = client.files.create(
                file=("t.jsonl", io.BytesIO(training_file())), purpose="fine-tune"
            )
            job = client.fine_tuning.jobs.create(model=BASE, training_file=uploaded.id)
            while job.status not in ("succeeded", "failed", "cancelled"):
                time.sleep(0.02)
                job = client.fine_tuning.jobs.retrieve(job.id)
            seen = time.perf_counter()
            if job.status != "succeeded":
                raise SystemExit(f"job ended {job.status}: {job.error}")
            model = job.fine_tuned_model or ""
            first = first_token_seconds(client, model)
            total = time.perf_counter() - seen
            warm = min(first_token_seconds(client, model) for _ in range(3))
        finally:
            server.stop()
    print(f"job succeeded -> first streamed token of {model}: {total * 1000:.0f} ms")
    print(f"  first request (adapter downloaded and loaded on first use): {first * 1000:.0f} ms")
    print(f"  baseline, same request with the adapter loaded: {warm * 1000:.0f} ms")
    print(f"  ratio first/warm: {first / warm:.1f}")


if __name__ == "__main__":
    main()
