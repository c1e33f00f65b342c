"""Bearer keys: missing or unknown keys are 401 envelopes; keys map to their projects."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from service.app import create_app
from service.core.auth import LOCAL_PROJECT, KeyRing
from service.core.config import Settings
from service.core.errors import AuthenticationError

KEYS = {
    "sk-alice": {"project": "proj_alice", "organization": "org_a"},
    "sk-bob": {"project": "proj_bob"},
}


@pytest.fixture
def keys_file(tmp_path: Path) -> Path:
    """A keys file with two keys in two projects."""
    path = tmp_path / "keys.json"
    path.write_text(json.dumps(KEYS))
    return path


@pytest.fixture
def client(migrated_data_dir: Path, keys_file: Path) -> Iterator[TestClient]:
    """The app with the keys file."""
    settings = Settings(
        data_dir=migrated_data_dir, scheduler_enabled=False, api_keys_file=keys_file
    )
    with TestClient(create_app(settings)) as test_client:
        yield test_client


def test_without_a_keys_file_any_key_is_the_local_project() -> None:
    assert KeyRing(None).authenticate("Bearer anything").project == LOCAL_PROJECT


def test_a_keys_file_maps_keys_to_projects(keys_file: Path) -> None:
    ring = KeyRing.from_file(keys_file)
    alice = ring.authenticate("Bearer sk-alice")
    assert (alice.project, alice.organization) == ("proj_alice", "org_a")
    with pytest.raises(AuthenticationError):
        ring.authenticate("Bearer sk-mallory-1234")


def test_missing_key_is_a_401_envelope(client: TestClient) -> None:
    response = client.get("/v1/files")
    assert response.status_code == 401
    error = response.json()["error"]
    assert error["code"] == "invalid_api_key" and error["type"] == "invalid_request_error"
    assert response.headers["x-request-id"]


def test_unknown_key_is_401_and_not_echoed(client: TestClient) -> None:
    response = client.get("/v1/files", headers={"Authorization": "Bearer sk-mallory-secret-1234"})
    assert response.status_code == 401
    assert "sk-mallory-secret-1234" not in response.text


def test_projects_do_not_see_each_others_files(client: TestClient) -> None:
    alice = {"Authorization": "Bearer sk-alice"}
    bob = {"Authorization": "Bearer sk-bob"}
    created = client.post(
        "/v1/files", headers=alice, files={"file": ("a", b"x")}, data={"purpose": "batch"}
    ).json()
    for method, path in [
        ("GET", f"/v1/files/{created['id']}"),
        ("GET", f"/v1/files/{created['id']}/content"),
        ("DELETE", f"/v1/files/{created['id']}"),
    ]:
        assert client.request(method, path, headers=bob).status_code == 404
    assert client.get("/v1/files", headers=bob).json()["data"] == []
    assert [f["id"] for f in client.get("/v1/files", headers=alice).json()["data"]] == [
        created["id"]
    ]


def test_an_unreadable_keys_file_fails_start_up(tmp_path: Path) -> None:
    bad = tmp_path / "keys.json"
    bad.write_text("[1, 2]")
    with pytest.raises(ValueError, match="JSON object"):
        KeyRing.from_file(bad)


def test_an_entry_with_an_aws_secret_is_also_an_aws_access_key(tmp_path: Path) -> None:
    path = tmp_path / "keys.json"
    path.write_text(
        json.dumps(
            {
                "AKIAALICE": {"project": "proj_alice", "aws_secret_access_key": "s3cret"},
                "sk-bob": {"project": "proj_bob"},
            }
        )
    )
    ring = KeyRing.from_file(path)
    signer = ring.aws_signer("AKIAALICE")
    assert signer is not None and signer[0].project == "proj_alice" and signer[1] == "s3cret"
    assert ring.aws_signer("sk-bob") is None  # no secret: never an AWS key
    assert ring.aws_signer("AKIAUNKNOWN") is None
    # Without a keys file any access key is the local admin, its signature unchecked.
    assert KeyRing.from_file(None).aws_signer("anything") == (
        KeyRing.from_file(None).authenticate("Bearer x"),
        None,
    )
    path.write_text(json.dumps({"AKIA": {"project": "p", "aws_secret_access_key": 3}}))
    with pytest.raises(ValueError, match="aws_secret_access_key must be a string"):
        KeyRing.from_file(path)
