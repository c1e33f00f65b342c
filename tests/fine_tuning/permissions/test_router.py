"""Checkpoint permissions in-process: grant, list and revoke as OpenAI answers them; what a
grant lets the grantee do (serve, list, fine-tune from) and that a revoke takes it all back;
roles and tenancy (a member's 403 on its own project's model, a 404 on anyone else's)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from service.app import create_app
from service.core.tables import CheckpointPermissionRow, JobRow
from tests.contract.openai_schema import component_pointer, schema_errors, validate_response
from tests.inference.fixtures import (
    add_fine_tuned_model,
    emulator_dir,
    lora_adapter,
    serving_client,
    shared_models_dir,
)

ORGANIZATION = "org_shared"
KEYS = {
    "sk-a-admin": {"project": "proj_a", "organization": ORGANIZATION, "role": "admin"},
    "sk-a-member": {"project": "proj_a", "organization": ORGANIZATION},
    "sk-b": {"project": "proj_b", "organization": ORGANIZATION},
    "sk-b-admin": {"project": "proj_b", "organization": ORGANIZATION, "role": "admin"},
    "sk-d": {"project": "proj_d", "organization": ORGANIZATION},
    "sk-c": {"project": "proj_c", "organization": "org_elsewhere", "role": "admin"},
}
PERMISSIONS = "/fine_tuning/checkpoints/{fine_tuned_model_checkpoint}/permissions"
ONE_PERMISSION = PERMISSIONS + "/{permission_id}"


def as_key(key: str) -> dict[str, str]:
    """The Authorization header of `key`."""
    return {"Authorization": f"Bearer {key}"}


A_ADMIN, A_MEMBER, B, B_ADMIN, C = map(
    as_key, ["sk-a-admin", "sk-a-member", "sk-b", "sk-b-admin", "sk-c"]
)


@pytest.fixture(scope="module")
def models_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The session's shared emulator."""
    return shared_models_dir(tmp_path_factory)


