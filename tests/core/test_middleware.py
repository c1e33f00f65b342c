"""Body limits with and without Content-Length, and request ids, over a real ASGI stack."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from service.app import create_app
from service.core.config import Settings
from service.core.middleware import body_limit_policy, header_size

AUTH = {"Authorization": "Bearer sk-test"}
BOUNDARY = "whetstone-test-boundary"
LIMIT = 64 * 1024


@pytest.fixture
def client(migrated_data_dir: Path) -> Iterator[TestClient]:
    """The app with a 64 KiB file limit (the middleware allows 1 MiB of multipart slack)."""
    settings = Settings(
        data_dir=migrated_data_dir,
        scheduler_enabled=False,
        max_file_bytes=LIMIT,
        max_json_body_bytes=1024,
    )
    with TestClient(create_app(settings), headers=AUTH) as test_client:
        yield test_client


def multipart_chunks(payload_bytes: int) -> Iterator[bytes]:
    """A multipart body with one file field, produced piece by piece."""
    yield (
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="purpose"\r\n\r\nbatch\r\n'
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="f"\r\n'
        "Content-Type: application/octet-stream\r\n\r\n"
    ).encode()
    for start in range(0, payload_bytes, 64 * 1024):
        yield b"x" * min(64 * 1024, payload_bytes - start)
    yield f"\r\n--{BOUNDARY}--\r\n".encode()


async def async_chunks(payload_bytes: int) -> AsyncIterator[bytes]:
    """multipart_chunks as an async stream, so httpx sends no Content-Length."""
    for chunk in multipart_chunks(payload_bytes):
        yield chunk


HEADERS = {**AUTH, "content-type": f"multipart/form-data; boundary={BOUNDARY}"}
OVER_SLACK = LIMIT + 1024 * 1024 + 1


def test_a_declared_length_over_the_limit_is_refused_before_reading(client: TestClient) -> None:
    body = b"".join(multipart_chunks(OVER_SLACK))
    response = client.post("/v1/files", content=body, headers=HEADERS)
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "payload_too_large"
    assert response.headers["x-request-id"]


def test_a_body_between_the_limit_and_the_slack_is_refused_by_the_endpoint(
    client: TestClient,
) -> None:
    body = b"".join(multipart_chunks(LIMIT + 10))
    response = client.post("/v1/files", content=body, headers=HEADERS)
    assert response.status_code == 413
    assert response.json()["error"]["param"] == "file"


def test_a_chunked_body_over_the_limit_is_refused_while_counting(data_dir: Path) -> None:
    asyncio.run(_chunked_body_over_the_limit(data_dir))


async def _chunked_body_over_the_limit(data_dir: Path) -> None:
    settings = Settings(data_dir=data_dir, scheduler_enabled=False, max_file_bytes=LIMIT)
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            request = client.build_request(
                "POST", "/v1/files", content=async_chunks(OVER_SLACK), headers=HEADERS
            )
            assert "content-length" not in request.headers
            response = await client.send(request)
            assert response.status_code == 413
            assert response.json()["error"]["type"] == "invalid_request_error"
            assert response.headers["x-request-id"]
            listed = await client.get("/v1/files", headers=AUTH)
            assert listed.json()["data"] == []
            small = client.build_request(
                "POST", "/v1/files", content=async_chunks(1000), headers=HEADERS
            )
            assert (await client.send(small)).status_code == 200


def test_a_json_body_over_its_limit_is_413(client: TestClient) -> None:
    response = client.post("/v1/uploads", json={"filename": "x" * 2000})
    assert response.status_code == 413


def test_an_incoming_request_id_is_echoed(client: TestClient) -> None:
    response = client.get("/v1/files", headers={"x-request-id": "req_from_client"})
    assert response.headers["x-request-id"] == "req_from_client"


def test_route_limits() -> None:
    limit_for = body_limit_policy(file_bytes=10, part_bytes=20, json_bytes=30)
    slack = 1024 * 1024
    assert limit_for("/v1/files") == 10 + slack
    assert limit_for("/v1/uploads/upload_x/parts") == 20 + slack
    assert limit_for("/v1/uploads") == 30


def test_headers_over_the_limit_are_431_in_the_envelope(data_dir: Path) -> None:
    settings = Settings(data_dir=data_dir, scheduler_enabled=False, max_header_bytes=4096)
    with TestClient(create_app(settings), headers=AUTH) as client:
        assert client.get("/v1/files", headers={"x-pad": "a" * 3000}).status_code == 200
        response = client.get("/v1/files", headers={"x-pad": "a" * 5000})
        assert response.status_code == 431
        error = response.json()["error"]
        assert (error["type"], error["code"]) == ("invalid_request_error", "headers_too_large")
        assert "4096" in error["message"]
        assert response.headers["x-request-id"]
        assert response.headers["connection"] == "close"


def test_header_size_counts_names_values_and_separators() -> None:
    assert header_size([(b"host", b"x"), (b"a", b"bc")]) == (4 + 1 + 4) + (1 + 2 + 4)
