"""Servers for the e2e modules, on local disk or on a real moto S3 server."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import boto3
import pytest

from tests.harness import MotoServer, ServerProcess


@dataclass
class Backend:
    """A running server and, on S3, a way to look into its bucket with plain boto3."""

    name: str
    server: ServerProcess
    bucket: str | None = None
    prefix: str = "whetstone"
    s3: Any = field(default=None, repr=False)

    def object_keys(self, under: str = "") -> list[str]:
        """Keys in the bucket under `prefix/under`, without the prefix (S3 only)."""
        listed = self.s3.list_objects_v2(Bucket=self.bucket, Prefix=f"{self.prefix}/{under}")
        return [item["Key"][len(self.prefix) + 1 :] for item in listed.get("Contents", [])]

    def object_bytes(self, key: str) -> bytes:
        """An object's bytes read straight from the bucket (S3 only)."""
        return self.s3.get_object(Bucket=self.bucket, Key=f"{self.prefix}/{key}")["Body"].read()


def start_backend(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    env: dict[str, str] | None = None,
) -> Iterator[Backend]:
    """Start a server for `request.param` ("local" or "s3"), yield it, stop it."""
    env = {"WHETSTONE_SCHEDULER_ENABLED": "false", **(env or {})}
    data_dir = Path(tmp_path_factory.mktemp(f"server-{request.param}"))
    if request.param == "local":
        server = ServerProcess(data_dir, env).start()
        yield Backend("local", server)
        server.stop()
        return
    moto: MotoServer = request.getfixturevalue("moto_server")
    bucket = f"e2e-{uuid.uuid4().hex[:16]}"
    s3 = boto3.client("s3", endpoint_url=moto.endpoint_url)
    s3.create_bucket(Bucket=bucket)
    env |= {
        "WHETSTONE_STORAGE_URL": f"s3://{bucket}/whetstone",
        "WHETSTONE_S3_ENDPOINT_URL": moto.endpoint_url,
    }
    server = ServerProcess(data_dir, env).start()
    yield Backend("s3", server, bucket=bucket, s3=s3)
    server.stop()
