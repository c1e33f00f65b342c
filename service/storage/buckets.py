"""Objects named by the clouds' `s3://` and `gs://` URIs, outside Whetstone's own prefix.

Bedrock reads training data from `s3://bucket/key` and Vertex AI from `gs://bucket/key`; both
are read here through the S3-compatible endpoint and credentials of Whetstone's own S3Store, in
whatever bucket those credentials reach. A `gs://` URI names the same bucket and key on that
endpoint: Whetstone emulates the clouds, it does not call Google Cloud Storage.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from botocore.exceptions import BotoCoreError, ClientError

from service.core.errors import InvalidRequestError, StorageUnavailableError
from service.storage.base import ArtifactStore
from service.storage.s3 import S3Client, S3Store

_MISSING_CODES = {"NoSuchKey", "404", "NotFound"}
_MISSING_BUCKET_CODES = {"NoSuchBucket"}
_DENIED_CODES = {"403", "AccessDenied", "Forbidden"}


@dataclass(frozen=True)
class BucketObject:
    """An object named by a cloud URI, outside Whetstone's own prefix."""

    scheme: str
    bucket: str
    key: str

    @property
    def uri(self) -> str:
        """The URI the object was named by, e.g. `s3://bucket/key`."""
        return f"{self.scheme}://{self.bucket}/{self.key}"


def parse_bucket_uri(uri: str, *, schemes: tuple[str, ...]) -> BucketObject:
    """Split `scheme://bucket/key`; InvalidRequestError naming the URI when it is malformed."""
    parsed = urlsplit(uri)
    expected = " or ".join(f"{scheme}://bucket/key" for scheme in schemes)
    if parsed.scheme not in schemes or not parsed.netloc or parsed.query or parsed.fragment:
        raise InvalidRequestError(f"{uri!r} is not a URI of the form {expected}")
    key = parsed.path.lstrip("/")
    if not key:
        raise InvalidRequestError(
            f"{uri!r} names a bucket but no object; expected a URI of the form {expected}"
        )
    return BucketObject(scheme=parsed.scheme, bucket=parsed.netloc, key=key)


def read_bucket_object(store: ArtifactStore, obj: BucketObject) -> bytes:
    """The whole object, read through the S3 endpoint and credentials of Whetstone's store."""
    client = _s3_client(store, obj)
    try:
        answer = client.get_object(Bucket=obj.bucket, Key=obj.key)
        body = answer["Body"]
        try:
            data: bytes = body.read()
        finally:
            body.close()
        return data
    except ClientError as exc:
        raise _translated(exc, obj, store) from exc
    except BotoCoreError as exc:
        raise StorageUnavailableError(f"cannot read {obj.uri}: {exc}") from exc


def write_bucket_object(store: ArtifactStore, obj: BucketObject, data: bytes) -> None:
    """Write one object (job outputs) through the S3 endpoint of Whetstone's store."""
    client = _s3_client(store, obj)
    try:
        client.put_object(Bucket=obj.bucket, Key=obj.key, Body=data)
    except ClientError as exc:
        raise _translated(exc, obj, store) from exc
    except BotoCoreError as exc:
        raise StorageUnavailableError(f"cannot write {obj.uri}: {exc}") from exc


def _s3_client(store: ArtifactStore, obj: BucketObject) -> S3Client:
    if not isinstance(store, S3Store):
        raise InvalidRequestError(
            f"{obj.uri} needs S3-compatible storage: this server stores artifacts at "
            f"{store.url}; set WHETSTONE_STORAGE_URL=s3://... (and WHETSTONE_S3_ENDPOINT_URL) "
            "so it can read cloud URIs"
        )
    # Whetstone's own objects belong to every project; reading or writing them by URI would
    # step around tenancy (another project's files, adapters, checkpoints).
    if obj.bucket == store.bucket and (
        not store.prefix or obj.key == store.prefix or obj.key.startswith(store.prefix + "/")
    ):
        raise InvalidRequestError(
            f"{obj.uri} is inside Whetstone's own storage ({store.url}); name an object in "
            "another bucket or outside that prefix"
        )
    return store.transfer_client


def _translated(exc: ClientError, obj: BucketObject, store: ArtifactStore) -> Exception:
    code = str(exc.response.get("Error", {}).get("Code", ""))
    if code in _MISSING_CODES:
        return InvalidRequestError(f"{obj.uri} does not exist", code="not_found")
    if code in _MISSING_BUCKET_CODES:
        return InvalidRequestError(f"bucket {obj.bucket!r} of {obj.uri} does not exist")
    if code in _DENIED_CODES:
        return InvalidRequestError(
            f"access to {obj.uri} is denied to the credentials of {store.url}"
        )
    return StorageUnavailableError(f"S3 error {code} on {obj.uri}")
