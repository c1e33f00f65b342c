"""ArtifactStore behaviour, identical on local disk and on S3 (a real moto server)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from service.core.errors import NotFoundError
from service.storage import download_directory, upload_directory
from service.storage.base import ArtifactStore
from tests.storage.conftest import TEST_THRESHOLD_BYTES

MIB = 1024 * 1024


def chunks_of(data: bytes, size: int = 256 * 1024) -> Iterator[bytes]:
    """`data` as a stream of chunks."""
    for start in range(0, len(data), size):
        yield data[start : start + size]


def failing_after(data: bytes, size: int) -> Iterator[bytes]:
    """Yield `data` in chunks, then fail the way a dropped client connection does."""
    yield from chunks_of(data, size)
    raise ConnectionResetError("client went away")


def test_put_stream_round_trips_and_reports_size(store: ArtifactStore) -> None:
    data = os.urandom(700 * 1024)
    written = store.put_stream("files/proj/file-a", chunks_of(data))
    assert written == len(data)
    assert store.exists("files/proj/file-a")
    assert store.size("files/proj/file-a") == len(data)
    assert store.get_bytes("files/proj/file-a") == data
    assert b"".join(store.iter_chunks("files/proj/file-a", 100_000)) == data


def test_an_empty_object_is_stored(store: ArtifactStore) -> None:
    assert store.put_stream("files/empty", iter([])) == 0
    assert store.exists("files/empty")
    assert store.get_bytes("files/empty") == b""


def test_put_bytes_replaces_an_object_whole(store: ArtifactStore) -> None:
    store.put_bytes("k", b"first version")
    store.put_bytes("k", b"second")
    assert store.get_bytes("k") == b"second"


@pytest.mark.parametrize("total", [100 * 1024, 6 * MIB], ids=["single-put", "multipart"])
def test_a_failing_stream_leaves_nothing_readable(store: ArtifactStore, total: int) -> None:
    with pytest.raises(ConnectionResetError):
        store.put_stream("files/proj/broken", failing_after(os.urandom(total), 512 * 1024))
    assert not store.exists("files/proj/broken")
    assert store.list_keys("files/") == []
    with pytest.raises(NotFoundError):
        store.get_bytes("files/proj/broken")


def test_a_failing_stream_keeps_the_previous_version(store: ArtifactStore) -> None:
    store.put_bytes("files/proj/kept", b"complete")
    with pytest.raises(ConnectionResetError):
        store.put_stream("files/proj/kept", failing_after(os.urandom(3 * MIB), MIB))
    assert store.get_bytes("files/proj/kept") == b"complete"


def test_objects_above_the_threshold_round_trip(store: ArtifactStore) -> None:
    data = os.urandom(11 * MIB + 123)
    assert len(data) > TEST_THRESHOLD_BYTES
    assert store.put_stream("big", chunks_of(data, MIB)) == len(data)
    assert store.size("big") == len(data)
    assert b"".join(store.iter_chunks("big")) == data


def test_missing_objects_raise_not_found(store: ArtifactStore, tmp_path: Path) -> None:
    assert not store.exists("nope")
    with pytest.raises(NotFoundError):
        store.get_bytes("nope")
    with pytest.raises(NotFoundError):
        next(iter(store.iter_chunks("nope")))
    with pytest.raises(NotFoundError):
        store.size("nope")
    with pytest.raises(NotFoundError):
        store.download_file("nope", tmp_path / "out")
    store.delete("nope")  # deleting an absent key is not an error


def test_list_keys_filters_by_prefix_and_sorts(store: ArtifactStore) -> None:
    for key in ["files/p2/b", "files/p1/b", "files/p1/a", "uploads/p1/u/part"]:
        store.put_bytes(key, key.encode())
    assert store.list_keys("files/") == ["files/p1/a", "files/p1/b", "files/p2/b"]
    assert store.list_keys("files/p1/") == ["files/p1/a", "files/p1/b"]
    assert store.list_keys("nothing/") == []


def test_delete_and_delete_prefix(store: ArtifactStore) -> None:
    for key in ["uploads/p/u1/part_a", "uploads/p/u1/part_b", "uploads/p/u2/part_c"]:
        store.put_bytes(key, b"x")
    store.delete("uploads/p/u1/part_a")
    assert store.list_keys("uploads/") == ["uploads/p/u1/part_b", "uploads/p/u2/part_c"]
    store.delete_prefix("uploads/p/u1")
    assert store.list_keys("uploads/") == ["uploads/p/u2/part_c"]


def test_put_file_and_download_file(store: ArtifactStore, tmp_path: Path) -> None:
    source = tmp_path / "source.bin"
    source.write_bytes(os.urandom(2 * MIB + 5))
    store.put_file("checkpoints/x/state.bin", source)
    target = tmp_path / "nested" / "copy.bin"
    target.parent.mkdir()
    store.download_file("checkpoints/x/state.bin", target)
    assert target.read_bytes() == source.read_bytes()


def test_upload_and_download_directory(store: ArtifactStore, tmp_path: Path) -> None:
    source = tmp_path / "adapter"
    (source / "sub").mkdir(parents=True)
    (source / "adapter_config.json").write_text('{"r": 16}')
    (source / "sub" / "weights.safetensors").write_bytes(os.urandom(300_000))
    upload_directory(store, "adapters/ftjob-1", source)
    assert store.list_keys("adapters/ftjob-1/") == [
        "adapters/ftjob-1/adapter_config.json",
        "adapters/ftjob-1/sub/weights.safetensors",
    ]
    target = tmp_path / "restored"
    download_directory(store, "adapters/ftjob-1", target)
    for path in source.rglob("*"):
        if path.is_file():
            assert (target / path.relative_to(source)).read_bytes() == path.read_bytes()


def test_check_passes_on_a_healthy_store(store: ArtifactStore) -> None:
    store.check()
