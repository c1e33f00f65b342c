"""Tinker's checkpoints REST in-process, training runs,
checkpoints, weights info, publish, signed downloads that peft loads, delete, refusals."""

from __future__ import annotations

import io
import tarfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from service.catalog.emulator import EMULATOR_NAME
from tests.contract.openai_schema import validate_response
from tests.inference.fixtures import emulator_dir, serving_client, shared_models_dir
from tests.tinker.sampling.fixtures import TINKER_HEADERS, Run, add_run


@pytest.fixture(scope="module")
def models_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The emulator, built once."""
    return shared_models_dir(tmp_path_factory)


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory, models_dir: Path) -> Iterator[TestClient]:
    """One app per module."""
    data_dir = Path(tmp_path_factory.mktemp("tinker-checkpoints"))
    with serving_client(data_dir, models_dir) as test_client:
        yield test_client


@pytest.fixture(scope="module")
def run(client: TestClient, models_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Run:
    """A training run with a sampler checkpoint."""
    return add_run(client, models_dir, Path(tmp_path_factory.mktemp("adapters")), name="step-4")


def get(client: TestClient, path: str, **params: object) -> dict:
    """GET a Tinker route (asserting 200) and return its JSON body."""
    response = client.get(f"/api/v1/{path}", params=params, headers=TINKER_HEADERS)
    assert response.status_code == 200, response.text
    return response.json()


def test_runs_and_checkpoints_are_listed(client: TestClient, run: Run) -> None:
    runs = get(client, "training_runs", limit=10)
    assert runs["cursor"]["total_count"] == 1
    (listed,) = runs["training_runs"]
    assert listed["training_run_id"] == run.model_id
    assert listed["base_model"] == EMULATOR_NAME and listed["lora_rank"] == 8
    assert listed["last_sampler_checkpoint"]["tinker_path"] == run.sampler_path
    assert listed["last_checkpoint"] is None
    assert get(client, f"training_runs/{run.model_id}") == listed
    checkpoints = get(client, f"training_runs/{run.model_id}/checkpoints")["checkpoints"]
    assert [(c["checkpoint_id"], c["checkpoint_type"]) for c in checkpoints] == [
        ("sampler_weights/step-4", "sampler")
    ]
    assert get(client, "checkpoints")["checkpoints"] == checkpoints
    info = client.post(
        "/api/v1/weights_info", json={"tinker_path": run.sampler_path}, headers=TINKER_HEADERS
    ).json()
    assert info["base_model"] == EMULATOR_NAME and info["lora_rank"] == 8
    assert info["train_mlp"] is True and info["train_unembed"] is False
    session = get(client, f"sessions/{run.session_id}")
    assert session["training_run_ids"] == [run.model_id]
    assert run.session_id in get(client, "sessions")["sessions"]


def test_publish_and_unpublish(client: TestClient, run: Run) -> None:
    route = f"/api/v1/training_runs/{run.model_id}/checkpoints/sampler_weights/step-4/publish"
    assert client.post(route, headers=TINKER_HEADERS).status_code == 204
    assert get(client, f"training_runs/{run.model_id}/checkpoints")["checkpoints"][0]["public"]
    assert client.delete(route, headers=TINKER_HEADERS).status_code == 204
    assert not get(client, f"training_runs/{run.model_id}/checkpoints")["checkpoints"][0]["public"]


def test_the_archive_is_a_peft_adapter_and_file_urls_are_signed(
    client: TestClient, run: Run, models_dir: Path, tmp_path: Path
) -> None:
    from peft import PeftModel
    from transformers import AutoModelForCausalLM

    checkpoint = f"/api/v1/training_runs/{run.model_id}/checkpoints/sampler_weights/step-4"
    redirect = client.get(checkpoint + "/archive", headers=TINKER_HEADERS, follow_redirects=False)
    assert redirect.status_code == 302
    # The signed URL needs no key.
    archive = client.get(redirect.headers["location"], headers={"Authorization": ""})
    assert archive.status_code == 200
    with tarfile.open(fileobj=io.BytesIO(archive.content)) as tar:
        tar.extractall(tmp_path / "adapter", filter="data")
    base = AutoModelForCausalLM.from_pretrained(emulator_dir(models_dir), local_files_only=True)
    loaded = PeftModel.from_pretrained(base, tmp_path / "adapter")
    assert loaded.peft_config["default"].r == 8
    urls = get(client, checkpoint.removeprefix("/api/v1/") + "/external_weights_urls")["urls"]
    assert set(urls) == {p.name for p in run.adapter_dir.iterdir()}
    for name, url in urls.items():
        assert client.get(url).content == (run.adapter_dir / name).read_bytes()
    tampered = urls["adapter_config.json"].replace("/files/", "x/files/")
    assert client.get(tampered).status_code == 404


def test_refusals_are_named(client: TestClient, run: Run) -> None:
    moved = client.put(
        f"/api/v1/sessions/{run.session_id}/project", json={}, headers=TINKER_HEADERS
    )
    assert moved.status_code == 400 and "project" in moved.text
    bad_ttl = client.put(
        f"/api/v1/training_runs/{run.model_id}/checkpoints/sampler_weights/step-4/ttl",
        json={"ttl_seconds": 5},
        headers=TINKER_HEADERS,
    )
    assert bad_ttl.status_code == 400 and "ttl_seconds" in bad_ttl.text
    unknown_kind = client.delete(
        f"/api/v1/training_runs/{run.model_id}/checkpoints/optimizer/x", headers=TINKER_HEADERS
    )
    assert unknown_kind.status_code == 400


def complete(client: TestClient, model: str) -> str:
    """The greedy completion of a fixed token prompt by `model`."""
    response = client.post(
        "/v1/completions",
        json={"model": model, "prompt": [5, 6, 7], "max_tokens": 5, "temperature": 0},
    )
    assert response.status_code == 200, response.text
    return str(response.json()["choices"][0]["text"])


def test_bridges_make_ft_models_of_a_checkpoint_and_of_a_peft_tar(
    client: TestClient, run: Run
) -> None:
    published = client.post(
        "/api/v1/_whetstone/publish_model",
        json={"tinker_path": run.sampler_path, "suffix": "from-tinker"},
        headers=TINKER_HEADERS,
    )
    assert published.status_code == 200, published.text
    job = published.json()
    validate_response("/fine_tuning/jobs/{fine_tuning_job_id}", "get", 200, job)
    assert job["status"] == "succeeded"
    assert job["fine_tuned_model"].startswith(f"ft:{EMULATOR_NAME}:personal:from-tinker:")
    assert job["metadata"] == {"whetstone_imported_from": run.sampler_path}
    assert complete(client, job["fine_tuned_model"]) == complete(client, run.sampler_path)

    archive = io.BytesIO()
    with tarfile.open(fileobj=archive, mode="w") as tar:
        for path in run.adapter_dir.iterdir():
            tar.add(path, arcname=path.name)
    imported = client.post(
        "/api/v1/_whetstone/import_adapter",
        params={"base_model": EMULATOR_NAME},
        content=archive.getvalue(),
        headers=TINKER_HEADERS,
    )
    assert imported.status_code == 200, imported.text
    name = imported.json()["fine_tuned_model"]
    assert name in [m["id"] for m in client.get("/v1/models").json()["data"]]
    assert complete(client, name) == complete(client, run.sampler_path)
    not_a_tar = client.post(
        "/api/v1/_whetstone/import_adapter",
        params={"base_model": EMULATOR_NAME},
        content=b"not a tar",
        headers=TINKER_HEADERS,
    )
    assert not_a_tar.status_code == 400


def test_delete_removes_the_checkpoint_and_stops_serving_it(client: TestClient, run: Run) -> None:
    served = client.post(
        "/v1/completions",
        json={"model": run.sampler_path, "prompt": [5, 6, 7], "max_tokens": 2},
    )
    assert served.status_code == 200, served.text
    route = f"/api/v1/training_runs/{run.model_id}/checkpoints/sampler_weights/step-4"
    assert client.delete(route, headers=TINKER_HEADERS).status_code == 204
    assert get(client, f"training_runs/{run.model_id}/checkpoints")["checkpoints"] == []
    assert client.delete(route, headers=TINKER_HEADERS).status_code == 404
    gone = client.post(
        "/v1/completions",
        json={"model": run.sampler_path, "prompt": [5, 6, 7], "max_tokens": 2},
    )
    assert gone.status_code == 404
