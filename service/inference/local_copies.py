"""Local copies of artifact-store directories (adapters, fully fine-tuned models), no torch.

The engine loads adapters and models from local disk; this keeps one copy of each store prefix
under a cache dir. A copy is published with one rename once its marker file is there, so a
half-downloaded directory is never loaded, and concurrent first uses download it once.
"""

from __future__ import annotations

import hashlib
import shutil
import tempfile
import threading
from pathlib import Path

from service.core.errors import ModelLoadError
from service.storage import ArtifactStore, download_directory


class LocalCopies:
    """Local copies of store directories that hold `marker`, keyed by their storage prefix."""

    def __init__(self, store: ArtifactStore, root: Path, *, marker: str, what: str):
        self.store = store
        self.root = root
        self.marker = marker
        self.what = what  # named in the error when storage has no such directory
        self._lock = threading.Lock()
        self._key_locks: dict[str, threading.Lock] = {}

    def path_for(self, key: str) -> Path:
        """Where the local copy of `key` lives (whether or not it exists)."""
        return self.root / hashlib.sha256(key.encode()).hexdigest()[:32]

    def fetch(self, key: str) -> Path:
        """The local copy of `key`, downloaded on first use; blocking."""
        target = self.path_for(key)
        if (target / self.marker).is_file():
            return target
        with self._lock:
            key_lock = self._key_locks.setdefault(key, threading.Lock())
        with key_lock:
            if (target / self.marker).is_file():
                return target
            self.root.mkdir(parents=True, exist_ok=True)
            staging = Path(tempfile.mkdtemp(dir=self.root, prefix=".download-"))
            try:
                download_directory(self.store, key, staging)
                if not (staging / self.marker).is_file():
                    # The model's name resolved, so it exists: its files going missing is ours.
                    raise ModelLoadError(
                        f"The {self.what} could not be loaded: its files are missing from storage."
                    )
                staging.rename(target)
            finally:
                shutil.rmtree(staging, ignore_errors=True)
        return target

    def remove(self, key: str) -> None:
        """Delete the local copy of `key`, if any."""
        shutil.rmtree(self.path_for(key), ignore_errors=True)
