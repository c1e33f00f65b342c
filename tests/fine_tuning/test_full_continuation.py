"""Continuing a fully fine-tuned model: the new job is a full job; LoRA and full do not mix."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from service.fine_tuning import repository as job_rows
from tests.fine_tuning.factories import make_job, reload
from tests.fine_tuning.test_router import client, create, keys_file, plant_model

__all__ = ["client", "keys_file"]  # the fixtures test_router defines


def plant_full_model(client: TestClient) -> str:
    """A succeeded full job of alice's with a checkpoint; its `ft:` name."""
    container = client.app.state.container  # type: ignore[attr-defined]
    name = "ft:gpt-4o-mini-2024-07-18:org:full:abcdefgh"
    hyperparameters = {"n_epochs": 1, "batch_size": 1, "training_type": "full"}
    job = make_job(
        container.db,
        status="succeeded",
        project="proj_alice",
        fine_tuned_model=name,
        adapter_key="jobs/full/model",
        method={"type": "supervised", "supervised": {"hyperparameters": hyperparameters}},
    )
    with container.db.session() as session:
        job_rows.add_checkpoint(
            session,
            job_id=job.id,
            project="proj_alice",
            step=3,
            metrics={"step": 3},
            model_name=f"{name}:ckpt-step-3",
            storage_key=f"jobs/{job.id}/checkpoints/step-3",
        )
    return name


def hyperparameters(**values: Any) -> dict[str, Any]:
    return {"type": "dpo", "dpo": {"hyperparameters": values}}


def test_a_job_continuing_a_full_model_is_full_and_starts_from_its_weights(
    client: TestClient,
) -> None:
    source = plant_full_model(client)
    response = create(client, model=source)
    assert response.status_code == 200, response.text
    job = response.json()
    assert job["method"]["supervised"]["hyperparameters"]["training_type"] == "full"
    container = client.app.state.container  # type: ignore[attr-defined]
    assert reload(container.db, job["id"]).initial_adapter_key == "jobs/full/model"
    checkpoint = create(client, model=f"{source}:ckpt-step-3", method=hyperparameters(beta=0.1))
    assert checkpoint.status_code == 200, checkpoint.text
    row = reload(container.db, checkpoint.json()["id"])
    assert row.initial_adapter_key is not None
    assert row.initial_adapter_key.endswith("/checkpoints/step-3/model")


def test_lora_on_a_full_model_and_full_on_a_lora_model_are_400s(client: TestClient) -> None:
    full = plant_full_model(client)
    for body, param in [
        (
            {"model": full, "method": hyperparameters(training_type="lora")},
            "method.dpo.hyperparameters.training_type",
        ),
        (
            {"model": full, "method": hyperparameters(lora_rank=8)},
            "method.dpo.hyperparameters.lora_rank",
        ),
        (
            {"model": plant_model(client), "method": hyperparameters(training_type="full")},
            "method.dpo.hyperparameters.training_type",
        ),
    ]:
        response = create(client, **body)
        assert response.status_code == 400, response.text
        assert response.json()["error"]["param"] == param
