"""A base model the models file quantizes (`quantization: nf4`) trains LoRA adapters only."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from service.app import create_app
from service.core.config import Settings
from tests.fine_tuning.test_router import create

MODEL = "llama-nf4"


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    """The app with the scheduler off and a models file with one NF4 entry (its config only:
    nothing is loaded at create)."""
    model_dir = tmp_path / "llama"
    model_dir.mkdir()
    (model_dir / "config.json").write_text(
        json.dumps({"model_type": "llama", "architectures": ["LlamaForCausalLM"]})
    )
    models = tmp_path / "models.yaml"
    models.write_text(f"models:\n  {MODEL}:\n    path: {model_dir}\n    quantization: nf4\n")
    settings = Settings(data_dir=tmp_path / "data", scheduler_enabled=False, models_file=models)
    with TestClient(create_app(settings), headers={"Authorization": "Bearer sk-test"}) as tc:
        yield tc


def test_full_training_of_an_nf4_base_is_a_400_and_lora_is_accepted(client: TestClient) -> None:
    method = {"type": "supervised", "supervised": {"hyperparameters": {"training_type": "full"}}}
    refused = create(client, model=MODEL, method=method)
    assert refused.status_code == 400, refused.text
    error = refused.json()["error"]
    assert error["param"] == "method.supervised.hyperparameters.training_type"
    assert "nf4" in error["message"] and "QLoRA" in error["message"]

    accepted = create(client, model=MODEL)
    assert accepted.status_code == 200, accepted.text
    assert accepted.json()["status"] == "validating_files"


def test_an_unknown_quantization_is_refused_when_the_models_file_is_read(tmp_path: Path) -> None:
    from service.catalog import Catalog

    models = tmp_path / "models.yaml"
    models.write_text("models:\n  m:\n    hub_id: org/m\n    quantization: int3\n")
    with pytest.raises(ValueError, match="quantization must be one of nf4"):
        Catalog.load(data_dir=tmp_path, models_file=models)
