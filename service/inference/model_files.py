"""Fully fine-tuned models' files: copied from the artifact store to a local cache dir, no torch.

A full fine-tuning job saves a whole model (config.json, safetensors shards, tokenizer) under
`jobs/{job_id}/model/` (its checkpoints under `.../checkpoints/step-N/model/`). The inference
service serves each as a base model of its own, loaded from the local copy kept here. As with
AdapterFiles, a copy is published with one rename, so a half-downloaded model is never loaded.
"""

from __future__ import annotations

import hashlib
import shutil
import tempfile
import threading
from pathlib import Path

from service.core.errors import ModelLoadError
from service.storage import ArtifactStore, download_directory

# Present in every saved model directory, written by save_pretrained with the weights.
MARKER = "config.json"


class ModelFiles:
    """Local copies of fully fine-tuned models from the artifact store, by storage prefix."""

    def __init__(self, store: ArtifactStore, root: Path):
        self.store = store
        self.root = root
        self._lock = threading.Lock()
        self._key_locks: dict[str, threading.Lock] = {}

    def path_for(self, key: str) -> Path:
        """Where the local copy of `key` lives (whether or not it exists)."""
        return self.root / hashlib.sha256(key.encode()).hexdigest()[:32]

    def fetch(self, key: str) -> Path:
        """The local copy of model `key`, downloaded on first use; blocking."""
        target = self.path_for(key)
        if (target / MARKER).is_file():
            return target
        with self._lock:
            key_lock = self._key_locks.setdefault(key, threading.Lock())
        with key_lock:
            if (target / MARKER).is_file():
                return target
            self.root.mkdir(parents=True, exist_ok=True)
            staging = Path(tempfile.mkdtemp(dir=self.root, prefix=".download-"))
            try:
                download_directory(self.store, key, staging)
                if not (staging / MARKER).is_file():
                    # The name resolved, so the model exists: its files going missing is ours.
                    raise ModelLoadError(
                        "The model could not be loaded: its files are missing from storage."
                    )
                staging.rename(target)
            finally:
                shutil.rmtree(staging, ignore_errors=True)
        return target

    def remove(self, key: str) -> None:
        """Delete the local copy of `key`, if any."""
        shutil.rmtree(self.path_for(key), ignore_errors=True)
