"""/v1/uploads end to end with the official SDK, on local disk and on S3 (moto)."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator
from pathlib import Path

import openai
import pytest

from tests.contract.openai_schema import validate_response
from tests.e2e.backends import Backend, start_backend
from tests.e2e.conftest import openai_client

pytestmark = pytest.mark.e2e


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


def test_upload_file_chunked_from_a_path(
    client: openai.OpenAI, backend: Backend, tmp_path: Path
) -> None:
    data = os.urandom(300_000)
    path = tmp_path / "train.jsonl"
    path.write_bytes(data)
    upload = client.uploads.upload_file_chunked(
        file=path,
        mime_type="text/jsonl",
        purpose="fine-tune",
        part_size=64 * 1024,
        md5=hashlib.md5(data).hexdigest(),
    )
    assert upload.status == "completed"
    assert upload.file is not None and upload.file.bytes == len(data)
    assert client.files.content(upload.file.id).read() == data
    assert client.files.retrieve(upload.file.id).filename == "train.jsonl"
    if backend.name == "s3":
        assert backend.object_bytes(f"files/proj_local/{upload.file.id}") == data
        assert backend.object_keys(f"uploads/proj_local/{upload.id}/") == []


def test_upload_file_chunked_from_bytes(client: openai.OpenAI) -> None:
    data = b'{"messages": []}\n' * 5000
    upload = client.uploads.upload_file_chunked(
        file=data,
        filename="mem.jsonl",
        bytes=len(data),
        mime_type="text/jsonl",
        purpose="fine-tune",
        part_size=20_000,
    )
    assert upload.file is not None
    assert client.files.content(upload.file.id).read() == data


def test_every_response_matches_openais_schemas(client: openai.OpenAI, backend: Backend) -> None:
    created = client.uploads.with_raw_response.create(
        filename="f.jsonl", purpose="fine-tune", bytes=6, mime_type="text/jsonl"
    ).http_response.json()
    validate_response("/uploads", "post", 200, created)
    parts = []
    for chunk in (b"abc", b"def"):
        raw = client.uploads.parts.with_raw_response.create(created["id"], data=chunk)
        parts.append(raw.http_response.json())
        validate_response("/uploads/{upload_id}/parts", "post", 200, parts[-1])
    if backend.name == "s3":
        assert len(backend.object_keys(f"uploads/proj_local/{created['id']}/")) == 2
    completed = client.uploads.with_raw_response.complete(
        created["id"], part_ids=[parts[1]["id"], parts[0]["id"]]
    ).http_response.json()
    validate_response("/uploads/{upload_id}/complete", "post", 200, completed)
    assert completed["status"] == "completed"
    assert client.files.content(completed["file"]["id"]).read() == b"defabc"

    other = client.uploads.create(
        filename="g.jsonl", purpose="batch", bytes=1, mime_type="text/jsonl"
    )
    cancelled = client.uploads.with_raw_response.cancel(other.id).http_response.json()
    validate_response("/uploads/{upload_id}/cancel", "post", 200, cancelled)
    assert cancelled["status"] == "cancelled"


def test_refusals_surface_as_sdk_errors(client: openai.OpenAI) -> None:
    upload = client.uploads.create(
        filename="f.jsonl", purpose="fine-tune", bytes=10, mime_type="text/jsonl"
    )
    part = client.uploads.parts.create(upload.id, data=b"short")
    with pytest.raises(openai.BadRequestError) as mismatch:
        client.uploads.complete(upload.id, part_ids=[part.id])
    assert mismatch.value.param == "part_ids"
    client.uploads.cancel(upload.id)
    with pytest.raises(openai.BadRequestError) as late:
        client.uploads.parts.create(upload.id, data=b"more")
    assert late.value.code == "upload_cancelled"
    with pytest.raises(openai.NotFoundError):
        client.uploads.cancel("upload_does_not_exist")
