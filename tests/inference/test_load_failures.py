"""A model that exists but cannot be loaded is a 500 naming the cause, never a 404."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.inference.fixtures import add_fine_tuned_model, serving_client, shared_models_dir

CHAT = {"messages": [{"role": "user", "content": "Hello"}], "max_tokens": 4}


def broken_adapter(directory: Path) -> Path:
    """An adapter whose config reads but whose weights are not safetensors."""
    directory.mkdir()
    config = {"peft_type": "LORA", "r": 4, "lora_alpha": 8, "target_modules": ["q_proj"]}
    (directory / "adapter_config.json").write_text(json.dumps(config))
    (directory / "adapter_model.safetensors").write_bytes(b"not safetensors")
    return directory


def test_an_unloadable_adapter_is_a_500_naming_the_cause(
    tmp_path: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    models = shared_models_dir(tmp_path_factory)
    (tmp_path / "data").mkdir()
    with serving_client(tmp_path / "data", models) as client:
        name, _ = add_fine_tuned_model(client, broken_adapter(tmp_path / "adapter"))
        response = client.post("/v1/chat/completions", json={"model": name, **CHAT})
        assert client.get(f"/v1/models/{name}").status_code == 200  # it does exist
    assert response.status_code == 500
    error = response.json()["error"]
    assert error["code"] == "model_load_failed" and error["type"] == "server_error"
    assert "adapter could not be loaded: its files cannot be read" in error["message"]


def test_a_base_model_without_weights_is_a_500_naming_it(tmp_path: Path) -> None:
    weights = tmp_path / "weights"
    weights.mkdir()  # a config and no weights: the copy was never finished
    (weights / "config.json").write_text(
        json.dumps({"model_type": "llama", "architectures": ["LlamaForCausalLM"]})
    )
    models_file = tmp_path / "models.yaml"
    models_file.write_text("models:\n  half-copied:\n    path: weights\n")
    models = tmp_path / "models"
    models.mkdir()
    (tmp_path / "data").mkdir()
    with serving_client(tmp_path / "data", models, models_file=models_file) as client:
        response = client.post("/v1/chat/completions", json={"model": "half-copied", **CHAT})
    assert response.status_code == 500
    error = response.json()["error"]
    assert error["code"] == "model_load_failed"
    assert error["message"].startswith("The base model half-copied could not be loaded")
