"""A models-file entry served by vLLM: its keys under vLLM's names, checked at load."""

from __future__ import annotations

from pathlib import Path

import pytest

from service.catalog import EMULATOR_NAME, Catalog
from service.catalog.vllm_options import VllmOptions


def load(tmp_path: Path, text: str) -> Catalog:
    models_file = tmp_path / "models.yaml"
    models_file.write_text(text)
    return Catalog.load(data_dir=tmp_path, models_file=models_file)


def test_an_entry_chooses_vllm_with_vllms_own_keys(tmp_path: Path) -> None:
    (tmp_path / "qwen").mkdir()
    catalog = load(
        tmp_path,
        "models:\n"
        "  qwen:\n"
        "    path: qwen\n"
        "    engine: vllm\n"
        "    max_loras: 4\n"
        "    max_cpu_loras: 16\n"
        "    max_lora_rank: 32\n"
        "    max_model_len: 4096\n"
        "    gpu_memory_utilization: 0.8\n"
        "    tensor_parallel_size: 2\n"
        "    dtype: bfloat16\n"
        "    vllm_args: {enforce_eager: true, swap_space: 2}\n"
        "    vllm_url: [http://vllm-0:8000/, http://vllm-1:8000]\n",
    )
    entry = catalog.resolve("qwen")
    assert entry.engine == "vllm"
    assert entry.vllm == VllmOptions(
        max_loras=4,
        max_cpu_loras=16,
        max_lora_rank=32,
        max_model_len=4096,
        gpu_memory_utilization=0.8,
        tensor_parallel_size=2,
        dtype="bfloat16",
        vllm_args={"enforce_eager": True, "swap_space": 2},
        vllm_url=("http://vllm-0:8000", "http://vllm-1:8000"),
    )


def test_a_lora_rank_above_max_lora_rank_cannot_be_served(tmp_path: Path) -> None:
    (tmp_path / "qwen").mkdir()
    catalog = load(
        tmp_path,
        "models:\n  qwen: {path: qwen, engine: vllm, max_lora_rank: 16}\n  local: {path: qwen}\n",
    )
    assert catalog.resolve("qwen").unservable_lora_rank(16) is None
    reason = catalog.resolve("qwen").unservable_lora_rank(32)
    assert reason is not None and "max_lora_rank (16)" in reason
    # The builtin engine takes any rank.
    assert catalog.resolve("local").unservable_lora_rank(512) is None


def test_the_emulator_is_served_by_vllm_under_its_own_name(tmp_path: Path) -> None:
    catalog = load(tmp_path, f"models:\n  {EMULATOR_NAME}:\n    emulator: true\n    engine: vllm\n")
    entry = catalog.resolve("gpt-4o-mini-2024-07-18")
    assert entry.name == EMULATOR_NAME and entry.emulator and entry.engine == "vllm"
    assert entry.lora.rank == 16 and entry.context_length == 1024


def test_nothing_changes_without_engine_vllm(tmp_path: Path) -> None:
    (tmp_path / "qwen").mkdir()
    assert load(tmp_path, "models:\n  qwen: {path: qwen}\n").resolve("qwen").engine == "builtin"
    assert Catalog.load(data_dir=tmp_path, models_file=None).resolve(EMULATOR_NAME).engine == (
        "builtin"
    )


@pytest.mark.parametrize(
    ("spec", "named"),
    [
        ("engine: vllm\n    max_lora: 4", "unknown key(s) 'max_lora'"),
        ("engine: sglang", "engine must be one of builtin, vllm"),
        ("max_loras: 4", "max_loras only apply to engine: vllm"),
        ("engine: vllm\n    max_lora_rank: 12", "max_lora_rank must be one of"),
        ("engine: vllm\n    max_loras: 1", "max_loras must be at least 2"),
        ("engine: vllm\n    dtype: fp8", "dtype must be one of"),
        ("engine: vllm\n    gpu_memory_utilization: 1.5", "gpu_memory_utilization must be"),
        ("engine: vllm\n    vllm_args: {port: 9}", "vllm_args may not set 'port'"),
        ("engine: vllm\n    vllm_args: [enforce_eager]", "vllm_args must map"),
        ("engine: vllm\n    vllm_url: [vllm-0:8000]", "vllm_url must be a list of http(s)"),
    ],
)
def test_invalid_keys_are_refused_at_load_naming_them(
    tmp_path: Path, spec: str, named: str
) -> None:
    (tmp_path / "qwen").mkdir()
    with pytest.raises(ValueError, match="model 'qwen'") as refused:
        load(tmp_path, f"models:\n  qwen:\n    path: qwen\n    {spec}\n")
    assert named in str(refused.value)
