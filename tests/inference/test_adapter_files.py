"""Adapter files: one local copy per adapter, downloaded once, removed on demand."""

from __future__ import annotations

from pathlib import Path

import pytest

from service.core.errors import ModelLoadError
from service.inference.adapter_files import AdapterFiles
from service.storage import upload_directory
from service.storage.local import LocalStore


def test_adapter_files_download_once_and_are_removed(
    tmp_path: Path, adapters: dict[str, Path]
) -> None:
    store = LocalStore(tmp_path / "store")
    upload_directory(store, "jobs/a/adapter", adapters["a"])
    files = AdapterFiles(store, tmp_path / "cache")
    fetched = files.fetch("jobs/a/adapter")
    assert (fetched.path / "adapter_model.safetensors").is_file()
    store.delete_prefix("jobs/a/adapter/")
    assert files.fetch("jobs/a/adapter").path == fetched.path  # served from the local copy
    files.remove("jobs/a/adapter")
    with pytest.raises(ModelLoadError):  # the row exists, its files do not: ours, not a 404
        files.fetch("jobs/a/adapter")
