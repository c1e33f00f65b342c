"""S3 artifact store (AWS, MinIO, moto or any S3-compatible server) through boto3."""

from __future__ import annotations

import os
import tempfile
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any, TypedDict
from urllib.parse import urlparse

import boto3
from botocore.config import Config
from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    ConnectionClosedError,
    ConnectTimeoutError,
    EndpointConnectionError,
    ReadTimeoutError,
)

from service.core.config import Settings
from service.core.errors import NotFoundError, StorageUnavailableError
from service.storage.base import CHUNK_BYTES

# boto3 builds its clients at run time; there is no importable class to annotate with.
S3Client = Any


class CompletedPart(TypedDict):
    """One uploaded part, as CompleteMultipartUpload lists it."""

    PartNumber: int
    ETag: str


# S3 refuses multipart parts under 5 MiB (all but the last), whatever the threshold says.
MIN_PART_BYTES = 5 * 1024 * 1024
_MISSING_KEY_CODES = {"NoSuchKey", "404", "NotFound"}
_MISSING_BUCKET_CODES = {"NoSuchBucket"}
# Failures that mean the endpoint does not answer: another request would only wait them out.
_UNREACHABLE = (
    ConnectTimeoutError,
    ReadTimeoutError,
    EndpointConnectionError,
    ConnectionClosedError,
)


