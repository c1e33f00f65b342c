"""The catalog: aliases, the models file, and the emulator model."""

from __future__ import annotations

import hashlib
import sys
from pathlib import Path

import pytest

from service.catalog import EMULATOR_NAME, OPENAI_ALIASES, Catalog
from service.catalog.emulator import ensure_emulator
from service.core.errors import ModelNotFoundError


def test_openai_names_alias_to_the_emulator(tmp_path: Path) -> None:
    catalog = Catalog.load(data_dir=tmp_path, models_file=None)
    for name in OPENAI_ALIASES:
        assert catalog.resolve(name).name == EMULATOR_NAME
    assert "gpt-4o-mini-2024-07-18" in catalog.names()


def test_unknown_model_is_model_not_found(tmp_path: Path) -> None:
    catalog = Catalog.load(data_dir=tmp_path, models_file=None)
    with pytest.raises(ModelNotFoundError) as caught:
        catalog.resolve("gpt-9")
    assert caught.value.param == "model"
    assert caught.value.code == "model_not_found"


def test_models_file_adds_models_and_redirects_aliases(tmp_path: Path) -> None:
    weights = tmp_path / "qwen"
    weights.mkdir()
    models_file = tmp_path / "models.yaml"
    models_file.write_text(
        "models:\n"
        "  qwen2.5-0.5b-instruct:\n"
        "    path: qwen\n"
        "    context_length: 32768\n"
        "    lora: {rank: 8, alpha: 16, target_modules: [q_proj, v_proj]}\n"
        "    aliases: [gpt-4o-mini-2024-07-18]\n"
    )
    catalog = Catalog.load(data_dir=tmp_path, models_file=models_file)
    entry = catalog.resolve("gpt-4o-mini-2024-07-18")
    assert entry.name == "qwen2.5-0.5b-instruct"
    assert entry.path == weights.resolve()
    assert entry.context_length == 32768
    assert entry.lora.rank == 8
    assert entry.lora.target_modules == ("q_proj", "v_proj")
    assert catalog.resolve("gpt-3.5-turbo").name == EMULATOR_NAME
    assert catalog.local_path(entry) == weights.resolve()


def test_a_models_file_entry_may_name_its_reference_file(tmp_path: Path) -> None:
    models_file = tmp_path / "models.yaml"
    models_file.write_text(
        "models:\n"
        "  own:\n    path: own\n    reference_file: refs/general.jsonl\n"
        "  plain:\n    path: plain\n"
    )
    catalog = Catalog.load(data_dir=tmp_path, models_file=models_file)
    assert catalog.resolve("own").reference_file == (tmp_path / "refs/general.jsonl").resolve()
    assert catalog.resolve("plain").reference_file is None
    assert catalog.resolve(EMULATOR_NAME).reference_file is None


def test_a_models_file_entry_says_how_many_devices_its_jobs_train_on(tmp_path: Path) -> None:
    models_file = tmp_path / "models.yaml"
    models_file.write_text(
        "models:\n"
        "  big:\n    path: big\n    devices: 4\n    max_devices: 8\n    strategy: fsdp\n"
        "  sharded:\n    path: sharded\n    devices: 2\n"
        "  plain:\n    path: plain\n"
    )
    catalog = Catalog.load(data_dir=tmp_path, models_file=models_file)
    big, sharded, plain = (catalog.resolve(name) for name in ("big", "sharded", "plain"))
    assert (big.devices, big.max_devices, big.strategy) == (4, 8, "fsdp")
    # max_devices defaults to devices: a job may ask for fewer, not more.
    assert (sharded.devices, sharded.max_devices) == (2, 2)
    assert (plain.devices, plain.max_devices) == (1, 1)
    emulator = catalog.resolve(EMULATOR_NAME)
    assert (emulator.devices, emulator.max_devices) == (1, 2)


@pytest.mark.parametrize(
    ("keys", "refusal"),
    [
        ("devices: 0", "devices must be a positive integer"),
        ("devices: two", "devices must be a positive integer"),
        ("devices: 4\n    max_devices: 2", "max_devices must be at least devices"),
        ("devices: 2\n    strategy: deepspeed", "strategy must be one of fsdp"),
    ],
)
def test_bad_device_keys_are_refused_when_the_models_file_is_read(
    keys: str, refusal: str, tmp_path: Path
) -> None:
    models_file = tmp_path / "models.yaml"
    models_file.write_text(f"models:\n  big:\n    path: big\n    {keys}\n")
    with pytest.raises(ValueError, match=refusal):
        Catalog.load(data_dir=tmp_path, models_file=models_file)


def test_models_file_entry_needs_a_source(tmp_path: Path) -> None:
    models_file = tmp_path / "models.json"
    models_file.write_text('{"models": {"broken": {"context_length": 10}}}')
    with pytest.raises(ValueError, match="exactly one of 'path' or 'hub_id'"):
        Catalog.load(data_dir=tmp_path, models_file=models_file)


def test_catalog_import_does_not_import_torch() -> None:
    # The API process resolves names with the catalog and must start without torch.
    import subprocess

    code = "import sys, service.catalog, service.app; print('torch' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.stdout.strip() == "False", result.stderr


def _digest(directory: Path) -> dict[str, str]:
    return {
        path.name: hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(directory.iterdir())
        if path.is_file()
    }


def test_emulator_is_built_deterministically_and_cached(tmp_path: Path) -> None:
    first = ensure_emulator(tmp_path / "a")
    second = ensure_emulator(tmp_path / "b")
    assert _digest(first) == _digest(second)
    assert ensure_emulator(tmp_path / "a") == first


def test_emulator_tokenizer_round_trips_chat(tmp_path: Path) -> None:
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(ensure_emulator(tmp_path))
    messages = [
        {"role": "system", "content": "Be brief."},
        {"role": "user", "content": "Quelle heure est-il? 🕰️"},
        {"role": "assistant", "content": "Midi."},
    ]
    text = tokenizer.apply_chat_template(messages, tokenize=False)
    assert text.endswith("<|im_start|>assistant\nMidi.<|im_end|>\n")
    assert tokenizer.decode(tokenizer(text)["input_ids"]) == text
    prompt = tokenizer.apply_chat_template(messages[:2], tokenize=False, add_generation_prompt=True)
    assert prompt.endswith("<|im_start|>assistant\n")
