"""Reading adapter files: an adapter that does not fit its base model is refused, naming why."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import torch
from safetensors.torch import load_file, save_file

from service.core.errors import ModelLoadError
from service.inference.engines.builtin.adapter_reading import read_adapter
from tests.inference.conftest import Emulator

Q_PROJ_A = "base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight"
Q_PROJ_B = "base_model.model.model.layers.0.self_attn.q_proj.lora_B.weight"


def altered(adapter: Path, directory: Path, change: dict[str, torch.Tensor | None]) -> Path:
    """A copy of `adapter` whose weights are changed: a tensor replaces one, None removes it."""
    shutil.copytree(adapter, directory)
    tensors = load_file(directory / "adapter_model.safetensors")
    for key, value in change.items():
        if value is None:
            tensors.pop(key)
        else:
            tensors[key] = value
    save_file(tensors, directory / "adapter_model.safetensors")
    return directory


def test_a_fitting_adapter_reads_every_targeted_layer(
    emulator: Emulator, adapters: dict[str, Path]
) -> None:
    weights = read_adapter(adapters["a"], emulator.model())
    lora_a, lora_b = weights.layers["model.layers.0.self_attn.q_proj"]
    assert lora_a.shape[0] == lora_b.shape[1] == 8  # the adapter's rank
    assert weights.parameters == {}


@pytest.mark.parametrize("case", ["missing B", "not LoRA", "wrong shape"])
def test_an_adapter_that_does_not_fit_is_refused(
    emulator: Emulator, adapters: dict[str, Path], tmp_path: Path, case: str
) -> None:
    q_proj_a = load_file(adapters["a"] / "adapter_model.safetensors")[Q_PROJ_A]
    change, cause = {
        "missing B": ({Q_PROJ_B: None}, "lacks its A or B matrix"),
        "not LoRA": ({"base_model.model.lm_head.bias": torch.zeros(3)}, "not a LoRA A or B"),
        "wrong shape": ({Q_PROJ_A: q_proj_a[:, :-1].contiguous()}, "do not fit the base model"),
    }[case]
    broken = altered(adapters["a"], tmp_path / "broken", change)
    with pytest.raises(ModelLoadError, match=cause):
        read_adapter(broken, emulator.model())
