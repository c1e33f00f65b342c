"""S3Store specifics against a real moto server: configuration, multipart, failing fast."""

from __future__ import annotations

import os
import uuid
from typing import Any

import boto3
import pytest

from service.core.config import Settings
from service.core.errors import StorageUnavailableError
from service.storage import open_store
from service.storage.s3 import S3Store
from tests.harness import MotoServer, free_port
from tests.storage.conftest import TEST_THRESHOLD_BYTES, make_bucket, s3_store

MIB = 1024 * 1024


@pytest.fixture
def bucket(moto_server: MotoServer) -> str:
    """A fresh bucket."""
    name = f"s3-{uuid.uuid4().hex[:16]}"
    make_bucket(moto_server, name)
    return name


def raw_client(moto_server: MotoServer) -> Any:
    """A plain boto3 client, to look at the bucket the way an operator would."""
    return boto3.client("s3", endpoint_url=moto_server.endpoint_url)


def test_open_store_selects_s3_from_the_storage_url(moto_server: MotoServer, bucket: str) -> None:
    store = open_store(
        Settings(storage_url=f"s3://{bucket}/some/prefix", s3_endpoint_url=moto_server.endpoint_url)
    )
    assert isinstance(store, S3Store)
    assert store.url == f"s3://{bucket}/some/prefix"
    store.put_bytes("files/p/file-1", b"hello")
    listed = raw_client(moto_server).list_objects_v2(Bucket=bucket)["Contents"]
    assert [item["Key"] for item in listed] == ["some/prefix/files/p/file-1"]


def test_a_store_without_prefix_uses_the_bucket_root(moto_server: MotoServer, bucket: str) -> None:
    store = S3Store.from_settings(
        Settings(storage_url=f"s3://{bucket}", s3_endpoint_url=moto_server.endpoint_url)
    )
    store.put_bytes("a/b", b"1")
    assert raw_client(moto_server).get_object(Bucket=bucket, Key="a/b")["Body"].read() == b"1"
    assert store.list_keys("a/") == ["a/b"]


def test_small_objects_go_in_one_put(moto_server: MotoServer, bucket: str) -> None:
    store = s3_store(moto_server, bucket)
    store.put_stream("small", [b"x" * 1000, b"y" * 1000])
    etag = raw_client(moto_server).head_object(Bucket=bucket, Key="whetstone/small")["ETag"]
    assert "-" not in etag.strip('"')


def test_objects_above_the_threshold_use_multipart(moto_server: MotoServer, bucket: str) -> None:
    store = s3_store(moto_server, bucket)
    data = os.urandom(12 * MIB)
    assert len(data) > TEST_THRESHOLD_BYTES
    store.put_stream("big", (data[i : i + MIB] for i in range(0, len(data), MIB)))
    head = raw_client(moto_server).head_object(Bucket=bucket, Key="whetstone/big")
    # A multipart object's ETag ends with -<number of parts>; 12 MiB in 5 MiB parts is 3.
    assert head["ETag"].strip('"').endswith("-3")
    assert store.get_bytes("big") == data


def test_a_failed_multipart_write_is_aborted(moto_server: MotoServer, bucket: str) -> None:
    store = s3_store(moto_server, bucket)

    def failing() -> object:
        yield os.urandom(6 * MIB)
        raise OSError("disk read failed")

    with pytest.raises(OSError, match="disk read failed"):
        store.put_stream("broken", failing())
    client = raw_client(moto_server)
    assert client.list_multipart_uploads(Bucket=bucket).get("Uploads", []) == []
    assert client.list_objects_v2(Bucket=bucket).get("Contents", []) == []


def test_check_names_a_missing_bucket_in_one_line(moto_server: MotoServer) -> None:
    store = s3_store(moto_server, "no-such-bucket-here")
    with pytest.raises(StorageUnavailableError) as raised:
        store.check()
    message = raised.value.message
    assert "no-such-bucket-here" in message
    assert "does not exist" in message
    assert "\n" not in message


def test_check_fails_fast_on_an_unreachable_endpoint() -> None:
    # Nothing listens on this port: connection refused, not a hang through retries.
    store = S3Store.from_settings(
        Settings(storage_url="s3://b/p", s3_endpoint_url=f"http://127.0.0.1:{free_port()}")
    )
    with pytest.raises(StorageUnavailableError) as raised:
        store.check()
    assert "unreachable" in raised.value.message
    assert "\n" not in raised.value.message


def test_operations_on_a_deleted_bucket_are_storage_unavailable(
    moto_server: MotoServer, bucket: str
) -> None:
    store = s3_store(moto_server, bucket)
    raw_client(moto_server).delete_bucket(Bucket=bucket)
    with pytest.raises(StorageUnavailableError):
        store.put_bytes("k", b"v")


def test_from_settings_refuses_a_url_without_bucket() -> None:
    with pytest.raises(ValueError, match="s3://bucket/prefix"):
        S3Store.from_settings(Settings(storage_url="s3:///prefix"))


def test_the_clients_carry_the_configured_deadlines() -> None:
    store = S3Store.from_settings(
        Settings(
            storage_url="s3://b/p",
            s3_endpoint_url="http://127.0.0.1:9",
            s3_connect_timeout_seconds=1.5,
            s3_read_timeout_seconds=2.5,
            s3_transfer_timeout_seconds=7.0,
            s3_max_attempts=3,
        )
    )
    metadata, transfer = store.client.meta.config, store.transfer_client.meta.config
    assert (metadata.connect_timeout, metadata.read_timeout) == (1.5, 2.5)
    assert (transfer.connect_timeout, transfer.read_timeout) == (1.5, 7.0)
    for config in (metadata, transfer):
        assert config.retries["total_max_attempts"] == 3
