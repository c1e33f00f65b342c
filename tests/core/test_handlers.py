"""The one error handler: every failure is OpenAI's envelope, with x-request-id."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from service.app import create_app
from service.core.config import Settings
from service.core.errors import StorageUnavailableError
from tests.contract.openai_schema import spec

AUTH = {"Authorization": "Bearer sk-test"}


@pytest.fixture
def client(migrated_data_dir: Path) -> Iterator[TestClient]:
    """The app plus two test-only routes that fail."""
    app = create_app(Settings(data_dir=migrated_data_dir, scheduler_enabled=False))

    @app.get("/test-only/crash")
    def crash() -> None:
        raise RuntimeError("secret internal detail")

    @app.get("/test-only/storage-down")
    def storage_down() -> None:
        raise StorageUnavailableError("S3 endpoint unreachable")

    with TestClient(app, headers=AUTH, raise_server_exceptions=False) as test_client:
        yield test_client


def assert_envelope(response, status: int, error_type: str = "invalid_request_error") -> dict:
    """The response is OpenAI's error envelope with `status`; return its `error`."""
    assert response.status_code == status
    assert response.headers["x-request-id"]
    body = response.json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"message", "type", "param", "code"}
    assert body["error"]["type"] == error_type
    return body["error"]


def test_envelope_matches_openais_error_schema() -> None:
    error_schema = spec()["components"]["schemas"]["Error"]
    assert set(error_schema["required"]) == {"message", "type", "param", "code"}


def test_unknown_route_is_404(client: TestClient) -> None:
    error = assert_envelope(client.get("/v1/nothing-here"), 404)
    assert error["code"] == "unknown_url"


def test_wrong_method_is_405(client: TestClient) -> None:
    response = client.put("/v1/files")
    error = assert_envelope(response, 405)
    assert error["code"] == "method_not_allowed"


@pytest.mark.parametrize(
    ("method", "path", "allow"),
    [
        ("PUT", "/v1/files", "GET, POST"),  # Starlette alone said "POST"
        ("OPTIONS", "/v1/files/file-x", "GET, DELETE"),
        ("DELETE", "/v1/fine_tuning/jobs", "GET, POST"),
        ("PATCH", "/v1/models/whetstone-tiny", "GET, DELETE"),
        ("GET", "/v1/uploads/upload_x/parts", "POST"),
        ("POST", "/healthz", "GET"),
    ],
)
def test_a_405_allows_every_method_of_the_path(
    client: TestClient, method: str, path: str, allow: str
) -> None:
    response = client.request(method, path)
    assert_envelope(response, 405)
    assert response.headers["allow"] == allow


def test_malformed_json_is_400(client: TestClient) -> None:
    response = client.post(
        "/v1/uploads", content=b'{"filename": ', headers={"content-type": "application/json"}
    )
    assert assert_envelope(response, 400)["code"] == "invalid_json"


def test_malformed_multipart_is_400(client: TestClient) -> None:
    response = client.post(
        "/v1/files",
        content=b'--xyz\r\nContent-Disposition: form-data; name="purpose"\r\n\r\nbatch',
        headers={"content-type": "multipart/form-data; boundary=xyz"},
    )
    assert_envelope(response, 400)


def test_validation_error_names_the_param(client: TestClient) -> None:
    response = client.post(
        "/v1/uploads",
        json={"filename": "f", "purpose": "fine-tune", "bytes": "many", "mime_type": "t"},
    )
    error = assert_envelope(response, 400)
    assert error["param"] == "bytes" and error["code"] == "invalid_type"
    missing = assert_envelope(client.post("/v1/uploads", json={"filename": "f"}), 400)
    assert missing["code"] == "missing_required_parameter"


