"""/v1/files in-process: the wire shape, validation and limits of each operation."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from service.app import create_app
from service.core.config import Settings
from tests.contract.openai_schema import validate_response

AUTH = {"Authorization": "Bearer sk-test"}


@pytest.fixture
def client(migrated_data_dir: Path) -> Iterator[TestClient]:
    """The app on local storage, with a 64 KiB file limit to exercise 413s cheaply."""
    settings = Settings(
        data_dir=migrated_data_dir, scheduler_enabled=False, max_file_bytes=64 * 1024
    )
    with TestClient(create_app(settings), headers=AUTH) as test_client:
        yield test_client


def upload(client: TestClient, data: bytes = b'{"a": 1}\n', **form: str) -> dict:
    """POST /v1/files and return the JSON answer (asserting 200)."""
    response = client.post(
        "/v1/files",
        files={"file": ("train.jsonl", data)},
        data={"purpose": "fine-tune", **form},
    )
    assert response.status_code == 200, response.text
    return response.json()


def test_upload_returns_an_openai_file(client: TestClient) -> None:
    body = upload(client, b"hello\n")
    validate_response("/files", "post", 200, body)
    assert body["bytes"] == 6 and body["filename"] == "train.jsonl"
    assert body["purpose"] == "fine-tune" and body["status"] == "processed"
    assert "expires_at" not in body  # OpenAI's schema does not allow null there


def test_expires_after_sets_expires_at(client: TestClient) -> None:
    body = upload(
        client, **{"expires_after[anchor]": "created_at", "expires_after[seconds]": "3600"}
    )
    assert body["expires_at"] == body["created_at"] + 3600


@pytest.mark.parametrize(
    ("form", "param"),
    [
        (
            {"expires_after[anchor]": "created_at", "expires_after[seconds]": "60"},
            "expires_after.seconds",
        ),
        (
            {"expires_after[anchor]": "last_active_at", "expires_after[seconds]": "3600"},
            "expires_after.anchor",
        ),
        ({"expires_after[anchor]": "created_at"}, "expires_after.seconds"),
        ({"purpose": "fine-tune-results"}, "purpose"),
        ({"purpose": "nonsense"}, "purpose"),
    ],
)
def test_invalid_fields_are_400_naming_the_param(
    client: TestClient, form: dict, param: str
) -> None:
    response = client.post(
        "/v1/files", files={"file": ("a", b"x")}, data={"purpose": "fine-tune", **form}
    )
    assert response.status_code == 400
    assert response.json()["error"]["param"] == param
    assert response.json()["error"]["type"] == "invalid_request_error"


def test_missing_file_is_400_naming_file(client: TestClient) -> None:
    response = client.post("/v1/files", data={"purpose": "fine-tune"})
    assert response.status_code == 400
    assert response.json()["error"]["param"] == "file"


def test_a_file_over_the_limit_is_413_and_not_stored(client: TestClient) -> None:
    response = client.post(
        "/v1/files", files={"file": ("big", b"x" * (64 * 1024 + 1))}, data={"purpose": "batch"}
    )
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "payload_too_large"
    assert client.get("/v1/files").json()["data"] == []


def test_a_file_at_the_limit_is_accepted(client: TestClient) -> None:
    assert upload(client, b"x" * (64 * 1024))["bytes"] == 64 * 1024


def test_retrieve_content_delete(client: TestClient) -> None:
    body = upload(client, b"line one\nline two\n")
    retrieved = client.get(f"/v1/files/{body['id']}")
    assert retrieved.json() == body
    validate_response("/files/{file_id}", "get", 200, retrieved.json())
    content = client.get(f"/v1/files/{body['id']}/content")
    assert content.content == b"line one\nline two\n"
    assert content.headers["content-length"] == "18"
    deleted = client.delete(f"/v1/files/{body['id']}")
    assert deleted.json() == {"id": body["id"], "object": "file", "deleted": True}
    validate_response("/files/{file_id}", "delete", 200, deleted.json())
    for method, path in [
        ("GET", f"/v1/files/{body['id']}"),
        ("GET", f"/v1/files/{body['id']}/content"),
        ("DELETE", f"/v1/files/{body['id']}"),
    ]:
        response = client.request(method, path)
        assert response.status_code == 404
        assert response.json()["error"]["message"] == f"No such File object: {body['id']}"


def test_list_filters_orders_and_pages(client: TestClient) -> None:
    a = upload(client)["id"]
    b = upload(client, purpose="batch")["id"]
    c = upload(client)["id"]
    page = client.get("/v1/files").json()
    validate_response("/files", "get", 200, page)
    assert [f["id"] for f in page["data"]] == [c, b, a]
    assert (page["first_id"], page["last_id"], page["has_more"]) == (c, a, False)
    assert [f["id"] for f in client.get("/v1/files?order=asc").json()["data"]] == [a, b, c]
    assert [f["id"] for f in client.get("/v1/files?purpose=batch").json()["data"]] == [b]
    first = client.get("/v1/files?limit=2").json()
    assert [f["id"] for f in first["data"]] == [c, b] and first["has_more"]
    rest = client.get(f"/v1/files?limit=2&after={first['last_id']}").json()
    assert [f["id"] for f in rest["data"]] == [a] and not rest["has_more"]


@pytest.mark.parametrize(
    ("query", "param"), [("limit=0", "limit"), ("limit=10001", "limit"), ("order=up", "order")]
)
def test_list_validates_its_query(client: TestClient, query: str, param: str) -> None:
    response = client.get(f"/v1/files?{query}")
    assert response.status_code == 400
    assert response.json()["error"]["param"] == param


def test_the_spec_declares_the_operations_and_the_multipart_body(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    operations = {
        op["operationId"]: op
        for path, item in spec["paths"].items()
        if path.startswith("/v1/files")
        for op in item.values()
    }
    assert set(operations) == {
        "files-create",
        "files-list",
        "files-retrieve",
        "files-delete",
        "files-content",
    }
    body = operations["files-create"]["requestBody"]["content"]["multipart/form-data"]["schema"]
    form = spec["components"]["schemas"][body["$ref"].rsplit("/", 1)[1]]
    assert {"file", "purpose"} <= set(form["required"])
    # OpenAPI 3.1 spells a binary upload contentMediaType (3.0 said format: binary).
    assert form["properties"]["file"]["contentMediaType"] == "application/octet-stream"
    ok = operations["files-retrieve"]["responses"]["200"]["content"]["application/json"]
    assert ok["schema"]["$ref"].endswith("/OpenAIFile")
