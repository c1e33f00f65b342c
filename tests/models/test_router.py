"""/v1/models in-process: listing, retrieval (checkpoints too), deletion and tenancy."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from service.catalog import EMULATOR_NAME
from tests.contract.openai_schema import validate_response
from tests.inference.fixtures import (
    BASE,
    add_fine_tuned_model,
    emulator_dir,
    lora_adapter,
    serving_client,
    shared_models_dir,
)


@pytest.fixture(scope="module")
def models_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The session's shared emulator."""
    return shared_models_dir(tmp_path_factory)


@pytest.fixture(scope="module")
def adapter(models_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One LoRA adapter on the emulator."""
    return lora_adapter(emulator_dir(models_dir), tmp_path_factory.mktemp("adapter"), seed=5)


@pytest.fixture
def client(migrated_data_dir: Path, models_dir: Path) -> Iterator[TestClient]:
    """The app in-process, no scheduler."""
    with serving_client(migrated_data_dir, models_dir) as test_client:
        yield test_client


def chat(client: TestClient, model: str) -> dict:
    """A short greedy chat completion (asserting 200)."""
    response = client.post(
        "/v1/chat/completions",
        json={
            "model": model,
            "messages": [{"role": "user", "content": "Hello"}],
            "max_tokens": 8,
            "temperature": 0,
        },
    )
    assert response.status_code == 200, response.text
    return response.json()


def test_list_has_base_models_aliases_and_own_fine_tuned_models(
    client: TestClient, adapter: Path
) -> None:
    mine, _ = add_fine_tuned_model(client, adapter, organization="org-mine")
    theirs, _ = add_fine_tuned_model(client, adapter, project="proj_other")
    body = client.get("/v1/models").json()
    validate_response("/models", "get", 200, body)
    owners = {model["id"]: model["owned_by"] for model in body["data"]}
    assert {EMULATOR_NAME, BASE, "babbage-002"} <= owners.keys()
    assert owners[mine] == "org-mine"
    assert theirs not in owners


def test_retrieve_fine_tuned_and_checkpoint_models(client: TestClient, adapter: Path) -> None:
    name, checkpoint = add_fine_tuned_model(client, adapter)
    for model in (name, checkpoint, BASE):
        body = client.get(f"/v1/models/{model}").json()
        validate_response("/models/{model}", "get", 200, body)
        assert body["id"] == model


def test_unknown_or_foreign_model_is_model_not_found(client: TestClient, adapter: Path) -> None:
    theirs, their_checkpoint = add_fine_tuned_model(client, adapter, project="proj_other")
    for model in (theirs, their_checkpoint, "gpt-9", f"ft:{BASE}:personal::nothere0"):
        response = client.get(f"/v1/models/{model}")
        assert response.status_code == 404
        assert response.json()["error"]["code"] == "model_not_found"
        assert client.delete(f"/v1/models/{model}").status_code == 404
    response = chat_response(client, theirs)
    assert response.status_code == 404 and response.json()["error"]["param"] == "model"


def chat_response(client: TestClient, model: str) -> object:
    """The raw response of a one-token chat completion."""
    return client.post(
        "/v1/chat/completions",
        json={"model": model, "messages": [{"role": "user", "content": "Hi"}], "max_tokens": 1},
    )


def test_base_models_and_checkpoints_cannot_be_deleted(client: TestClient, adapter: Path) -> None:
    _, checkpoint = add_fine_tuned_model(client, adapter)
    assert client.delete(f"/v1/models/{BASE}").status_code == 403
    assert client.delete(f"/v1/models/{checkpoint}").status_code == 400


def test_delete_stops_serving_and_removes_adapters(client: TestClient, adapter: Path) -> None:
    name, checkpoint = add_fine_tuned_model(client, adapter)
    tuned, base = chat(client, name), chat(client, BASE)
    assert tuned["model"] == name
    assert tuned["choices"][0]["message"] != base["choices"][0]["message"]
    chat(client, checkpoint or "")
    body = client.delete(f"/v1/models/{name}").json()
    validate_response("/models/{model}", "delete", 200, body)
    assert body == {"id": name, "object": "model", "deleted": True}
    for model in (name, checkpoint):
        assert client.get(f"/v1/models/{model}").status_code == 404
        assert chat_response(client, model or "").status_code == 404  # type: ignore[attr-defined]
    assert name not in {m["id"] for m in client.get("/v1/models").json()["data"]}
    container = client.app.state.container  # type: ignore[attr-defined]
    assert not [key for key in container.store.list_keys("jobs/") if "/adapter/" in key]
    assert not any(
        (container.settings.data_dir / "cache" / "adapters").glob("*/adapter_config.json")
    )
