"""Serving engines: output tokens/s of Whetstone over vLLM against the raw vLLM server and
against Whetstone's builtin engine, on the same model, adapters and prompts, in one run.

The emulator with 8 random LoRA adapters (rank 8), rows spread evenly over them, at batch 8
and 32; every row generates exactly --tokens tokens (the end token banned by logit_bias, so
all three do the same work):
  (a) Whetstone over vLLM: InferenceService.generate on an `engine: vllm` entry (token ids in,
      events out: the HTTP stream to vLLM, detokenizing, stop and logprob handling);
  (b) the raw vLLM OpenAI server Whetstone started, driven directly with streamed
      `/v1/completions` requests of the same token ids and adapters;
  (c) Whetstone's builtin engine (InferenceService on the default `engine: builtin`).
It prints tokens/s and the ratios (a)/(b) (Whetstone's overhead over vLLM; goal >= 0.9) and
(c)/(a); then the time from an adapter landing in the artifact store (what a job's
`succeeded` means) to its first token on vLLM, with no restart.

    PYTHONPATH=. .venv/bin/python bench/serving_engines.py [--tokens 32] [--kv-gib 1]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import tempfile
import time
from pathlib import Path

import httpx

from service.catalog import EMULATOR_NAME, Catalog
from service.core.config import Settings
from service.core.errors import EngineUnavailableError
from service.inference import AdapterRef, InferenceService, SamplingParams
from service.storage import upload_directory
from service.storage.local import LocalStore

BATCH_SIZES = (8, 32)
ADAPTERS = 8
REPEATS = 3
PROMPTS = [
    "The quick brown fox jumps over the lazy dog.",
    "What is the capital of France?",
    "Write a short poem about the sea.",
    "Hello! How are you today?",
]


def make_adapter(model_dir: Path, target: Path, seed: int) -> None:
    """A rank-8 peft adapter with random, non-zero weights."""
    import torch
    from peft import LoraConfig, get_peft_model
    from transformers import AutoModelForCausalLM

    torch.manual_seed(seed)
    base = AutoModelForCausalLM.from_pretrained(model_dir, local_files_only=True)
    config = LoraConfig(r=8, lora_alpha=16, target_modules="all-linear", init_lora_weights=False)
    get_peft_model(base, config).save_pretrained(target)


async def whetstone_run(
    service: InferenceService, catalog: Catalog, keys: list[str], batch: int, params: SamplingParams
) -> tuple[int, float]:
    """(tokens, seconds) of `batch` concurrent requests through InferenceService."""
    entry = catalog.resolve(EMULATOR_NAME)
    prompts = [await service.encode(entry, PROMPTS[i % len(PROMPTS)]) for i in range(batch)]

    async def one(i: int) -> int:
        generation = await service.generate(
            entry, AdapterRef(keys[i % len(keys)]), [prompts[i]], params
        )
        last = 0
        async for event in generation.events():
            last = event.completion_tokens or last
        return last

    started = time.perf_counter()
    counts = await asyncio.gather(*(one(i) for i in range(batch)))
    return sum(counts), time.perf_counter() - started


async def raw_run(
    base: str, prompts: list[tuple[int, ...]], keys: list[str], batch: int, body: dict[str, object]
) -> tuple[int, float]:
    """(tokens, seconds) of `batch` concurrent streamed completions straight to vLLM."""
    async with httpx.AsyncClient(timeout=600, limits=httpx.Limits(max_connections=None)) as client:

        async def one(i: int) -> int:
            request = {
                **body,
                "model": keys[i % len(keys)],
                "prompt": list(prompts[i % len(prompts)]),
                "stream": True,
                "return_token_ids": True,
            }
            tokens = 0
            async with client.stream("POST", f"{base}/v1/completions", json=request) as response:
                async for line in response.aiter_lines():
                    if line.startswith("data: {"):
                        for choice in json.loads(line[6:])["choices"]:
                            tokens += len(choice.get("token_ids") or [])
            return tokens

        started = time.perf_counter()
        counts = await asyncio.gather(*(one(i) for i in range(batch)))
        return sum(counts), time.perf_counter() - started


async def main(tokens: int, kv_gib: int) -> None:
    """Run the three engines and the time to serve; print the table."""
    root = Path(tempfile.mkdtemp(prefix="bench-engines-"))
    models_file = root / "models.yaml"
    models_file.write_text(
        f"models:\n  {EMULATOR_NAME}:\n    emulator: true\n    engine: vllm\n"
        f"    max_loras: {ADAPTERS + 2}\n    max_lora_rank: 8\n"
    )
    settings = Settings(data_dir=root, models_file=models_file, vllm_cpu_kvcache_gib=kv_gib)
    store = LocalStore(root / "artifacts")
    vllm_catalog = Catalog.load(data_dir=root, models_file=models_file)
    builtin_catalog = Catalog.load(data_dir=root, models_file=None)
    model_dir = vllm_catalog.local_path(vllm_catalog.resolve(EMULATOR_NAME))
    keys = []
    for i in range(ADAPTERS + 1):
        make_adapter(model_dir, root / f"adapter-{i}", seed=i + 1)
        if i < ADAPTERS:
            upload_directory(store, f"bench/{i}/adapter", root / f"adapter-{i}")
            keys.append(f"bench/{i}/adapter")
    vllm = InferenceService(settings, store, vllm_catalog)
    builtin = InferenceService(settings, store, builtin_catalog)
    entry = vllm_catalog.resolve(EMULATOR_NAME)
    tokenizer = await vllm.tokenizer(entry)
    eos = int(tokenizer.eos_token_id)
    params = SamplingParams(max_tokens=tokens, temperature=0.0, logit_bias={eos: -100.0})
    started = time.perf_counter()
    await vllm.start_vllm_engines()
    while True:
        try:
            await whetstone_run(vllm, vllm_catalog, keys, 8, params)  # also loads the adapters
            break
        except EngineUnavailableError:
            await asyncio.sleep(1)
    print(f"vLLM server ready and adapters loaded in {time.perf_counter() - started:.0f} s")
    engine = vllm._engines[EMULATOR_NAME]
    base_url = engine.backend.url()  # type: ignore[attr-defined]
    prompts = [(await vllm.encode(entry, p)).token_ids for p in PROMPTS]
    body = {"max_tokens": tokens, "temperature": 0.0, "logit_bias": {str(eos): -100.0}}
    await whetstone_run(builtin, builtin_catalog, keys, 8, params)  # warm-up: load, adapters
    print(
        f"{'batch':>5} {'whetstone/vLLM':>15} {'raw vLLM':>10} {'builtin':>10} "
        f"{'wv/raw':>7} {'builtin/wv':>10}"
    )
    for batch in BATCH_SIZES:
        runs = {
            "raw": lambda b=batch: raw_run(base_url, prompts, keys, b, body),
            "whetstone": lambda b=batch: whetstone_run(vllm, vllm_catalog, keys, b, params),
            "builtin": lambda b=batch: whetstone_run(builtin, builtin_catalog, keys, b, params),
        }
        results = dict.fromkeys(runs, 0.0)
        # Rounds interleave the engines, so that a burst of load on the shared machine does
        # not land on one engine alone; each keeps its best round.
        for _ in range(REPEATS):
            for name, run in runs.items():
                count, seconds = await run()
                results[name] = max(results[name], count / seconds)
        print(
            f"{batch:>5} {results['whetstone']:>15.1f} {results['raw']:>10.1f} "
            f"{results['builtin']:>10.1f} {results['whetstone'] / results['raw']:>7.2f} "
            f"{results['builtin'] / results['whetstone']:>10.2f}"
        )
    # A new adapter lands in the store, as a job's success leaves it: time to its first token.
    upload_directory(store, "bench/new/adapter", root / f"adapter-{ADAPTERS}")
    prompt = await vllm.encode(entry, PROMPTS[0])
    landed = time.perf_counter()
    generation = await vllm.generate(
        entry, AdapterRef("bench/new/adapter"), [prompt], SamplingParams(max_tokens=4)
    )
    async for _ in generation.events():
        print(f"adapter in the store -> first token on vLLM: {time.perf_counter() - landed:.2f} s")
        break
    await vllm.stop()
    await builtin.stop()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--tokens", type=int, default=32)
    parser.add_argument("--kv-gib", type=int, default=1)
    arguments = parser.parse_args()
    asyncio.run(main(arguments.tokens, arguments.kv_gib))
