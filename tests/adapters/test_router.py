"""GET /_whetstone/internal/adapters/{key}: adapters and checkpoints as tars, for vLLM only."""

from __future__ import annotations

import io
import tarfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from service.core.tables import JobRow
from tests.inference.fixtures import (
    add_fine_tuned_model,
    emulator_dir,
    lora_adapter,
    serving_client,
    shared_models_dir,
)
from tests.storage.conftest import make_bucket

INTERNAL_TOKEN = "token-of-the-internal-routes-for-tests"
INTERNAL = {"Authorization": f"Bearer {INTERNAL_TOKEN}"}
ROUTE = "/_whetstone/internal/adapters/"


@pytest.fixture(scope="module")
def models_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The session's shared emulator."""
    return shared_models_dir(tmp_path_factory)


@pytest.fixture(scope="module")
def adapter(models_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One real peft LoRA adapter on the emulator."""
    return lora_adapter(emulator_dir(models_dir), tmp_path_factory.mktemp("adapter"), seed=7)


@pytest.fixture(params=["local", "s3"])
def client(
    request: pytest.FixtureRequest, data_dir: Path, models_dir: Path
) -> Iterator[TestClient]:
    """The app in-process with the internal token set, on local disk or on S3 (moto)."""
    storage: dict[str, str] = {}
    if request.param == "s3":
        moto = request.getfixturevalue("moto_server")
        make_bucket(moto, "adapters")
        storage = {"storage_url": "s3://adapters/whetstone", "s3_endpoint_url": moto.endpoint_url}
    with serving_client(data_dir, models_dir, internal_token=INTERNAL_TOKEN, **storage) as client:
        yield client


def job_key(client: TestClient, name: str) -> str:
    """The storage prefix of a fine-tuned model's job, as the scheduler writes it."""
    model = client.get(f"/v1/models/{name}").json()
    assert model["id"] == name
    container = client.app.state.container  # type: ignore[attr-defined]
    with container.db.session() as session:
        job = session.query(JobRow).filter_by(fine_tuned_model=name).one()
        assert job.adapter_key is not None
        return job.adapter_key.rsplit("/", 1)[0]


def unpacked(body: bytes, into: Path) -> Path:
    """The archive unpacked with tarfile's safe `data` filter."""
    with tarfile.open(fileobj=io.BytesIO(body)) as archive:
        archive.extractall(into, filter="data")
    return into


def files_of(directory: Path) -> dict[str, bytes]:
    """Every file under `directory` by relative path, with its bytes."""
    return {
        path.relative_to(directory).as_posix(): path.read_bytes()
        for path in directory.rglob("*")
        if path.is_file()
    }


def test_adapter_and_checkpoint_come_back_as_the_files_that_were_stored(
    client: TestClient, adapter: Path, tmp_path: Path
) -> None:
    name, _ = add_fine_tuned_model(client, adapter, checkpoint_step=3)
    job = job_key(client, name)
    for key in (f"{job}/adapter", f"{job}/checkpoints/step-3/adapter"):
        response = client.get(ROUTE + key, headers=INTERNAL)
        assert response.status_code == 200, response.text
        assert response.headers["content-type"] == "application/x-tar"
        assert int(response.headers["content-length"]) == len(response.content)
        copy = unpacked(response.content, tmp_path / key.replace("/", "_"))
        assert files_of(copy) == files_of(adapter)
        assert "adapter_config.json" in files_of(copy)


def test_a_missing_or_wrong_token_is_a_401_before_any_lookup(
    client: TestClient, adapter: Path
) -> None:
    name, _ = add_fine_tuned_model(client, adapter, checkpoint_step=None)
    key = f"{job_key(client, name)}/adapter"
    # The API key the client holds opens the public API, not the internal routes.
    for headers in ({}, {"Authorization": "Bearer sk-test"}, {"Authorization": INTERNAL_TOKEN}):
        for route in (ROUTE + key, ROUTE + "jobs/ftjob-nothere/adapter"):
            response = client.get(route, headers=headers)
            assert response.status_code == 401, (headers, route)
            error = response.json()["error"]
            assert error["code"] == "invalid_internal_token"
            assert "WHETSTONE_INTERNAL_TOKEN" in error["message"]
            assert INTERNAL_TOKEN not in response.text


def test_only_adapters_and_checkpoints_are_served(client: TestClient, adapter: Path) -> None:
    name, _ = add_fine_tuned_model(client, adapter, checkpoint_step=3)
    job = job_key(client, name)
    uploaded = client.post(
        "/v1/files",
        files={"file": ("train.jsonl", b'{"messages": []}\n')},
        data={"purpose": "fine-tune"},
    ).json()
    refused = [
        f"files/proj_local/{uploaded['id']}",
        f"{job}/checkpoints/step-3",
        f"{job}/adapter/adapter_config.json",
        f"{job}/adapter/../../../files/proj_local/{uploaded['id']}",
        "jobs/ftjob-nothere/adapter",
        "",
    ]
    for key in refused:
        response = client.get(ROUTE + key, headers=INTERNAL)
        assert response.status_code == 404, key
        assert response.json()["error"]["type"] == "invalid_request_error"
    # A deleted model's adapter is gone from the store, so it is gone here too.
    assert client.delete(f"/v1/models/{name}").status_code == 200
    assert client.get(f"{ROUTE}{job}/adapter", headers=INTERNAL).status_code == 404
