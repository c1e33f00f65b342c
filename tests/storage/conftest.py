"""Store fixtures: every behaviour test runs on LocalStore and on S3Store against moto."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import boto3
import pytest

from service.core.config import Settings
from service.storage.base import ArtifactStore
from service.storage.local import LocalStore
from service.storage.s3 import S3Store
from tests.harness import MotoServer

# Small enough that a test crosses it with a few MiB; parts are still S3's 5 MiB minimum.
TEST_THRESHOLD_BYTES = 1024 * 1024


def make_bucket(moto_server: MotoServer, name: str) -> None:
    """Create a bucket on the moto server."""
    boto3.client("s3", endpoint_url=moto_server.endpoint_url).create_bucket(Bucket=name)


def s3_store(moto_server: MotoServer, bucket: str, prefix: str = "whetstone") -> S3Store:
    """An S3Store built exactly as the server builds it, from settings."""
    settings = Settings(
        storage_url=f"s3://{bucket}/{prefix}",
        s3_endpoint_url=moto_server.endpoint_url,
        s3_multipart_threshold_bytes=TEST_THRESHOLD_BYTES,
    )
    return S3Store.from_settings(settings)


@pytest.fixture(params=["local", "s3"])
def store(
    request: pytest.FixtureRequest, tmp_path: Path, moto_server: MotoServer
) -> Iterator[ArtifactStore]:
    """A fresh, empty store of each backend."""
    if request.param == "local":
        yield LocalStore(tmp_path / "artifacts")
        return
    bucket = f"store-{uuid.uuid4().hex[:16]}"
    make_bucket(moto_server, bucket)
    yield s3_store(moto_server, bucket)
