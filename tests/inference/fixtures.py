"""Helpers for serving tests in-process: a shared emulator, a client, fine-tuned model rows."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from service.app import create_app
from service.catalog.emulator import ensure_emulator
from service.core.config import Settings
from service.core.ids import new_id, now, random_token
from service.core.tables import JobCheckpointRow, JobRow
from service.storage import upload_directory

AUTH = {"Authorization": "Bearer sk-test"}
BASE = "gpt-4o-mini-2024-07-18"


def shared_models_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One emulator build for the whole session (ensure_emulator is idempotent and locked)."""
    models = tmp_path_factory.getbasetemp() / "shared-emulator-models"
    ensure_emulator(models)
    return models


@contextmanager
def serving_client(data_dir: Path, models_dir: Path, **settings: Any) -> Iterator[TestClient]:
    """The app in-process with the shared emulator linked into its data dir."""
    (data_dir / "models").symlink_to(models_dir, target_is_directory=True)
    config = Settings(data_dir=data_dir, scheduler_enabled=False, **settings)
    with TestClient(create_app(config), headers=AUTH) as client:
        yield client


def add_fine_tuned_model(
    client: TestClient,
    adapter_dir: Path,
    *,
    project: str = "proj_local",
    organization: str = "personal",
    suffix: str = "demo",
    checkpoint_step: int | None = 3,
) -> tuple[str, str | None]:
    """A succeeded job row whose adapter (and one checkpoint's) is in storage, as the
    scheduler leaves it; returns the `ft:` name and the checkpoint name."""
    container = client.app.state.container  # type: ignore[attr-defined]
    job_id = new_id("ftjob-")
    name = f"ft:{BASE}:{organization}:{suffix}:{random_token(8)}"
    upload_directory(container.store, f"jobs/{job_id}/adapter", adapter_dir)
    checkpoint = None
    with container.db.session() as session:
        session.add(
            JobRow(
                id=job_id,
                project=project,
                organization=organization,
                model=BASE,
                training_file="file-x",
                seed=1,
                status="succeeded",
                method={"type": "supervised"},
                fine_tuned_model=name,
                adapter_key=f"jobs/{job_id}/adapter",
                result_files=[],
                created_at=now(),
                finished_at=now(),
            )
        )
        if checkpoint_step is not None:
            checkpoint = f"{name}:ckpt-step-{checkpoint_step}"
            key = f"jobs/{job_id}/checkpoints/step-{checkpoint_step}"
            upload_directory(container.store, f"{key}/adapter", adapter_dir)
            session.flush()
            session.add(
                JobCheckpointRow(
                    id=new_id("ftckpt_"),
                    job_id=job_id,
                    project=project,
                    created_at=now(),
                    step_number=checkpoint_step,
                    metrics={},
                    fine_tuned_model_checkpoint=checkpoint,
                    storage_key=key,
                )
            )
    return name, checkpoint


def lora_adapter(model_dir: Path, directory: Path, seed: int) -> Path:
    """A PEFT adapter on the model in `model_dir` with deterministic non-zero LoRA weights
    (so that it visibly changes the model's output)."""
    import torch
    from peft import LoraConfig, get_peft_model
    from transformers import AutoModelForCausalLM

    state = torch.random.get_rng_state()
    try:
        torch.manual_seed(seed)
        base = AutoModelForCausalLM.from_pretrained(model_dir, local_files_only=True)
        config = LoraConfig(
            r=8, lora_alpha=32, target_modules="all-linear", init_lora_weights=False
        )
        model = get_peft_model(base, config)
    finally:
        torch.random.set_rng_state(state)
    model.save_pretrained(directory)
    return directory


def emulator_dir(models_dir: Path) -> Path:
    """The emulator's weights directory inside a models dir."""
    return ensure_emulator(models_dir)
