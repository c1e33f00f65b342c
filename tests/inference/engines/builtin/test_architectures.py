"""The engine against peft's `generate` on every architecture of tests/architectures.py.

Each tiny model gets two random adapters. Greedy outputs must match peft token for token, on a
short prompt and on one longer than the sliding window, alone and in one batch that mixes the
base model and both adapters, including rows that join while others are mid-generation.
"""

from __future__ import annotations

import queue
from pathlib import Path
from typing import Any

import pytest
import torch

from service.catalog.emulator import ensure_emulator_tokenizer
from service.catalog.loading import load_model, load_tokenizer
from service.inference.types import LocalAdapter, SamplingParams, SequenceEvent
from tests.architectures import ARCHITECTURES, SLIDING_WINDOW, build_tiny_model, peft_greedy_ids

NEW_TOKENS = 12
# Token strings with their logprobs: the test compares tokens, not decoded text.
GREEDY = SamplingParams(max_tokens=NEW_TOKENS, temperature=0.0, top_logprobs=0)
SHORT = "The quick brown fox"
LONG = "Hello! How are you today? I am fine, thank you. The quick brown fox jumps over the dog."


def random_adapter(model_dir: Path, directory: Path, seed: int) -> Path:
    """An all-linear adapter with seeded non-zero weights, as peft saves it."""
    from peft import LoraConfig, get_peft_model
    from transformers import AutoModelForCausalLM

    state = torch.random.get_rng_state()
    try:
        torch.manual_seed(seed)
        base = AutoModelForCausalLM.from_pretrained(model_dir, local_files_only=True)
        config = LoraConfig(r=4, lora_alpha=8, target_modules="all-linear", init_lora_weights=False)
        get_peft_model(base, config).save_pretrained(directory)
    finally:
        torch.random.set_rng_state(state)
    return directory


def peft_tokens(model_dir: Path, adapter: Path | None, prompt: list[int], tokenizer: Any) -> list:
    """Greedy continuation of `prompt` by transformers/peft's `generate`, as token strings."""
    ids = peft_greedy_ids(model_dir, adapter, prompt, NEW_TOKENS, tokenizer.pad_token_id)
    return [tokenizer.decode([t]) for t in ids]


class Run:
    """One request on the engine; `tokens()` waits for its token strings."""

    def __init__(self, engine: Any, prompt: list[int], adapter: LocalAdapter | None):
        self.events: queue.Queue[SequenceEvent] = queue.Queue()
        self.seen: list[SequenceEvent] = []
        engine.submit([prompt], GREEDY, n=1, adapter=adapter, emit=self.events.put)

    def started(self) -> None:
        """Wait for the first event: the request is generating."""
        self.seen.append(self.events.get(timeout=60))

    def tokens(self) -> list[str]:
        """Every generated token (raises the choice's error)."""
        tokens: list[str] = []
        while True:
            event = self.seen.pop(0) if self.seen else self.events.get(timeout=60)
            if event.error is not None:
                raise event.error
            tokens.extend(t.token for t in event.tokens)
            if event.finish_reason is not None:
                return tokens


@pytest.fixture(scope="module")
def tokenizer_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The emulator's tokenizer, which every tiny model uses."""
    return ensure_emulator_tokenizer(tmp_path_factory.mktemp("tokenizer"))


@pytest.mark.parametrize("architecture", list(ARCHITECTURES))
def test_engine_output_equals_peft_generate(
    architecture: str, tokenizer_dir: Path, tmp_path: Path
) -> None:
    from service.inference.engines.builtin.batching import BatchEngine

    model_dir = build_tiny_model(architecture, tokenizer_dir, tmp_path / "model")
    adapters = {
        name: LocalAdapter(key=name, path=random_adapter(model_dir, tmp_path / name, seed))
        for name, seed in (("a", 1), ("b", 2))
    }
    tokenizer = load_tokenizer(model_dir)
    prompts = {
        text: tokenizer(text, add_special_tokens=False)["input_ids"] for text in (SHORT, LONG)
    }
    assert len(prompts[LONG]) > 2 * SLIDING_WINDOW
    cases = [(text, name) for text in (SHORT, LONG) for name in (None, "a", "b")]
    expected = {
        (text, name): peft_tokens(
            model_dir, adapters[name].path if name else None, prompts[text], tokenizer
        )
        for text, name in cases
    }
    # The adapters change the output, so a served adapter that were ignored would fail.
    assert expected[(LONG, "a")] != expected[(LONG, None)]
    engine = BatchEngine(
        load_model(model_dir, device="cpu"),
        tokenizer,
        name=architecture,
        max_batch_size=8,
        adapter_capacity=2,
        context_length=512,
    )
    # peft's generate stops at EOS too, but random weights rarely pick it: compare full runs.
    engine.eos_ids = set()
    engine.start_loop()
    try:
        alone = {case: Run(engine, prompts[case[0]], _adapter(adapters, case[1])) for case in cases}
        assert {case: run.tokens() for case, run in alone.items()} == expected
        batch = {case: Run(engine, prompts[case[0]], _adapter(adapters, case[1])) for case in cases}
        next(iter(batch.values())).started()  # mid-generation when the next rows join
        joined = {
            case: Run(engine, prompts[case[0]], _adapter(adapters, case[1])) for case in cases
        }
        for runs in (batch, joined):
            assert {case: run.tokens() for case, run in runs.items()} == expected
    finally:
        engine.stop_loop()


def _adapter(adapters: dict[str, LocalAdapter], name: str | None) -> LocalAdapter | None:
    return adapters[name] if name else None