@pytest.fixture(scope="module")
def adapter(models_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One LoRA adapter on the emulator."""
    return lora_adapter(emulator_dir(models_dir), tmp_path_factory.mktemp("adapter"), seed=7)


@pytest.fixture
def client(migrated_data_dir: Path, models_dir: Path, tmp_path: Path) -> Iterator[TestClient]:
    """The app in-process with a keys file: projects A, B and D in one organization, C in
    another."""
    keys = tmp_path / "keys.json"
    keys.write_text(json.dumps(KEYS))
    with serving_client(migrated_data_dir, models_dir, api_keys_file=keys) as test_client:
        yield test_client


def a_model(client: TestClient, adapter: Path) -> tuple[str, str]:
    """A succeeded model of project A and its checkpoint at step 3."""
    name, checkpoint = add_fine_tuned_model(
        client, adapter, project="proj_a", organization=ORGANIZATION
    )
    assert checkpoint is not None
    return name, checkpoint


def permissions_path(name: str) -> str:
    """The permissions collection of `name`."""
    return f"/v1/fine_tuning/checkpoints/{name}/permissions"


def grant(
    client: TestClient, name: str, *projects: str, headers: dict[str, str] = A_ADMIN
) -> httpx.Response:
    """POST the permissions of `name` for `projects`."""
    return client.post(
        permissions_path(name), json={"project_ids": list(projects)}, headers=headers
    )


def chat(client: TestClient, model: str, headers: dict[str, str]) -> int:
    """The status of a one-token chat completion with `model`."""
    return client.post(
        "/v1/chat/completions",
        json={"model": model, "messages": [{"role": "user", "content": "Hi"}], "max_tokens": 1},
        headers=headers,
    ).status_code


def listed(client: TestClient, headers: dict[str, str]) -> dict[str, str]:
    """GET /v1/models as `headers` sees it: id -> owned_by."""
    body = client.get("/v1/models", headers=headers).json()
    validate_response("/models", "get", 200, body)
    return {model["id"]: model["owned_by"] for model in body["data"]}


def error_of(response: httpx.Response, status: int) -> dict[str, Any]:
    """The error of a `status` answer, checked against OpenAI's ErrorResponse."""
    assert response.status_code == status, response.text
    assert not schema_errors(component_pointer("ErrorResponse"), response.json())
    return response.json()["error"]


def test_grant_list_and_revoke_answer_openai_objects(client: TestClient, adapter: Path) -> None:
    _, checkpoint = a_model(client, adapter)
    created = grant(client, checkpoint, "proj_b", "proj_b")
    assert created.status_code == 200, created.text
    validate_response(PERMISSIONS, "post", 200, created.json())
    (permission,) = created.json()["data"]
    assert permission["id"].startswith("cp_") and permission["project_id"] == "proj_b"
    # Granting again answers the grant that exists.
    assert grant(client, checkpoint, "proj_b").json()["data"] == [permission]

    path = permissions_path(checkpoint)
    page = client.get(path, headers=A_ADMIN).json()
    validate_response(PERMISSIONS, "get", 200, page)
    assert [p["id"] for p in page["data"]] == [permission["id"]] and page["has_more"] is False

    deleted = client.delete(f"{path}/{permission['id']}", headers=A_ADMIN).json()
    validate_response(ONE_PERMISSION, "delete", 200, deleted)
    assert deleted == {"id": permission["id"], "object": "checkpoint.permission", "deleted": True}
    assert client.get(path, headers=A_ADMIN).json()["data"] == []
    again = client.delete(f"{path}/{permission['id']}", headers=A_ADMIN)
    assert error_of(again, 404)["param"] == "permission_id"


def test_the_list_filters_and_pages_in_either_order(client: TestClient, adapter: Path) -> None:
    _, checkpoint = a_model(client, adapter)
    first, second = (p["id"] for p in grant(client, checkpoint, "proj_b", "proj_d").json()["data"])
    path = permissions_path(checkpoint)

    def ids(**params: Any) -> tuple[list[str], bool]:
        page = client.get(path, params=params, headers=A_ADMIN).json()
        return [p["id"] for p in page["data"]], page["has_more"]

    assert ids() == ([second, first], False)
    assert ids(limit=1) == ([second], True)
    assert ids(limit=1, after=second) == ([first], False)
    assert ids(order="ascending", limit=1) == ([first], True)
    assert ids(order="ascending", after=first) == ([second], False)
    assert ids(project_id="proj_d") == ([second], False)
    assert ids(project_id="proj_c") == ([], False)
    bad = client.get(path, params={"after": "cp_nope"}, headers=A_ADMIN)
    assert error_of(bad, 400)["param"] == "after"


def test_a_grant_lets_the_project_serve_and_list_and_a_revoke_stops_it(
    client: TestClient, adapter: Path
) -> None:
    name, checkpoint = a_model(client, adapter)
    assert client.get(f"/v1/models/{checkpoint}", headers=B).status_code == 404
    assert chat(client, checkpoint, B) == 404
    assert checkpoint not in listed(client, B)

    (permission,) = grant(client, checkpoint, "proj_b").json()["data"]
    model = client.get(f"/v1/models/{checkpoint}", headers=B).json()
    assert (model["id"], model["owned_by"]) == (checkpoint, ORGANIZATION)
    assert listed(client, B)[checkpoint] == ORGANIZATION
    assert chat(client, checkpoint, B) == 200
    completion = client.post(
        "/v1/completions", json={"model": checkpoint, "prompt": "Hi", "max_tokens": 1}, headers=B
    )
    assert completion.status_code == 200, completion.text
    # Exactly the name granted: the final model stays A's alone, and only A deletes anything.
    assert chat(client, name, B) == 404 and name not in listed(client, B)
    assert error_of(client.delete(f"/v1/models/{checkpoint}", headers=B), 403)["code"]
    # Another project of the organization was granted nothing.
    assert chat(client, checkpoint, as_key("sk-d")) == 404

    client.delete(f"{permissions_path(checkpoint)}/{permission['id']}", headers=A_ADMIN)
    assert client.get(f"/v1/models/{checkpoint}", headers=B).status_code == 404
    assert chat(client, checkpoint, B) == 404
    assert checkpoint not in listed(client, B)
    assert chat(client, checkpoint, A_MEMBER) == 200


def test_another_replica_sees_a_grant_and_its_revoke_at_once(
    client: TestClient, adapter: Path
) -> None:
    _, checkpoint = a_model(client, adapter)
    settings = client.app.state.container.settings  # type: ignore[attr-defined]
    # A second app on the same database, as a second replica behind a load balancer.
    with TestClient(create_app(settings)) as replica:
        assert replica.get(f"/v1/models/{checkpoint}", headers=B).status_code == 404
        (permission,) = grant(client, checkpoint, "proj_b").json()["data"]
        assert replica.get(f"/v1/models/{checkpoint}", headers=B).status_code == 200
        path = f"{permissions_path(checkpoint)}/{permission['id']}"
        assert client.delete(path, headers=A_ADMIN).status_code == 200
        assert replica.get(f"/v1/models/{checkpoint}", headers=B).status_code == 404
        assert checkpoint not in listed(replica, B)


def test_a_granted_final_model_is_served_and_deleting_it_removes_its_grants(
    client: TestClient, adapter: Path
) -> None:
    name, checkpoint = a_model(client, adapter)
    assert grant(client, name, "proj_b").status_code == 200
    assert grant(client, checkpoint, "proj_d").status_code == 200
    assert chat(client, name, B) == 200 and name in listed(client, B)
    assert chat(client, checkpoint, B) == 404

    assert client.delete(f"/v1/models/{name}", headers=A_MEMBER).status_code == 200
    assert chat(client, name, B) == 404 and name not in listed(client, B)
    assert chat(client, checkpoint, as_key("sk-d")) == 404
    assert error_of(client.get(permissions_path(name), headers=A_ADMIN), 404)
    db = client.app.state.container.db  # type: ignore[attr-defined]
    with db.session() as session:
        assert session.scalar(select(func.count()).select_from(CheckpointPermissionRow)) == 0


def test_a_project_fine_tunes_from_a_granted_checkpoint(client: TestClient, adapter: Path) -> None:
    _, checkpoint = a_model(client, adapter)
    training = client.post(
        "/v1/files",
        files={"file": ("train.jsonl", b'{"messages": []}\n')},
        data={"purpose": "fine-tune"},
        headers=B,
    ).json()
    job = {"model": checkpoint, "training_file": training["id"]}
    refused = client.post("/v1/fine_tuning/jobs", json=job, headers=B)
    assert error_of(refused, 400)["code"] == "model_not_available"

    grant(client, checkpoint, "proj_b")
    created = client.post("/v1/fine_tuning/jobs", json=job, headers=B)
    assert created.status_code == 200, created.text
    assert created.json()["model"] == checkpoint
    db = client.app.state.container.db  # type: ignore[attr-defined]
    with db.session() as session:
        row = session.scalar(select(JobRow).where(JobRow.id == created.json()["id"]))
        assert row is not None and row.project == "proj_b"
        # It trains from A's checkpoint adapter, named as B's own model.
        assert (
            row.initial_adapter_key is not None and "checkpoints/step-3" in row.initial_adapter_key
        )
        assert row.organization == ORGANIZATION and row.base_model is not None


def test_a_member_key_gets_403_on_its_own_projects_models_only(
    client: TestClient, adapter: Path
) -> None:
    _, checkpoint = a_model(client, adapter)
    (permission,) = grant(client, checkpoint, "proj_b").json()["data"]
    path = permissions_path(checkpoint)
    for response in (
        grant(client, checkpoint, "proj_d", headers=A_MEMBER),
        client.get(path, headers=A_MEMBER),
        client.delete(f"{path}/{permission['id']}", headers=A_MEMBER),
    ):
        assert error_of(response, 403)["code"] == "insufficient_permissions"
    # Anyone else's model is a 404, admin or not, granted or not.
    for headers in (B, B_ADMIN, C):
        for response in (
            grant(client, checkpoint, "proj_d", headers=headers),
            client.get(path, headers=headers),
            client.delete(f"{path}/{permission['id']}", headers=headers),
        ):
            assert error_of(response, 404)["code"] == "model_not_found"
    assert error_of(grant(client, "ft:nothing:here", "proj_b"), 404)["param"] == (
        "fine_tuned_model_checkpoint"
    )
    assert [p["id"] for p in client.get(path, headers=A_ADMIN).json()["data"]] == [permission["id"]]


def test_project_ids_must_be_projects_of_the_organization(
    client: TestClient, adapter: Path
) -> None:
    _, checkpoint = a_model(client, adapter)
    # None, another organization's, an unknown one, an empty id, one bad among good.
    for project_ids in ([], ["proj_c"], ["proj_nobody"], [""], ["proj_b", "proj_x"]):
        refused = grant(client, checkpoint, *project_ids)
        assert error_of(refused, 400)["param"] == "project_ids", project_ids
    assert client.get(permissions_path(checkpoint), headers=A_ADMIN).json()["data"] == []


def test_without_a_keys_file_the_local_key_grants_to_any_project(
    data_dir: Path, models_dir: Path, adapter: Path
) -> None:
    with serving_client(data_dir, models_dir) as local:
        _, checkpoint = add_fine_tuned_model(local, adapter)
        created = local.post(permissions_path(checkpoint), json={"project_ids": ["proj_x"]})
        assert created.status_code == 200, created.text
        assert [p["project_id"] for p in created.json()["data"]] == ["proj_x"]


def test_a_grant_to_the_owner_lists_and_deletes_like_a_grant_and_changes_nothing(
    client: TestClient, adapter: Path
) -> None:
    name, checkpoint = a_model(client, adapter)
    before = listed(client, A_ADMIN)
    created = grant(client, checkpoint, "proj_a")
    assert created.status_code == 200, created.text
    validate_response(PERMISSIONS, "post", 200, created.json())
    (permission,) = created.json()["data"]
    assert permission["project_id"] == "proj_a"
    assert client.get(permissions_path(checkpoint), headers=A_ADMIN).json()["data"] == [permission]
    # The owner's models are listed once, as before; the checkpoint serves as it did.
    assert listed(client, A_ADMIN) == before
    assert chat(client, checkpoint, A_MEMBER) == 200
    deleted = client.delete(f"{permissions_path(checkpoint)}/{permission['id']}", headers=A_ADMIN)
    assert deleted.json() == {
        "id": permission["id"],
        "object": "checkpoint.permission",
        "deleted": True,
    }
    assert chat(client, checkpoint, A_MEMBER) == 200
    assert chat(client, name, A_MEMBER) == 200


def test_without_a_keys_file_the_local_project_grants_to_itself(
    data_dir: Path, models_dir: Path, adapter: Path
) -> None:
    with serving_client(data_dir, models_dir) as local:
        _, checkpoint = add_fine_tuned_model(local, adapter)
        created = local.post(permissions_path(checkpoint), json={"project_ids": ["proj_local"]})
        assert created.status_code == 200, created.text
        assert [
            p["project_id"] for p in local.get(permissions_path(checkpoint)).json()["data"]
        ] == ["proj_local"]
