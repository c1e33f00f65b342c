"""A Tinker training run with a sampler checkpoint, as the session worker leaves them: the
rows, and a PEFT adapter (saved by peft on the emulator) under the checkpoint's storage key."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

from fastapi.testclient import TestClient

from service.catalog.emulator import EMULATOR_NAME
from service.core.ids import now
from service.core.tables import (
    TinkerCheckpointRow,
    TinkerModelRow,
    TinkerSessionRow,
)
from service.storage import upload_directory
from tests.inference.fixtures import emulator_dir, lora_adapter

PROJECT = "proj_local"
# Any tml- key is an admin of the local project when no keys file is configured.
TINKER_HEADERS = {"X-API-Key": "tml-test-key"}


@dataclass(frozen=True)
class Run:
    """A training run and one sampler checkpoint of it."""

    session_id: str
    model_id: str
    sampler_path: str
    storage_key: str
    adapter_dir: Path


def add_run(
    client: TestClient, models_dir: Path, work: Path, *, name: str = "final", seed: int = 7
) -> Run:
    """Rows for a session, its model and a sampler checkpoint, and the adapter in storage."""
    container = client.app.state.container  # type: ignore[attr-defined]
    session_id = f"tsess_{name}_{seed}"
    model_id = f"{session_id}:train:0"
    checkpoint_id = f"sampler_weights/{name}"
    path = f"tinker://{model_id}/{checkpoint_id}"
    key = f"tinker/{PROJECT}/{model_id}/{checkpoint_id}"
    adapter = lora_adapter(emulator_dir(models_dir), work / f"adapter-{name}-{seed}", seed)
    upload_directory(container.store, key, adapter)
    created = now()
    with container.db.session() as session:
        session.add(
            TinkerSessionRow(
                id=session_id,
                project=PROJECT,
                sdk_version="0.38.0",
                tags=[],
                user_metadata=None,
                created_at=created,
                heartbeat_at=created,
            )
        )
        session.add(
            TinkerModelRow(
                id=model_id,
                project=PROJECT,
                session_id=session_id,
                base_model=EMULATOR_NAME,
                lora_rank=8,
                lora_config={
                    "rank": 8,
                    "train_mlp": True,
                    "train_attn": True,
                    "train_unembed": False,
                },
                optimizer_config={"type": "adamw"},
                user_metadata={"purpose": "test"},
                status="ready",
                done_seq_id=3,
                created_at=created,
                last_request_at=created,
            )
        )
        session.add(
            TinkerCheckpointRow(
                project=PROJECT,
                model_id=model_id,
                checkpoint_id=checkpoint_id,
                checkpoint_type="sampler",
                tinker_path=path,
                storage_key=key,
                base_model=EMULATOR_NAME,
                size_bytes=sum(p.stat().st_size for p in adapter.iterdir()),
                public=False,
                ephemeral=False,
                user_metadata=None,
                created_at=created,
                expires_at=None,
            )
        )
    return Run(session_id, model_id, path, key, adapter)


def retrieve(client: TestClient, request_id: str, *, deadline_seconds: float = 60) -> bytes | dict:
    """The future's result: protobuf bytes when done, the JSON body when it failed."""
    deadline = time.monotonic() + deadline_seconds
    while True:
        response = client.post(
            "/api/v1/retrieve_future", json={"request_id": request_id}, headers=TINKER_HEADERS
        )
        assert response.status_code == 200, response.text
        if response.headers["content-type"].startswith("application/x-protobuf"):
            return response.content
        body = response.json()
        if body.get("type") != "try_again":
            return body
        assert time.monotonic() < deadline, "the future never resolved"
