"""Artifact storage: the only path bytes take. Local disk by default, S3 by URL."""

from __future__ import annotations

from pathlib import Path

from service.core.config import Settings
from service.storage.base import ArtifactStore, download_directory, upload_directory

__all__ = ["ArtifactStore", "download_directory", "open_store", "upload_directory"]


def open_store(settings: Settings) -> ArtifactStore:
    """The store named by the settings' storage URL (file:// or s3://)."""
    url = settings.resolved_storage_url
    if url.startswith("file://"):
        from service.storage.local import LocalStore

        return LocalStore(Path(url.removeprefix("file://")))
    if url.startswith("s3://"):
        from service.storage.s3 import S3Store

        return S3Store.from_settings(settings)
    raise ValueError(f"WHETSTONE_STORAGE_URL must start with file:// or s3://, got {url!r}")
