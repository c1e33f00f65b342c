"""Architectures refused from their config.json: at the models file, and at job create."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from service.app import create_app
from service.catalog import Catalog
from service.catalog.architectures import unservable_reason
from service.core.config import Settings

AUTH = {"Authorization": "Bearer sk-test"}
BERT = {"model_type": "bert", "architectures": ["BertForMaskedLM"]}


@pytest.mark.parametrize(
    ("config", "named"),
    [
        (BERT, "BertForMaskedLM is not a causal language model"),
        ({"model_type": "t5", "architectures": ["T5ForConditionalGeneration"]}, "T5For"),
        ({"model_type": "mamba", "architectures": ["MambaForCausalLM"]}, "mamba architecture"),
        (
            {
                "model_type": "custom_hybrid",
                "architectures": ["CustomHybridForCausalLM"],
                "layer_types": ["linear_attention", "full_attention"],
            },
            "linear_attention layers",
        ),
        ({"architectures": ["LlamaForCausalLM"]}, "no model_type"),
    ],
)
def test_what_the_engine_cannot_serve_is_named(config: dict, named: str) -> None:
    reason = unservable_reason(config)
    assert reason is not None and named in reason


@pytest.mark.parametrize(
    "config",
    [
        {"model_type": "llama", "architectures": ["LlamaForCausalLM"]},
        {"model_type": "gpt2", "architectures": ["GPT2LMHeadModel"]},
        {
            "model_type": "gemma3",
            "architectures": ["Gemma3ForCausalLM"],
            "text_config": {"layer_types": ["sliding_attention", "full_attention"]},
        },
    ],
)
def test_causal_attention_models_are_served(config: dict) -> None:
    assert unservable_reason(config) is None


def models_file(tmp_path: Path, config: dict | None) -> Path:
    """A models file with one local model, whose config.json is `config` (None: not yet)."""
    weights = tmp_path / "weights"
    weights.mkdir()
    if config is not None:
        (weights / "config.json").write_text(json.dumps(config))
    path = tmp_path / "models.yaml"
    path.write_text("models:\n  encoder:\n    path: weights\n")
    return path


def test_a_models_file_with_an_unservable_model_does_not_load(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=r"'encoder'.*BertForMaskedLM"):
        Catalog.load(data_dir=tmp_path, models_file=models_file(tmp_path, BERT))


def test_a_job_on_an_unservable_model_is_refused_at_create(tmp_path: Path) -> None:
    path = models_file(tmp_path, None)  # the weights arrive after the server started
    settings = Settings(data_dir=tmp_path / "data", models_file=path, scheduler_enabled=False)
    with TestClient(create_app(settings), headers=AUTH) as client:
        (tmp_path / "weights" / "config.json").write_text(json.dumps(BERT))
        training = client.post(
            "/v1/files",
            files={"file": ("train.jsonl", b'{"prompt": "a", "completion": "b"}\n')},
            data={"purpose": "fine-tune"},
        ).json()
        response = client.post(
            "/v1/fine_tuning/jobs", json={"model": "encoder", "training_file": training["id"]}
        )
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["param"] == "model" and error["code"] == "model_not_available"
    assert "BertForMaskedLM is not a causal language model" in error["message"]
