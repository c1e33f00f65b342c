"""QLoRA on the CPU: a LoRA trained over the emulator loaded in 4-bit NF4 by bitsandbytes (whose
CPU backend does 4-bit), saved as the usual adapter, which peft serves on the unquantized base."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from service.training.recipe import run_training
from tests.training.conftest import PROMPTS, SENTENCE, Emulator, RecordingReporter, write_chat_file
from tests.training.test_recipe import greedy_reply, make_spec

pytest.importorskip("bitsandbytes")


def test_a_qlora_run_trains_over_a_4_bit_base_and_serves_on_the_full_one(
    emulator: Emulator, tmp_path: Path
) -> None:
    from service.catalog.loading import load_model

    # The base really is loaded in 4 bits: what the recipe loads for an nf4 entry.

    quantized = load_model(emulator.model_dir, device="cpu", quantization="nf4")
    layer = quantized.model.layers[0].self_attn.q_proj
    assert type(layer).__name__ == "Linear4bit" and layer.weight.quant_type == "nf4"
    del quantized

    train = write_chat_file(tmp_path / "train.jsonl", PROMPTS)
    entry = dataclasses.replace(emulator.entry, quantization="nf4")
    reporter = RecordingReporter()
    outcome = run_training(
        make_spec(
            emulator,
            tmp_path / "work",
            train,
            base_model=entry,
            hyperparameters={"n_epochs": 3, "batch_size": 2, "learning_rate_multiplier": 2},
        ),
        reporter,
    )
    assert outcome.status == "succeeded"
    assert outcome.adapter_dir is not None
    first, last = reporter.steps[0], reporter.steps[-1]
    assert last["train_loss"] < first["train_loss"] - 1.0
    # The adapter trained over NF4 weights, applied to the bf16/fp32 base it approximates.
    assert greedy_reply(emulator, outcome.adapter_dir, PROMPTS[3]) == SENTENCE


def test_nf4_without_bitsandbytes_says_what_to_install(
    emulator: Emulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    import importlib.util

    from service.catalog.loading import load_model

    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name, *a: None if name == "bitsandbytes" else real(name)
    )
    with pytest.raises(RuntimeError, match=r"needs bitsandbytes .*pip install"):
        load_model(emulator.model_dir, device="cpu", quantization="nf4")
