"""Fixtures for the engine: the emulator model and two LoRA adapters, built once a session."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import torch

from service.catalog import EMULATOR_NAME, Catalog
from service.catalog.loading import load_model, load_tokenizer

torch.set_num_threads(1)


@dataclass(frozen=True)
class Emulator:
    """The emulator's catalog, entry and tokenizer."""

    catalog: Catalog
    entry: Any
    tokenizer: Any

    def model(self) -> Any:
        """A fresh copy of the base model on the CPU."""
        return load_model(self.catalog, self.entry, device="cpu")


@pytest.fixture(scope="session")
def emulator(tmp_path_factory: pytest.TempPathFactory) -> Emulator:
    """The emulator model, built once for the session."""
    catalog = Catalog.load(data_dir=tmp_path_factory.mktemp("models"), models_file=None)
    entry = catalog.resolve(EMULATOR_NAME)
    return Emulator(catalog, entry, load_tokenizer(catalog, entry))


def make_adapter(emulator: Emulator, directory: Path, seed: int) -> Path:
    """A PEFT adapter with deterministic non-zero LoRA weights (so it changes the output)."""
    from peft import LoraConfig, get_peft_model

    state = torch.random.get_rng_state()
    try:
        torch.manual_seed(seed)
        config = LoraConfig(
            r=8, lora_alpha=32, target_modules="all-linear", init_lora_weights=False
        )
        model = get_peft_model(emulator.model(), config)
    finally:
        torch.random.set_rng_state(state)
    model.save_pretrained(directory)
    return directory


@pytest.fixture(scope="session")
def adapters(emulator: Emulator, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Two distinct adapters on the emulator, as local PEFT directories."""
    root = tmp_path_factory.mktemp("adapters")
    return {name: make_adapter(emulator, root / name, seed) for name, seed in (("a", 1), ("b", 2))}


@pytest.fixture
def engine(emulator: Emulator) -> Iterator[Any]:
    """A BatchEngine on a fresh copy of the emulator (batch of 8, two adapter slots)."""
    from service.inference.engine import BatchEngine

    batch_engine = BatchEngine(
        emulator.model(),
        emulator.tokenizer,
        name="test",
        max_batch_size=8,
        adapter_capacity=2,
        context_length=emulator.entry.context_length,
    )
    yield batch_engine
    batch_engine.stop()
