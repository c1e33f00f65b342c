"""Download one adapter from Whetstone's internal route and unpack it; standard library only.

The route answers a tar of the adapter's directory. Each adapter is unpacked into a staging
directory and renamed into place whole, so a directory under the cache named after a key is
always a complete adapter, also when several vLLM processes share the cache.
"""

from __future__ import annotations

import http.client
import json
import os
import shutil
import tarfile
import tempfile
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

from whetstone_vllm.settings import ResolverSettings

ROUTE = "/_whetstone/internal/adapters/"
ADAPTER_CONFIG = "adapter_config.json"


class AdapterFetchError(Exception):
    """Whetstone knows the adapter but it could not be fetched or unpacked."""


class UnsafeArchiveError(AdapterFetchError):
    """A tar member would land outside the adapter's directory, or is not a plain file."""


def cached_path(settings: ResolverSettings, key: str) -> Path:
    """Where adapter `key` is unpacked: one directory per key, the key percent-encoded."""
    return settings.cache_dir / urllib.parse.quote(key, safe="")


def fetch_adapter(settings: ResolverSettings, key: str) -> Path | None:
    """The local directory of adapter `key`, downloaded on first use; None when Whetstone has
    no adapter under that key. Blocking."""
    target = cached_path(settings, key)
    # Keys are immutable (a job's adapter and each checkpoint are written once), so a
    # complete copy is never stale.
    if target.is_dir():
        return target
    url = settings.url + ROUTE + urllib.parse.quote(key, safe="/")
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {settings.token}"})
    try:
        response = urllib.request.urlopen(request, timeout=settings.timeout_seconds)
    except urllib.error.HTTPError as exc:
        if exc.code == 404:
            return None
        raise AdapterFetchError(
            f"Whetstone answered {exc.code} for adapter {key}: {_error_message(exc)}"
        ) from exc
    except (urllib.error.URLError, OSError) as exc:
        raise AdapterFetchError(f"cannot reach Whetstone at {settings.url}: {exc}") from exc
    settings.cache_dir.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".partial-", dir=settings.cache_dir))
    try:
        with response:
            body = _CountingReader(response)
            with tarfile.open(fileobj=body, mode="r|") as archive:
                archive.extractall(staging, filter=_plain_files_inside)
            body.read()
            # http.client ends a body cut short quietly, and tarfile takes an end of data
            # between two members for the end of the archive: only the length tells.
            expected = response.headers.get("content-length")
            if expected is not None and body.count != int(expected):
                raise AdapterFetchError(
                    f"cannot unpack adapter {key}: the answer ended after {body.count} of "
                    f"{expected} bytes"
                )
        if not (staging / ADAPTER_CONFIG).is_file():
            raise AdapterFetchError(f"{key} holds no {ADAPTER_CONFIG}: it is not a LoRA adapter")
        try:
            os.rename(staging, target)
        except OSError:
            # Another process renamed its own complete copy into place first: keep that one.
            if not target.is_dir():
                raise
    except (tarfile.TarError, OSError, http.client.HTTPException) as exc:
        # HTTPException: the answer ended before its content-length (IncompleteRead).
        raise AdapterFetchError(f"cannot unpack adapter {key}: {exc}") from exc
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return target


class _CountingReader:
    """A file object over an HTTP answer that counts the bytes read from it."""

    def __init__(self, raw: http.client.HTTPResponse):
        self.raw = raw
        self.count = 0

    def read(self, size: int = -1) -> bytes:
        """Up to `size` bytes (all that is left when negative)."""
        data = self.raw.read(size if size >= 0 else None)
        self.count += len(data)
        return data


def _plain_files_inside(member: tarfile.TarInfo, destination: str) -> tarfile.TarInfo:
    """tarfile's `data` filter (nothing outside the destination, no device files), and more:
    an adapter is regular files and directories only, so links are refused too, and an
    absolute name is refused rather than made relative, as the `data` filter would."""
    if not (member.isfile() or member.isdir()):
        raise UnsafeArchiveError(f"refusing tar member {member.name!r}: not a regular file")
    if member.name.startswith(("/", "\\")) or os.path.isabs(member.name):
        raise UnsafeArchiveError(f"refusing tar member {member.name!r}: an absolute path")
    try:
        return tarfile.data_filter(member, destination)
    except tarfile.FilterError as exc:
        raise UnsafeArchiveError(f"refusing tar member {member.name!r}: {exc}") from exc


def _error_message(error: urllib.error.HTTPError) -> str:
    """The message of Whetstone's error envelope, else the start of the body."""
    try:
        body = error.read(4096).decode("utf-8", "replace")
    except OSError:
        return error.reason
    try:
        return str(json.loads(body)["error"]["message"])
    except (ValueError, KeyError, TypeError):
        return body[:200]
