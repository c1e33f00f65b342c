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
def client(data_dir: Path) -> Iterator[TestClient]:
    """The app plus two test-only routes that fail."""
    app = create_app(Settings(data_dir=data_dir, scheduler_enabled=False))

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
    assert response.headers["allow"]  # Starlette names the methods of the first route matched


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
    assert error["param"] == "bytes" and error["code"] == "invalid_value"
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
