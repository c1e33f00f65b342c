"""/v1/files end to end with the official SDK, on local disk and on S3 (moto)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import openai
import pytest

from tests.contract.openai_schema import validate_response
from tests.e2e.backends import Backend, start_backend
from tests.e2e.conftest import openai_client

pytestmark = pytest.mark.e2e
MIB = 1024 * 1024


@pytest.fixture(scope="module", params=["local", "s3"])
def backend(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Backend]:
    """One server per storage backend for this module."""
    yield from start_backend(request, tmp_path_factory)


@pytest.fixture(scope="module")
def client(backend: Backend) -> openai.OpenAI:
    """The official client for the backend's server."""
    return openai_client(backend.server)


def create(client: openai.OpenAI, data: bytes, purpose: str = "fine-tune", **kw: object) -> dict:
    """Upload through the SDK; return the raw JSON after checking it against OpenAI's schema."""
    raw = client.files.with_raw_response.create(file=("train.jsonl", data), purpose=purpose, **kw)
    body = raw.http_response.json()
    validate_response("/files", "post", 200, body)
    return body


def test_upload_retrieve_content_delete(client: openai.OpenAI, backend: Backend) -> None:
    data = b'{"messages": []}\n' * 100
    created = create(client, data)
    assert created["bytes"] == len(data)
    retrieved = client.files.with_raw_response.retrieve(created["id"]).http_response.json()
    validate_response("/files/{file_id}", "get", 200, retrieved)
    assert retrieved == created
    assert client.files.content(created["id"]).read() == data
    if backend.name == "s3":
        key = f"files/proj_local/{created['id']}"
        assert backend.object_bytes(key) == data
    deleted = client.files.with_raw_response.delete(created["id"]).http_response.json()
    validate_response("/files/{file_id}", "delete", 200, deleted)
    assert deleted == {"id": created["id"], "object": "file", "deleted": True}
    with pytest.raises(openai.NotFoundError) as raised:
        client.files.retrieve(created["id"])
    assert raised.value.param == "id"
    with pytest.raises(openai.NotFoundError):
        client.files.content(created["id"])
    with pytest.raises(openai.NotFoundError):
        client.files.delete(created["id"])
    if backend.name == "s3":
        assert f"files/proj_local/{created['id']}" not in backend.object_keys("files/")


def test_expires_after_is_honoured(client: openai.OpenAI) -> None:
    created = create(
        client, b"x", purpose="batch", expires_after={"anchor": "created_at", "seconds": 3600}
    )
    assert created["expires_at"] == created["created_at"] + 3600


def test_list_pages_filters_and_orders(client: openai.OpenAI, tmp_path: Path) -> None:
    ours = [create(client, f"{i}\n".encode(), purpose="user_data")["id"] for i in range(5)]
    raw = client.files.with_raw_response.list(purpose="user_data", limit=2).http_response.json()
    validate_response("/files", "get", 200, raw)
    assert [f["id"] for f in raw["data"]] == ours[::-1][:2] and raw["has_more"]
    after = client.files.list(purpose="user_data", limit=2, after=raw["last_id"])
    assert [f.id for f in after.data] == ours[::-1][2:4]
    # The SDK's auto-pagination follows `after` until has_more is false.
    assert [f.id for f in client.files.list(purpose="user_data", limit=2)] == ours[::-1]
    ascending = client.files.list(purpose="user_data", order="asc")
    assert [f.id for f in ascending] == ours
    assert all(f.purpose == "user_data" for f in client.files.list(purpose="user_data"))
    assert not any(f.id in ours for f in client.files.list(purpose="batch"))


def test_a_server_produced_purpose_is_refused(client: openai.OpenAI) -> None:
    with pytest.raises(openai.BadRequestError) as raised:
        client.files.create(file=("r.csv", b"a,b\n"), purpose="fine-tune-results")  # type: ignore[arg-type]
    assert raised.value.param == "purpose"
    assert raised.value.type == "invalid_request_error"


def vm_kib(pid: int, field: str) -> int:
    """A /proc/<pid>/status memory field (VmHWM, VmRSS) in KiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1])
    raise KeyError(field)


def streamed_multipart(boundary: str, size: int) -> Iterator[bytes]:
    """A multipart body holding a `size`-byte file, generated 1 MiB at a time."""
    yield (
        f'--{boundary}\r\nContent-Disposition: form-data; name="purpose"\r\n\r\nbatch\r\n'
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="big.jsonl"\r\n'
        "Content-Type: application/octet-stream\r\n\r\n"
    ).encode()
    block = b'{"x": 1}\n' * (MIB // 9) + b"\n" * (MIB % 9)
    for start in range(0, size, MIB):
        yield block[: min(MIB, size - start)]
    yield f"\r\n--{boundary}--\r\n".encode()


def test_a_64_mib_upload_grows_server_memory_by_far_less(backend: Backend) -> None:
    size = 64 * MIB
    pid = backend.server.pid
    httpx.get(f"{backend.server.base_url}/v1/files", headers={"Authorization": "Bearer k"})
    before = vm_kib(pid, "VmHWM")
    response = httpx.post(
        f"{backend.server.base_url}/v1/files",
        content=streamed_multipart("bound", size),
        headers={
            "Authorization": "Bearer k",
            "content-type": "multipart/form-data; boundary=bound",
        },
        timeout=120,
    )
    assert response.status_code == 200, response.text
    assert response.json()["bytes"] == size
    grown_mib = (vm_kib(pid, "VmHWM") - before) / 1024
    assert grown_mib < 100, f"peak RSS grew by {grown_mib:.0f} MiB for a 64 MiB upload"
