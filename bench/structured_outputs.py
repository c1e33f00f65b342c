"""Structured outputs: output tokens/s of a batch with JSON-schema rows, against the same batch
with no grammar, in one run on the same engine.

At each batch size, every request is submitted at once, and the batch runs:
  (a) free: no row has a grammar (the baseline);
  (b) mixed: half the rows constrained to a JSON schema (llguidance masks), half free;
  (c) all: every row constrained.
Rows are greedy with EOS banned (a grammar bans it until the JSON is complete, which the
schema makes take longer than --tokens), so every row generates exactly --tokens tokens. It
prints tokens/s and the ratios (b)/(a) and (c)/(a): the cost of grammars in a shared batch.

    .venv/bin/python bench/structured_outputs.py [--tokens 64] [--threads 2] [--device cpu]
"""

from __future__ import annotations

import argparse
import queue
import tempfile
import time
from pathlib import Path

import torch

from service.catalog import EMULATOR_NAME, Catalog
from service.catalog.loading import load_model, load_tokenizer
from service.inference.engines.builtin.batching import BatchEngine
from service.inference.grammar import json_schema_grammar
from service.inference.types import SamplingParams, SequenceEvent

BATCH_SIZES = (8, 32)
REPEATS = 3
PERSON = {
    "type": "object",
    "properties": {
        "name": {"type": "string"},
        "age": {"type": "integer"},
        "tags": {"type": "array", "items": {"type": "string"}},
        "address": {
            "type": "object",
            "properties": {"city": {"type": "string"}, "zip": {"type": "string"}},
            "required": ["city", "zip"],
        },
    },
    "required": ["name", "age", "tags", "address"],
}
# So many people that no row can close the JSON within --tokens: every row, constrained or
# not, generates exactly --tokens tokens and the cases measure the same work.
SCHEMA = {"type": "array", "items": PERSON, "minItems": 1000}
PROMPTS = ["Give me a person as JSON.", "Describe a customer.", "Who lives here?", "Hello!"]


def run_batch(engine: BatchEngine, prompts: list[list[int]], params: list[SamplingParams]) -> float:
    """Submit every row at once; output tokens/s until the last row finishes."""
    done: queue.Queue[SequenceEvent] = queue.Queue()

    def emit(event: SequenceEvent) -> None:
        if event.finish_reason is not None or event.error is not None:
            done.put(event)

    started = time.perf_counter()
    for prompt, row_params in zip(prompts, params, strict=True):
        engine.submit([prompt], row_params, n=1, adapter=None, emit=emit)
    generated = 0
    for _ in prompts:
        event = done.get(timeout=600)
        if event.error is not None:
            raise event.error
        generated += event.completion_tokens
    return generated / (time.perf_counter() - started)


def main() -> None:
    """Measure (a), (b), (c) at every batch size and print the ratios."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tokens", type=int, default=64)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--device", default="cpu")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    with tempfile.TemporaryDirectory() as root:
        catalog = Catalog.load(data_dir=Path(root), models_file=None)
        entry = catalog.resolve(EMULATOR_NAME)
        tokenizer = load_tokenizer(catalog.local_path(entry))
        engine = BatchEngine(
            load_model(catalog.local_path(entry), device=args.device),
            tokenizer,
            name="bench",
            max_batch_size=max(BATCH_SIZES),
            adapter_capacity=1,
            context_length=entry.context_length,
        )
        engine.start_loop()
        grammar = json_schema_grammar(SCHEMA)
        ban_eos: dict[int, float] = {tokenizer.eos_token_id: -100.0}
        free = SamplingParams(max_tokens=args.tokens, temperature=0.0, logit_bias=ban_eos)
        constrained = SamplingParams(max_tokens=args.tokens, temperature=0.0, grammar=grammar)
        try:
            rows: list[tuple[int, dict[str, float]]] = []
            for batch in BATCH_SIZES:
                prompts = [tokenizer(PROMPTS[i % len(PROMPTS)])["input_ids"] for i in range(batch)]
                cases: dict[str, list[SamplingParams]] = {
                    "free": [free] * batch,
                    "mixed": [constrained if i % 2 else free for i in range(batch)],
                    "all": [constrained] * batch,
                }
                run_batch(engine, prompts, cases["mixed"])  # warm-up (grammar tokenizer too)
                best = {
                    name: max(run_batch(engine, prompts, params) for _ in range(REPEATS))
                    for name, params in cases.items()
                }
                rows.append((batch, best))
        finally:
            engine.stop_loop()
    print(
        f"{'batch':>5} {'free tok/s':>11} {'mixed tok/s':>12} {'all tok/s':>10} "
        f"{'mixed/free':>11} {'all/free':>9}"
    )
    for batch, best in rows:
        print(
            f"{batch:>5} {best['free']:>11.1f} {best['mixed']:>12.1f} {best['all']:>10.1f} "
            f"{best['mixed'] / best['free']:>11.2f} {best['all'] / best['free']:>9.2f}"
        )


if __name__ == "__main__":
    main()
