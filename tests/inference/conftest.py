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
from tests.inference.fixtures import lora_adapter

torch.set_num_threads(1)


@dataclass(frozen=True)
class Emulator:
    """The emulator's catalog, entry and tokenizer."""

    catalog: Catalog
    entry: Any
    tokenizer: Any

    def model(self) -> Any:
        """A fresh copy of the base model on the CPU."""
        return load_model(self.catalog.local_path(self.entry), device="cpu")


@pytest.fixture(scope="session")
def emulator(tmp_path_factory: pytest.TempPathFactory) -> Emulator:
    """The emulator model, built once for the session."""
    catalog = Catalog.load(data_dir=tmp_path_factory.mktemp("models"), models_file=None)
    entry = catalog.resolve(EMULATOR_NAME)
    return Emulator(catalog, entry, load_tokenizer(catalog.local_path(entry)))


@pytest.fixture(scope="session")
def adapters(emulator: Emulator, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Two distinct adapters on the emulator, as local PEFT directories."""
    root = tmp_path_factory.mktemp("adapters")
    model_dir = emulator.catalog.local_path(emulator.entry)
    return {name: lora_adapter(model_dir, root / name, seed) for name, seed in (("a", 1), ("b", 2))}


@pytest.fixture
def engine(emulator: Emulator) -> Iterator[Any]:
    """A BatchEngine on a fresh copy of the emulator (batch of 8, two adapter slots)."""
    from service.inference.engines.builtin.batching import BatchEngine

    batch_engine = BatchEngine(
        emulator.model(),
        emulator.tokenizer,
        name="test",
        max_batch_size=8,
        adapter_capacity=2,
        context_length=emulator.entry.context_length,
    )
    batch_engine.start_loop()
    yield batch_engine
    batch_engine.stop_loop()
