"""Cloud URIs read and written through the S3 endpoint of Whetstone's store, against moto."""

from __future__ import annotations

import uuid
from pathlib import Path

import boto3
import pytest

from service.core.errors import InvalidRequestError
from service.storage.buckets import (
    BucketObject,
    parse_bucket_uri,
    read_bucket_object,
    write_bucket_object,
)
from service.storage.local import LocalStore
from tests.harness import MotoServer
from tests.storage.conftest import make_bucket, s3_store


def test_parse_splits_scheme_bucket_and_key() -> None:
    parsed = parse_bucket_uri("s3://data/train/a.jsonl", schemes=("s3",))
    assert parsed == BucketObject(scheme="s3", bucket="data", key="train/a.jsonl")
    assert parsed.uri == "s3://data/train/a.jsonl"
    assert parse_bucket_uri("gs://b/k", schemes=("gs", "s3")).scheme == "gs"


@pytest.mark.parametrize("uri", ["gs://b/k", "s3://bucket", "s3://bucket/", "b/k", "s3:///k"])
def test_parse_refuses_a_malformed_uri_naming_it(uri: str) -> None:
    with pytest.raises(InvalidRequestError, match="of the form s3://bucket/key") as raised:
        parse_bucket_uri(uri, schemes=("s3",))
    assert repr(uri) in raised.value.message


def test_read_and_write_reach_any_bucket_of_the_endpoint(moto_server: MotoServer) -> None:
    own, theirs = f"own-{uuid.uuid4().hex[:12]}", f"data-{uuid.uuid4().hex[:12]}"
    make_bucket(moto_server, own)
    make_bucket(moto_server, theirs)
    store = s3_store(moto_server, own)
    raw = boto3.client("s3", endpoint_url=moto_server.endpoint_url)
    raw.put_object(Bucket=theirs, Key="in/train.jsonl", Body=b'{"input": "x"}\n')

    data = read_bucket_object(
        store, parse_bucket_uri(f"s3://{theirs}/in/train.jsonl", schemes=("s3",))
    )
    assert data == b'{"input": "x"}\n'
    write_bucket_object(store, BucketObject("gs", theirs, "out/metrics.csv"), b"a,b\n")
    assert raw.get_object(Bucket=theirs, Key="out/metrics.csv")["Body"].read() == b"a,b\n"


def test_an_absent_object_or_bucket_is_a_clear_invalid_request(moto_server: MotoServer) -> None:
    bucket = f"data-{uuid.uuid4().hex[:12]}"
    make_bucket(moto_server, bucket)
    store = s3_store(moto_server, bucket)
    with pytest.raises(InvalidRequestError, match=f"s3://{bucket}/missing does not exist"):
        read_bucket_object(store, BucketObject("s3", bucket, "missing"))
    with pytest.raises(InvalidRequestError, match="bucket 'no-such-bucket-x'"):
        read_bucket_object(store, BucketObject("s3", "no-such-bucket-x", "k"))


def test_local_disk_storage_refuses_cloud_uris(tmp_path: Path) -> None:
    with pytest.raises(InvalidRequestError, match="needs S3-compatible storage"):
        read_bucket_object(LocalStore(tmp_path), BucketObject("s3", "b", "k"))
    with pytest.raises(InvalidRequestError, match="needs S3-compatible storage"):
        write_bucket_object(LocalStore(tmp_path), BucketObject("gs", "b", "k"), b"x")


def test_whetstone_own_prefix_is_refused_both_ways(moto_server: MotoServer) -> None:
    bucket = f"own-{uuid.uuid4().hex[:12]}"
    make_bucket(moto_server, bucket)
    store = s3_store(moto_server, bucket)
    own_key = f"{store.prefix}/files/file-abc" if store.prefix else "files/file-abc"
    store.put_bytes("files/file-abc", b"another project's data")
    with pytest.raises(InvalidRequestError, match="inside Whetstone's own storage"):
        read_bucket_object(store, BucketObject("s3", bucket, own_key))
    with pytest.raises(InvalidRequestError, match="inside Whetstone's own storage"):
        write_bucket_object(store, BucketObject("gs", bucket, own_key), b"x")