def test_unexpected_exception_is_500_without_trace(
    client: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    response = client.get("/test-only/crash", headers={"x-request-id": "req_trace_me"})
    error = assert_envelope(response, 500, "server_error")
    assert "secret internal detail" not in response.text
    assert "Traceback" not in response.text
    assert "req_trace_me" in error["message"]
    assert response.headers["x-request-id"] == "req_trace_me"
    assert any("req_trace_me" in record.getMessage() for record in caplog.records)


def test_storage_unavailable_is_503(client: TestClient) -> None:
    error = assert_envelope(client.get("/test-only/storage-down"), 503, "server_error")
    assert error["message"] == "S3 endpoint unreachable"


def test_successes_carry_a_request_id_too(client: TestClient) -> None:
    response = client.get("/v1/files")
    assert response.status_code == 200
    assert response.headers["x-request-id"].startswith("req_")


UPLOAD = {"filename": "f.jsonl", "purpose": "fine-tune", "bytes": 10, "mime_type": "text/jsonl"}


@pytest.mark.parametrize(
    ("path", "body", "param", "got"),
    [
        ("/v1/uploads", {**UPLOAD, "bytes": False}, "bytes", "a boolean"),  # was a 0-byte upload
        ("/v1/uploads", {**UPLOAD, "bytes": 10.5}, "bytes", "a decimal number"),
        ("/v1/uploads", {**UPLOAD, "filename": 7}, "filename", "an integer"),
        ("/v1/uploads/upload_x/complete", {"part_ids": [True]}, "part_ids[0]", "a boolean"),
        (
            "/v1/fine_tuning/jobs",
            {"model": "babbage-002", "training_file": "file-x", "seed": True},
            "seed",
            "a boolean",
        ),
        (
            "/v1/chat/completions",
            {"model": "m", "messages": [{"role": "user", "content": "hi"}], "n": True},
            "n",
            "a boolean",
        ),
        (
            "/v1/chat/completions",
            {"model": "m", "messages": [{"role": "user", "content": "hi"}], "temperature": True},
            "temperature",
            "a boolean",
        ),
        ("/v1/completions", {"model": "m", "prompt": "hi", "stream": 1}, "stream", "an integer"),
    ],
)
def test_json_types_are_strict(
    client: TestClient, path: str, body: dict, param: str, got: str
) -> None:
    error = assert_envelope(client.post(path, json=body), 400)
    assert (error["param"], error["code"]) == (param, "invalid_type")
    assert f"but got {got} instead" in error["message"]


def test_an_integer_is_still_a_number_and_a_whole_decimal_an_integer(client: TestClient) -> None:
    # JSON Schema reads `1` as a number and `2.0` as an integer; so does validation, and the
    # request gets past it to the model lookup.
    body = {"model": "no-such-model", "messages": [{"role": "user", "content": "hi"}]}
    numbers = {"temperature": 1, "top_p": 1, "n": 2.0, "max_tokens": 5.0, "logit_bias": {"1": 3.0}}
    response = client.post("/v1/chat/completions", json={**body, **numbers})
    assert assert_envelope(response, 404)["code"] == "model_not_found"
    upload = client.post("/v1/uploads", json={**UPLOAD, "bytes": 10.0})
    assert upload.status_code == 200
    assert upload.json()["bytes"] == 10


def test_a_union_error_names_the_field_not_the_branch(client: TestClient) -> None:
    body = {"model": "m", "messages": [{"role": "user", "content": "hi"}], "stop": 5}
    error = assert_envelope(client.post("/v1/chat/completions", json=body), 400)
    assert error["param"] == "stop"  # pydantic's loc is ("stop", "str")


@pytest.mark.parametrize(
    "query", ["metadata[]=null", "metadata[a][b]=x", "metadata[a=x", "metadata[]=x"]
)
def test_a_malformed_metadata_filter_is_400(client: TestClient, query: str) -> None:
    error = assert_envelope(client.get(f"/v1/fine_tuning/jobs?{query}"), 400)
    assert error["param"] == "metadata"


def test_a_metadata_filter_still_filters(client: TestClient) -> None:
    response = client.get("/v1/fine_tuning/jobs?metadata[suite]=x&limit=5")
    assert response.status_code == 200
    assert response.json()["data"] == []


def post_raw(client: TestClient, body: bytes, content_type: str = "application/json") -> dict:
    """POST /v1/uploads with `body` as is; the error of the 400 that must come back."""
    headers = {"content-type": content_type} if content_type else {}
    return assert_envelope(client.post("/v1/uploads", content=body, headers=headers), 400)


def test_json_nested_a_million_deep_is_invalid_json(client: TestClient) -> None:
    for body in (b"[" * 1_000_000 + b"]" * 1_000_000, b'{"a":' * 100_000 + b"1" + b"}" * 100_000):
        error = post_raw(client, body)
        assert error["code"] == "invalid_json"
        assert "nests arrays or objects deeper" in error["message"]


def test_a_body_that_is_not_utf8_is_invalid_json(client: TestClient) -> None:
    error = post_raw(client, b'{"filename": "\xff"}')
    assert error["code"] == "invalid_json"
    assert "not valid UTF-8" in error["message"]


@pytest.mark.parametrize(
    ("body", "is_"), [(b"[1, 2]", "an array"), (b'"x"', "a string"), (b"null", "null")]
)
def test_a_json_body_that_is_no_object_says_so(client: TestClient, body: bytes, is_: str) -> None:
    error = post_raw(client, body)
    assert error["message"] == f"The request body must be a JSON object, but it is {is_}."
    assert (error["param"], error["code"]) == (None, "invalid_type")


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (b"hello", "text/plain"),
        (b'{"filename": "f"}', ""),
        (b"a=b", "application/x-www-form-urlencoded"),
        (b"", "application/json"),
    ],
)
def test_a_body_that_is_not_json_says_so(
    client: TestClient, body: bytes, content_type: str
) -> None:
    error = post_raw(client, body, content_type)
    assert error["code"] == "invalid_json"
    assert "None" not in error["message"]
    assert "Content-Type: application/json" in error["message"]
