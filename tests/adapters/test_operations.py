"""The tar stream of an adapter: readable by tarfile, as long as it says, names of any length."""

from __future__ import annotations

import io
import tarfile
from pathlib import Path

import pytest

from service.adapters import operations
from service.core.errors import NotFoundError
from service.storage.local import LocalStore

KEY = "jobs/ftjob-Archive0123/checkpoints/step-40/adapter"


def test_the_stream_is_a_tar_of_every_object_with_the_announced_length(tmp_path: Path) -> None:
    store = LocalStore(tmp_path / "artifacts")
    # Past ustar's 100-character names (a PAX header), an empty file, one over a chunk.
    long_name = "nested/" + "d" * 120 + "/weights.bin"
    contents = {
        "adapter_config.json": b'{"r": 8}',
        "empty.txt": b"",
        long_name: bytes(range(256)) * 5000,
    }
    for name, data in contents.items():
        store.put_bytes(f"{KEY}/{name}", data)
    store.put_bytes("jobs/ftjob-Archive0123/checkpoints/step-40/optimizer.pt", b"not served")

    members = operations.archive_members(store, KEY)
    body = b"".join(operations.archive_chunks(store, KEY, members))

    assert len(body) == operations.archive_size(members)
    with tarfile.open(fileobj=io.BytesIO(body)) as archive:
        read = {
            member.name: archive.extractfile(member).read()  # type: ignore[union-attr]
            for member in archive.getmembers()
        }
    assert read == contents


@pytest.mark.parametrize(
    "key",
    [
        "files/proj_local/file-abc",
        "jobs/ftjob-Archive0123/checkpoints/step-40",
        "jobs/ftjob-Archive0123/adapter/../../../files",
        "jobs/ftjob-Archive0123/adapterx",
        "/jobs/ftjob-Archive0123/adapter",
        # A Tinker training checkpoint holds optimizer state: never the engines' to read.
        "tinker/proj_local/tsess_a:train:0/weights/after-five",
        "tinker/../proj_local/sampler_weights/learned",
        "tinker/proj_local/tsess_a:train:0/sampler_weights/..",
        "imported/../imp_abc/adapter",
    ],
)
def test_keys_other_than_adapters_and_models_are_not_found(tmp_path: Path, key: str) -> None:
    store = LocalStore(tmp_path / "artifacts")
    store.put_bytes("files/proj_local/file-abc", b"a training file")
    with pytest.raises(NotFoundError):
        operations.archive_members(store, key)


@pytest.mark.parametrize(
    "key",
    [
        "tinker/proj_local/tsess_a:train:0/sampler_weights/learned",
        "imported/proj_local/imp_Abc123/adapter",
    ],
)
def test_tinker_sampler_weights_and_imported_adapters_are_served(tmp_path: Path, key: str) -> None:
    # vLLM's resolver fetches them to sample Tinker weights and serve published ft: models.
    store = LocalStore(tmp_path / "artifacts")
    store.put_bytes(f"{key}/adapter_config.json", b"{}")
    assert operations.archive_members(store, key) == [("adapter_config.json", 2)]
