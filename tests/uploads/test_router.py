"""/v1/uploads in-process: parts, ordering, byte and md5 checks, states and limits."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import update

from service.app import create_app
from service.core.config import Settings
from service.core.tables import UploadRow
from tests.contract.openai_schema import validate_response

AUTH = {"Authorization": "Bearer sk-test"}


@pytest.fixture
def client(migrated_data_dir: Path) -> Iterator[TestClient]:
    """The app on local storage with a 1 KiB part limit."""
    settings = Settings(
        data_dir=migrated_data_dir,
        scheduler_enabled=False,
        max_upload_part_bytes=1024,
        max_upload_bytes=4096,
    )
    with TestClient(create_app(settings), headers=AUTH) as test_client:
        yield test_client


def create(client: TestClient, size: int, **extra: object) -> dict:
    """POST /v1/uploads for `size` bytes."""
    body = {
        "filename": "train.jsonl",
        "purpose": "fine-tune",
        "bytes": size,
        "mime_type": "text/jsonl",
    }
    response = client.post("/v1/uploads", json={**body, **extra})
    assert response.status_code == 200, response.text
    return response.json()


def add_part(client: TestClient, upload_id: str, data: bytes) -> dict:
    """POST one part."""
    response = client.post(f"/v1/uploads/{upload_id}/parts", files={"data": ("blob", data)})
    assert response.status_code == 200, response.text
    return response.json()


def test_parts_compose_in_the_order_given(client: TestClient) -> None:
    upload = create(client, 9)
    validate_response("/uploads", "post", 200, upload)
    assert upload["status"] == "pending" and "file" not in upload
    assert upload["expires_at"] == upload["created_at"] + 3600
    parts = [add_part(client, upload["id"], data) for data in (b"one", b"two", b"six")]
    validate_response("/uploads/{upload_id}/parts", "post", 200, parts[0])
    order = [parts[2]["id"], parts[0]["id"], parts[1]["id"]]
    done = client.post(
        f"/v1/uploads/{upload['id']}/complete",
        json={"part_ids": order, "md5": hashlib.md5(b"sixonetwo").hexdigest()},
    )
    assert done.status_code == 200, done.text
    validate_response("/uploads/{upload_id}/complete", "post", 200, done.json())
    completed = done.json()
    assert completed["status"] == "completed"
    assert completed["file"]["bytes"] == 9 and completed["file"]["filename"] == "train.jsonl"
    content = client.get(f"/v1/files/{completed['file']['id']}/content")
    assert content.content == b"sixonetwo"
    listed = client.get("/v1/files").json()["data"]
    assert [f["id"] for f in listed] == [completed["file"]["id"]]


def test_the_file_inherits_the_expiry_policy(client: TestClient) -> None:
    upload = create(client, 1, expires_after={"anchor": "created_at", "seconds": 7200})
    part = add_part(client, upload["id"], b"x")
    done = client.post(f"/v1/uploads/{upload['id']}/complete", json={"part_ids": [part["id"]]})
    file = done.json()["file"]
    assert file["expires_at"] == file["created_at"] + 7200


def test_a_byte_count_mismatch_is_400_and_leaves_the_upload_pending(client: TestClient) -> None:
    upload = create(client, 10)
    part = add_part(client, upload["id"], b"short")
    response = client.post(f"/v1/uploads/{upload['id']}/complete", json={"part_ids": [part["id"]]})
    assert response.status_code == 400
    assert response.json()["error"]["param"] == "part_ids"
    second = add_part(client, upload["id"], b"-more")
    done = client.post(
        f"/v1/uploads/{upload['id']}/complete", json={"part_ids": [part["id"], second["id"]]}
    )
    assert done.status_code == 200


def test_a_wrong_md5_is_400_and_stores_nothing(client: TestClient) -> None:
    upload = create(client, 3)
    part = add_part(client, upload["id"], b"abc")
    response = client.post(
        f"/v1/uploads/{upload['id']}/complete", json={"part_ids": [part["id"]], "md5": "0" * 32}
    )
    assert response.status_code == 400
    assert response.json()["error"]["param"] == "md5"
    assert client.get("/v1/files").json()["data"] == []


def test_cancel_refuses_later_parts_and_completion(client: TestClient) -> None:
    upload = create(client, 3)
    part = add_part(client, upload["id"], b"abc")
    cancelled = client.post(f"/v1/uploads/{upload['id']}/cancel")
    assert cancelled.status_code == 200
    validate_response("/uploads/{upload_id}/cancel", "post", 200, cancelled.json())
    assert cancelled.json()["status"] == "cancelled"
    late = client.post(f"/v1/uploads/{upload['id']}/parts", files={"data": ("b", b"x")})
    assert late.status_code == 400 and late.json()["error"]["code"] == "upload_cancelled"
    complete = client.post(f"/v1/uploads/{upload['id']}/complete", json={"part_ids": [part["id"]]})
    assert complete.status_code == 400
    again = client.post(f"/v1/uploads/{upload['id']}/cancel")
    assert again.status_code == 400


def test_an_expired_upload_refuses_parts_and_completion(client: TestClient) -> None:
    upload = create(client, 1)
    part = add_part(client, upload["id"], b"x")
    container = client.app.state.container  # type: ignore[attr-defined]
    with container.db.session() as session:
        session.execute(update(UploadRow).where(UploadRow.id == upload["id"]).values(expires_at=1))
    late = client.post(f"/v1/uploads/{upload['id']}/parts", files={"data": ("b", b"x")})
    assert late.status_code == 400 and late.json()["error"]["code"] == "upload_expired"
    complete = client.post(f"/v1/uploads/{upload['id']}/complete", json={"part_ids": [part["id"]]})
    assert complete.status_code == 400 and complete.json()["error"]["code"] == "upload_expired"


def test_a_part_over_the_limit_is_413(client: TestClient) -> None:
    upload = create(client, 2000)
    response = client.post(f"/v1/uploads/{upload['id']}/parts", files={"data": ("b", b"x" * 1025)})
    assert response.status_code == 413


@pytest.mark.parametrize(
    ("change", "param"),
    [
        ({"bytes": 4097}, "bytes"),
        ({"bytes": -1}, "bytes"),
        ({"purpose": "fine-tune-results"}, "purpose"),
        ({"expires_after": {"anchor": "created_at", "seconds": 1}}, "expires_after.seconds"),
        ({"unknown_field": 1}, "unknown_field"),
    ],
)
def test_create_validates_its_body(client: TestClient, change: dict, param: str) -> None:
    body = {"filename": "f", "purpose": "fine-tune", "bytes": 1, "mime_type": "text/plain"}
    response = client.post("/v1/uploads", json={**body, **change})
    assert response.status_code == 400
    assert response.json()["error"]["param"] == param


def test_unknown_uploads_and_parts_are_named(client: TestClient) -> None:
    assert client.post("/v1/uploads/upload_nope/cancel").status_code == 404
    assert (
        client.post("/v1/uploads/upload_nope/parts", files={"data": ("b", b"x")}).status_code == 404
    )
    upload = create(client, 1)
    response = client.post(f"/v1/uploads/{upload['id']}/complete", json={"part_ids": ["part_x"]})
    assert response.status_code == 400 and response.json()["error"]["param"] == "part_ids"


def test_the_spec_names_the_operations(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    ids = {
        op["operationId"]
        for path, item in spec["paths"].items()
        if path.startswith("/v1/uploads")
        for op in item.values()
    }
    assert ids == {"uploads-create", "uploads-add_part", "uploads-complete", "uploads-cancel"}
