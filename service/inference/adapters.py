"""Adapter files: copied from the artifact store to a local cache dir, any thread, no torch.

`AdapterFiles` keeps a local copy of each adapter under the data dir. A copy is published with
one rename, so a half-downloaded adapter is never loaded. Loading into a base model is
`service.inference.lora` (the engine thread only).
"""

from __future__ import annotations

import hashlib
import shutil
import tempfile
import threading
from pathlib import Path

from service.core.errors import ModelLoadError
from service.inference.types import LocalAdapter
from service.storage import ArtifactStore, download_directory


class AdapterFiles:
    """Local copies of adapters from the artifact store, keyed by their storage prefix."""

    def __init__(self, store: ArtifactStore, root: Path):
        self.store = store
        self.root = root
        self._lock = threading.Lock()
        self._key_locks: dict[str, threading.Lock] = {}

    def path_for(self, key: str) -> Path:
        """Where the local copy of `key` lives (whether or not it exists)."""
        digest = hashlib.sha256(key.encode()).hexdigest()[:32]
        return self.root / digest

    def fetch(self, key: str) -> LocalAdapter:
        """The local copy of adapter `key`, downloaded on first use; blocking."""
        target = self.path_for(key)
        if (target / "adapter_config.json").is_file():
            return LocalAdapter(key=key, path=target)
        with self._lock:
            key_lock = self._key_locks.setdefault(key, threading.Lock())
        with key_lock:
            if (target / "adapter_config.json").is_file():
                return LocalAdapter(key=key, path=target)
            self.root.mkdir(parents=True, exist_ok=True)
            staging = Path(tempfile.mkdtemp(dir=self.root, prefix=".download-"))
            try:
                download_directory(self.store, key, staging)
                if not (staging / "adapter_config.json").is_file():
                    # The model's row exists, so its files going missing is our failure.
                    raise ModelLoadError(
                        "The model's adapter could not be loaded: "
                        "its files are missing from storage."
                    )
                staging.rename(target)
            finally:
                shutil.rmtree(staging, ignore_errors=True)
        return LocalAdapter(key=key, path=target)

    def remove(self, key: str) -> None:
        """Delete the local copy of `key`, if any."""
        shutil.rmtree(self.path_for(key), ignore_errors=True)