class S3Store:
    """Objects live under `s3://{bucket}/{prefix}/{key}`.

    Atomic visibility comes from S3 itself: a single PUT or a completed multipart upload
    appears whole or not at all, and an aborted multipart upload never appears.

    Two clients, because one read timeout cannot fit both: `client` answers metadata requests
    and PUTs of small objects, which S3 answers in well under a second; `transfer_client`
    moves multipart parts and downloads, where botocore's read timeout applies to each socket
    read, so it is a per-chunk deadline that a healthy transfer of any size never reaches.
    """

    def __init__(
        self,
        *,
        bucket: str,
        prefix: str,
        client: S3Client,
        transfer_client: S3Client | None = None,
        multipart_threshold_bytes: int = 8 * 1024 * 1024,
        endpoint_url: str | None = None,
    ):
        self.bucket = bucket
        self.prefix = prefix.strip("/")
        self.client = client
        self.transfer_client = transfer_client if transfer_client is not None else client
        self.multipart_threshold_bytes = multipart_threshold_bytes
        self.part_bytes = max(multipart_threshold_bytes, MIN_PART_BYTES)
        self.endpoint_url = endpoint_url
        self.url = f"s3://{bucket}/{self.prefix}" if self.prefix else f"s3://{bucket}"

    @classmethod
    def from_settings(cls, settings: Settings) -> S3Store:
        """Build the store from WHETSTONE_STORAGE_URL=s3://bucket/prefix and the endpoint.

        Credentials and region come from boto3's standard chain (AWS_* variables, profiles).
        """
        parsed = urlparse(settings.resolved_storage_url)
        if parsed.scheme != "s3" or not parsed.netloc:
            raise ValueError(
                f"WHETSTONE_STORAGE_URL must look like s3://bucket/prefix, "
                f"got {settings.resolved_storage_url!r}"
            )
        session = boto3.session.Session()

        def client(read_timeout: float) -> S3Client:
            config = Config(
                # Short deadlines and one retry: a request must fail within seconds when the
                # endpoint is down or frozen, instead of hanging in botocore's defaults
                # (60 s per read, more attempts with backoff).
                connect_timeout=settings.s3_connect_timeout_seconds,
                read_timeout=read_timeout,
                retries={"total_max_attempts": settings.s3_max_attempts, "mode": "standard"},
                # Path-style addressing works with MinIO/moto without wildcard DNS.
                s3={"addressing_style": "path"} if settings.s3_endpoint_url else None,
            )
            return session.client("s3", endpoint_url=settings.s3_endpoint_url, config=config)

        return cls(
            bucket=parsed.netloc,
            prefix=parsed.path,
            client=client(settings.s3_read_timeout_seconds),
            transfer_client=client(settings.s3_transfer_timeout_seconds),
            multipart_threshold_bytes=settings.s3_multipart_threshold_bytes,
            endpoint_url=settings.s3_endpoint_url,
        )

    def _object_key(self, key: str) -> str:
        return f"{self.prefix}/{key}" if self.prefix else key

    def _store_key(self, object_key: str) -> str:
        return object_key[len(self.prefix) + 1 :] if self.prefix else object_key

    def _where(self) -> str:
        return f"{self.url} (endpoint {self.endpoint_url or 'AWS'})"

    @contextmanager
    def _translated(self, key: str | None = None) -> Iterator[None]:
        """Re-raise botocore failures as NotFoundError / StorageUnavailableError."""
        try:
            yield
        except ClientError as exc:
            code = str(exc.response.get("Error", {}).get("Code", ""))
            if key is not None and code in _MISSING_KEY_CODES:
                raise NotFoundError(f"no object at {key}") from exc
            if code in _MISSING_BUCKET_CODES:
                raise StorageUnavailableError(
                    f"S3 bucket {self.bucket!r} does not exist at {self._where()}"
                ) from exc
            raise StorageUnavailableError(f"S3 error {code} on {self._where()}") from exc
        except BotoCoreError as exc:
            raise StorageUnavailableError(
                f"S3 endpoint unreachable for {self._where()}: {exc}"
            ) from exc

    def check(self) -> None:
        """Raise StorageUnavailableError when the endpoint or the bucket does not answer."""
        try:
            self.client.head_bucket(Bucket=self.bucket)
        except ClientError as exc:
            code = str(exc.response.get("Error", {}).get("Code", ""))
            if code in {"404", "NoSuchBucket", "NotFound"}:
                raise StorageUnavailableError(
                    f"S3 bucket {self.bucket!r} does not exist at {self._where()}"
                ) from exc
            if code in {"403", "AccessDenied", "Forbidden"}:
                raise StorageUnavailableError(
                    f"access denied to S3 bucket {self.bucket!r} at {self._where()}; "
                    "check the AWS credentials"
                ) from exc
            raise StorageUnavailableError(f"S3 error {code} on {self._where()}") from exc
        except BotoCoreError as exc:
            # str(exc) is one line for botocore's own errors (no credentials, no connection).
            raise StorageUnavailableError(
                f"S3 endpoint unreachable for {self._where()}: {exc}"
            ) from exc

    def put_stream(self, key: str, chunks: Iterable[bytes]) -> int:
        """Buffer up to the threshold and PUT once; past it, stream a multipart upload."""
        object_key = self._object_key(key)
        buffer = bytearray()
        upload_id: str | None = None
        parts: list[CompletedPart] = []
        written = 0
        with self._translated():
            try:
                for chunk in chunks:
                    buffer += chunk
                    written += len(chunk)
                    if upload_id is None and len(buffer) > self.multipart_threshold_bytes:
                        upload_id = self.client.create_multipart_upload(
                            Bucket=self.bucket, Key=object_key
                        )["UploadId"]
                    while upload_id is not None and len(buffer) >= self.part_bytes:
                        self._upload_part(object_key, upload_id, parts, buffer[: self.part_bytes])
                        del buffer[: self.part_bytes]
                if upload_id is None:
                    self.client.put_object(Bucket=self.bucket, Key=object_key, Body=bytes(buffer))
                    return written
                if buffer or not parts:
                    self._upload_part(object_key, upload_id, parts, buffer)
                self.transfer_client.complete_multipart_upload(
                    Bucket=self.bucket,
                    Key=object_key,
                    UploadId=upload_id,
                    MultipartUpload={"Parts": parts},
                )
            except BaseException as exc:
                if upload_id is not None:
                    if isinstance(exc, _UNREACHABLE):
                        # Aborting now would wait out the same deadlines again before the
                        # client hears of the failure; try it on the side instead.
                        threading.Thread(
                            target=self._abort, args=(object_key, upload_id), daemon=True
                        ).start()
                    else:
                        self._abort(object_key, upload_id)
                raise
        return written

    def _upload_part(
        self, object_key: str, upload_id: str, parts: list[CompletedPart], data: bytearray
    ) -> None:
        number = len(parts) + 1
        answer = self.transfer_client.upload_part(
            Bucket=self.bucket,
            Key=object_key,
            UploadId=upload_id,
            PartNumber=number,
            Body=bytes(data),
        )
        parts.append({"PartNumber": number, "ETag": answer["ETag"]})

    def _abort(self, object_key: str, upload_id: str) -> None:
        # Best effort: a failed abort leaves an incomplete upload that is never visible and
        # that a bucket lifecycle rule (AbortIncompleteMultipartUpload) reclaims.
        with suppress(ClientError, BotoCoreError):
            self.client.abort_multipart_upload(
                Bucket=self.bucket, Key=object_key, UploadId=upload_id
            )

    def put_bytes(self, key: str, data: bytes) -> None:
        """Write a small object with one PUT (or multipart past the threshold)."""
        self.put_stream(key, [data])

    def put_file(self, key: str, path: Path) -> None:
        """Stream a local file to `key`."""
        with path.open("rb") as handle:
            self.put_stream(key, iter(lambda: handle.read(CHUNK_BYTES), b""))

    def iter_chunks(self, key: str, chunk_bytes: int = CHUNK_BYTES) -> Iterator[bytes]:
        """Stream the object in chunks; NotFoundError on the first `next()` when absent."""
        with self._translated(key):
            body = self.transfer_client.get_object(Bucket=self.bucket, Key=self._object_key(key))[
                "Body"
            ]
            try:
                yield from body.iter_chunks(chunk_bytes)
            finally:
                body.close()

    def get_bytes(self, key: str) -> bytes:
        """Read the object whole (small objects only)."""
        return b"".join(self.iter_chunks(key))

    def download_file(self, key: str, path: Path) -> None:
        """Stream the object to a temp file next to `path`, then rename it into place."""
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
        try:
            with os.fdopen(fd, "wb") as handle:
                for chunk in self.iter_chunks(key):
                    handle.write(chunk)
            os.replace(tmp_name, path)
        except BaseException:
            Path(tmp_name).unlink(missing_ok=True)
            raise

    def exists(self, key: str) -> bool:
        """True when the object exists (incomplete multipart uploads do not count)."""
        try:
            self.size(key)
        except NotFoundError:
            return False
        return True

    def size(self, key: str) -> int:
        """Size of the object from a HEAD request."""
        with self._translated(key):
            head = self.client.head_object(Bucket=self.bucket, Key=self._object_key(key))
        return int(head["ContentLength"])

    def list_keys(self, prefix: str) -> list[str]:
        """Keys under `prefix`, sorted (S3 lists in UTF-8 binary order already)."""
        keys: list[str] = []
        paginator = self.client.get_paginator("list_objects_v2")
        with self._translated():
            for page in paginator.paginate(Bucket=self.bucket, Prefix=self._object_key(prefix)):
                keys.extend(self._store_key(item["Key"]) for item in page.get("Contents", []))
        return sorted(keys)

    def delete(self, key: str) -> None:
        """Delete one object; S3 answers success for an absent key."""
        with self._translated():
            self.client.delete_object(Bucket=self.bucket, Key=self._object_key(key))

    def delete_prefix(self, prefix: str) -> None:
        """Delete every object under `prefix`, 1000 per request (S3's batch limit)."""
        keys = self.list_keys(prefix)
        with self._translated():
            for start in range(0, len(keys), 1000):
                batch = [{"Key": self._object_key(key)} for key in keys[start : start + 1000]]
                self.client.delete_objects(
                    Bucket=self.bucket, Delete={"Objects": batch, "Quiet": True}
                )
