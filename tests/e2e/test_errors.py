"""Every error case end to end: the SDK raises the right class with OpenAI's envelope."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import openai
import pytest

from tests.contract.openai_schema import spec
from tests.e2e.conftest import openai_client
from tests.harness import ServerProcess

pytestmark = pytest.mark.e2e
MAX_FILE_BYTES = 4096
SLACK = 1024 * 1024


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    """A server with a 4 KiB file limit, so 413s are cheap."""
    process = ServerProcess(
        Path(tmp_path_factory.mktemp("errors")),
        {"WHETSTONE_MAX_FILE_BYTES": str(MAX_FILE_BYTES), "WHETSTONE_SCHEDULER_ENABLED": "false"},
    ).start()
    yield process
    process.stop()


@pytest.fixture(scope="module")
def client(server: ServerProcess) -> openai.OpenAI:
    """The official client."""
    return openai_client(server)


def assert_envelope(error: openai.APIStatusError, status: int) -> None:
    """The SDK saw OpenAI's envelope: a body with exactly its four fields, and a request id."""
    assert error.status_code == status
    body = error.response.json()
    assert set(body["error"]) == set(spec()["components"]["schemas"]["Error"]["required"])
    assert error.message and error.request_id == error.response.headers["x-request-id"]


def test_not_found(client: openai.OpenAI) -> None:
    with pytest.raises(openai.NotFoundError) as raised:
        client.files.retrieve("file-does-not-exist")
    assert_envelope(raised.value, 404)
    assert raised.value.type == "invalid_request_error"


def test_unknown_route(client: openai.OpenAI) -> None:
    with pytest.raises(openai.NotFoundError) as raised:
        client.get("/no/such/route", cast_to=httpx.Response)
    assert_envelope(raised.value, 404)
    assert raised.value.code == "unknown_url"


def test_wrong_method(client: openai.OpenAI) -> None:
    with pytest.raises(openai.APIStatusError) as raised:
        client.put("/files", cast_to=httpx.Response)
    assert_envelope(raised.value, 405)
    assert raised.value.code == "method_not_allowed"


def test_malformed_json(client: openai.OpenAI) -> None:
    with pytest.raises(openai.BadRequestError) as raised:
        client.post(
            "/uploads",
            cast_to=httpx.Response,
            content=b'{"filename": "x", ',
            options={"headers": {"content-type": "application/json"}},
        )
    assert_envelope(raised.value, 400)
    assert raised.value.code == "invalid_json"


def test_malformed_multipart(server: ServerProcess) -> None:
    # The SDK cannot send a broken multipart body (it builds its own), so plain httpx does.
    response = httpx.post(
        f"{server.base_url}/v1/files",
        content=b"--b\r\nContent-Disposition: form-data; name=purpose\r\n\r\nbatch",
        headers={"Authorization": "Bearer k", "content-type": "multipart/form-data; boundary=b"},
    )
    assert response.status_code == 400
    assert response.json()["error"]["type"] == "invalid_request_error"
    assert response.headers["x-request-id"]


def test_validation_error_names_the_param(client: openai.OpenAI) -> None:
    with pytest.raises(openai.BadRequestError) as raised:
        client.files.create(file=("a", b"x"), purpose="nonsense")  # type: ignore[arg-type]
    assert_envelope(raised.value, 400)
    assert raised.value.param == "purpose"
    with pytest.raises(openai.BadRequestError) as raised:
        client.files.list(limit=0)
    assert raised.value.param == "limit"


def test_missing_key(server: ServerProcess) -> None:
    response = httpx.get(f"{server.base_url}/v1/files")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "invalid_api_key"
    assert response.headers["x-request-id"]


def test_too_large_with_content_length(client: openai.OpenAI) -> None:
    with pytest.raises(openai.APIStatusError) as raised:
        client.files.create(file=("big", b"x" * (MAX_FILE_BYTES + 1)), purpose="batch")
    assert_envelope(raised.value, 413)
    assert raised.value.code == "payload_too_large"
    assert [f for f in client.files.list() if f.filename == "big"] == []


def chunked_body(size: int) -> Iterator[bytes]:
    """A multipart body with no declared length (sent chunked)."""
    yield (
        b'--b\r\nContent-Disposition: form-data; name="purpose"\r\n\r\nbatch\r\n'
        b'--b\r\nContent-Disposition: form-data; name="file"; filename="c"\r\n\r\n'
    )
    for start in range(0, size, 64 * 1024):
        yield b"x" * min(64 * 1024, size - start)
    yield b"\r\n--b--\r\n"


@pytest.mark.parametrize("size", [MAX_FILE_BYTES + 1, MAX_FILE_BYTES + SLACK + 1])
def test_too_large_without_content_length(server: ServerProcess, size: int) -> None:
    # Below the slack the endpoint refuses after parsing; above it the middleware's counting
    # receive stops reading mid-body.
    response = httpx.post(
        f"{server.base_url}/v1/files",
        content=chunked_body(size),
        headers={"Authorization": "Bearer k", "content-type": "multipart/form-data; boundary=b"},
    )
    assert response.request.headers.get("transfer-encoding") == "chunked"
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "payload_too_large"
    assert response.headers["x-request-id"]
