"""The artifact store protocol. Keys are relative POSIX paths such as `files/file-abc`."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Protocol, runtime_checkable

CHUNK_BYTES = 1024 * 1024


@runtime_checkable
class ArtifactStore(Protocol):
    """Where file contents, checkpoints and adapters live.

    Invariant: an object is visible under its key only once it is complete, so a reader can
    never see a partial write (local disk renames a temp file; S3 completes a multipart upload).
    """

    url: str

    def check(self) -> None:
        """Raise StorageUnavailableError when the store cannot be reached or written."""

    def put_stream(self, key: str, chunks: Iterable[bytes]) -> int:
        """Write the chunks under `key` atomically; return the number of bytes written."""

    def put_bytes(self, key: str, data: bytes) -> None:
        """Write a small object atomically."""

    def put_file(self, key: str, path: Path) -> None:
        """Copy a local file to `key` atomically."""

    def iter_chunks(self, key: str, chunk_bytes: int = CHUNK_BYTES) -> Iterator[bytes]:
        """Stream an object; raises NotFoundError when `key` is absent."""

    def get_bytes(self, key: str) -> bytes:
        """Read a small object whole; raises NotFoundError when `key` is absent."""

    def download_file(self, key: str, path: Path) -> None:
        """Copy an object to a local path; raises NotFoundError when `key` is absent."""

    def exists(self, key: str) -> bool:
        """True when `key` holds a complete object."""

    def size(self, key: str) -> int:
        """Size of the object in bytes; raises NotFoundError when absent."""

    def list_keys(self, prefix: str) -> list[str]:
        """Keys under `prefix`, sorted."""

    def delete(self, key: str) -> None:
        """Remove one object; absent keys are ignored."""

    def delete_prefix(self, prefix: str) -> None:
        """Remove every object under `prefix`."""


def upload_directory(store: ArtifactStore, prefix: str, directory: Path) -> None:
    """Store every file of a local directory tree under `prefix/` (adapters, checkpoints)."""
    for path in sorted(p for p in directory.rglob("*") if p.is_file()):
        store.put_file(f"{prefix}/{path.relative_to(directory).as_posix()}", path)


def download_directory(store: ArtifactStore, prefix: str, directory: Path) -> None:
    """Copy every object under `prefix/` into a local directory tree."""
    for key in store.list_keys(prefix + "/"):
        target = directory / key[len(prefix) + 1 :]
        target.parent.mkdir(parents=True, exist_ok=True)
        store.download_file(key, target)
