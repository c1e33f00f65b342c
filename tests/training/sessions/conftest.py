"""The catalog over the session's emulator, and data for the trainer."""

from __future__ import annotations

import numpy as np
import pytest

from service.catalog import Catalog
from service.training.sessions import TrainingDatum
from tests.training.conftest import Emulator


@pytest.fixture(scope="session")
def catalog(emulator: Emulator) -> Catalog:
    """The default catalog, over the emulator tests/training/conftest.py built once."""
    return Catalog.load(data_dir=emulator.model_dir.parent.parent, models_file=None)


def supervised_datum(sequence: list[int], *, prompt_length: int = 0) -> TrainingDatum:
    """The datum Tinker's docs build for SFT: the input is the sequence but its last token, the
    targets the sequence but its first, weight 0 on the prompt and 1 on the completion."""
    weights = np.ones(len(sequence) - 1, dtype=np.float32)
    weights[: max(prompt_length - 1, 0)] = 0.0
    return TrainingDatum(
        tokens=sequence[:-1],
        loss_fn_inputs={
            "target_tokens": np.asarray(sequence[1:], dtype=np.int64),
            "weights": weights,
        },
    )
