"""Local-disk artifact store: the default, under the data dir."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path

from service.core.errors import InvalidRequestError, NotFoundError, StorageUnavailableError
from service.storage.base import CHUNK_BYTES


class LocalStore:
    """Objects are files under `root`; writes go to a temp file in the same directory, then
    `os.replace` publishes them, which is atomic on POSIX."""

    def __init__(self, root: Path):
        self.root = root.resolve()
        self.url = f"file://{self.root}"

    def _path(self, key: str) -> Path:
        path = (self.root / key).resolve()
        # Keys come from our own code, but refuse traversal outside the root all the same.
        if self.root not in path.parents:
            raise InvalidRequestError(f"invalid storage key: {key!r}")
        return path

    def check(self) -> None:
        """Raise StorageUnavailableError when the root cannot be created or written."""
        try:
            self.root.mkdir(parents=True, exist_ok=True)
            with tempfile.NamedTemporaryFile(dir=self.root, prefix=".probe-"):
                pass
        except OSError as exc:
            raise StorageUnavailableError(
                f"local storage {self.root} is not writable: {exc}"
            ) from exc

    def put_stream(self, key: str, chunks: Iterable[bytes]) -> int:
        """Write chunks to a temp file, fsync, then rename into place."""
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
        written = 0
        try:
            with os.fdopen(fd, "wb") as handle:
                for chunk in chunks:
                    handle.write(chunk)
                    written += len(chunk)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp_name, path)
        except BaseException:
            Path(tmp_name).unlink(missing_ok=True)
            raise
        return written

    def put_bytes(self, key: str, data: bytes) -> None:
        """Write a small object atomically."""
        self.put_stream(key, [data])

    def put_file(self, key: str, path: Path) -> None:
        """Copy a local file atomically."""
        with path.open("rb") as handle:
            self.put_stream(key, iter(lambda: handle.read(CHUNK_BYTES), b""))

    def iter_chunks(self, key: str, chunk_bytes: int = CHUNK_BYTES) -> Iterator[bytes]:
        """Stream the file in chunks."""
        path = self._path(key)
        try:
            handle = path.open("rb")
        except FileNotFoundError as exc:
            raise NotFoundError(f"no object at {key}") from exc
        with handle:
            while chunk := handle.read(chunk_bytes):
                yield chunk

    def get_bytes(self, key: str) -> bytes:
        """Read the whole file."""
        try:
            return self._path(key).read_bytes()
        except FileNotFoundError as exc:
            raise NotFoundError(f"no object at {key}") from exc

    def download_file(self, key: str, path: Path) -> None:
        """Copy the object to `path`."""
        try:
            shutil.copyfile(self._path(key), path)
        except FileNotFoundError as exc:
            raise NotFoundError(f"no object at {key}") from exc

    def exists(self, key: str) -> bool:
        """True when the file exists."""
        return self._path(key).is_file()

    def size(self, key: str) -> int:
        """Size of the file."""
        try:
            return self._path(key).stat().st_size
        except FileNotFoundError as exc:
            raise NotFoundError(f"no object at {key}") from exc

    def list_keys(self, prefix: str) -> list[str]:
        """Keys of files whose relative path starts with `prefix`, skipping temp files."""
        base = self._path(prefix.rstrip("/")) if prefix.strip("/") else self.root
        search_root = base if base.is_dir() else base.parent
        if not search_root.exists():
            return []
        keys = []
        for path in search_root.rglob("*"):
            if path.is_file() and not path.name.startswith("."):
                key = path.relative_to(self.root).as_posix()
                if key.startswith(prefix):
                    keys.append(key)
        return sorted(keys)

    def delete(self, key: str) -> None:
        """Remove the file if present."""
        self._path(key).unlink(missing_ok=True)

    def delete_prefix(self, prefix: str) -> None:
        """Remove every file under `prefix`, and the directory when the prefix names one."""
        for key in self.list_keys(prefix):
            self.delete(key)
        directory = self._path(prefix.rstrip("/"))
        if directory.is_dir():
            shutil.rmtree(directory, ignore_errors=True)
