"""LocalStore specifics: where files land, temp files, and an unwritable root."""

from __future__ import annotations

from pathlib import Path

import pytest

from service.core.errors import InvalidRequestError, StorageUnavailableError
from service.storage.local import LocalStore


def test_objects_are_plain_files_under_the_root(tmp_path: Path) -> None:
    store = LocalStore(tmp_path / "artifacts")
    store.put_bytes("files/proj/file-1", b"data")
    assert (tmp_path / "artifacts" / "files" / "proj" / "file-1").read_bytes() == b"data"


def test_a_failed_write_leaves_no_temp_file(tmp_path: Path) -> None:
    store = LocalStore(tmp_path / "artifacts")

    def failing() -> object:
        yield b"part"
        raise OSError("boom")

    with pytest.raises(OSError):
        store.put_stream("files/p/x", failing())
    assert [p.name for p in (tmp_path / "artifacts" / "files" / "p").iterdir()] == []


def test_keys_cannot_escape_the_root(tmp_path: Path) -> None:
    store = LocalStore(tmp_path / "artifacts")
    with pytest.raises(InvalidRequestError):
        store.put_bytes("../outside", b"x")


def test_check_fails_when_the_root_cannot_be_created(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    with pytest.raises(StorageUnavailableError, match="not writable"):
        LocalStore(blocker / "artifacts").check()
