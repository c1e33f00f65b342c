"""Adapter files: copied from the artifact store to a local cache dir, any thread, no torch.

`AdapterFiles` keeps a local copy of each adapter under the data dir (service/inference/
local_copies.py); an engine loads the adapter from there (the builtin engine: its adapter slots,
on the engine thread).
"""

from __future__ import annotations

from pathlib import Path

from service.inference.local_copies import LocalCopies
from service.inference.types import LocalAdapter
from service.storage import ArtifactStore


class AdapterFiles:
    """Local copies of adapters from the artifact store, keyed by their storage prefix."""

    def __init__(self, store: ArtifactStore, root: Path):
        self._copies = LocalCopies(
            store, root, marker="adapter_config.json", what="model's adapter"
        )

    def path_for(self, key: str) -> Path:
        """Where the local copy of `key` lives (whether or not it exists)."""
        return self._copies.path_for(key)

    def fetch(self, key: str) -> LocalAdapter:
        """The local copy of adapter `key`, downloaded on first use; blocking."""
        return LocalAdapter(key=key, path=self._copies.fetch(key))

    def remove(self, key: str) -> None:
        """Delete the local copy of `key`, if any."""
        self._copies.remove(key)
