"""Adapters: copied from the artifact store to a local cache dir, loaded into peft on demand.

Two layers, with different owners:
- `AdapterFiles` (any thread) keeps a local copy of each adapter under the data dir. A copy is
  published with one rename, so a half-downloaded adapter is never loaded.
- `LoadedAdapters` (the engine thread only) keeps at most `capacity` adapters loaded into the
  base model through peft, least recently used first out. An adapter that running sequences
  use is pinned and never evicted for room (the cache may then run over capacity for a while);
  a deleted model's adapter is unloaded at once regardless.
"""

from __future__ import annotations

import hashlib
import shutil
import tempfile
import threading
import warnings
from collections import Counter, OrderedDict
from pathlib import Path
from typing import Any

from service.errors import ModelNotFoundError
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
                    raise ModelNotFoundError(
                        "The model's adapter is no longer available.", param="model"
                    )
                staging.rename(target)
            finally:
                shutil.rmtree(staging, ignore_errors=True)
        return LocalAdapter(key=key, path=target)

    def remove(self, key: str) -> None:
        """Delete the local copy of `key`, if any."""
        shutil.rmtree(self.path_for(key), ignore_errors=True)


class LoadedAdapters:
    """The adapters loaded into one base model, least recently used first. Engine thread only."""

    def __init__(self, base_model: Any, capacity: int):
        self.base_model = base_model
        self.capacity = max(1, capacity)
        self.peft_model: Any = None
        self._names: OrderedDict[str, str] = OrderedDict()  # storage key -> peft adapter name
        self._pins: Counter[str] = Counter()
        self._counter = 0

    @property
    def model(self) -> Any:
        """What to call forward on: the peft model while any adapter is loaded, else the base."""
        return self.peft_model if self.peft_model is not None else self.base_model

    def loaded_keys(self) -> list[str]:
        """Storage keys of the loaded adapters, least recently used first."""
        return list(self._names)

    def acquire(self, adapter: LocalAdapter) -> str:
        """Load `adapter` if needed, pin it, and return its peft adapter name."""
        name = self._names.get(adapter.key)
        if name is None:
            name = self._load(adapter)
        self._names.move_to_end(adapter.key)
        self._pins[adapter.key] += 1
        self._evict_for_room()
        return name

    def release(self, key: str) -> None:
        """Unpin one use of `key` (a sequence that used it ended)."""
        if self._pins[key] > 0:
            self._pins[key] -= 1
        if self._pins[key] == 0:
            del self._pins[key]
        self._evict_for_room()

    def unload(self, key: str) -> None:
        """Unload `key` now, pinned or not (its model was deleted)."""
        name = self._names.pop(key, None)
        self._pins.pop(key, None)
        if name is None:
            return
        if not self._names:
            # peft cannot run with zero adapters; unload() strips the LoRA layers and gives the
            # base model back unchanged (nothing is merged).
            self.base_model = self.peft_model.unload()
            self.peft_model = None
            return
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # "adapter was active, now deleted": expected here
            self.peft_model.delete_adapter(name)

    def _load(self, adapter: LocalAdapter) -> str:
        from peft import PeftModel

        self._counter += 1
        name = f"adapter_{self._counter}"
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # peft's deprecation chatter on every load
                if self.peft_model is None:
                    self.peft_model = PeftModel.from_pretrained(
                        self.base_model, str(adapter.path), adapter_name=name
                    )
                else:
                    self.peft_model.load_adapter(str(adapter.path), adapter_name=name)
        except (OSError, ValueError, RuntimeError, KeyError) as exc:
            raise ModelNotFoundError(
                "The model's adapter could not be loaded.", param="model"
            ) from exc
        self.peft_model.eval()
        self._names[adapter.key] = name
        return name

    def _evict_for_room(self) -> None:
        for key in list(self._names):
            if len(self._names) <= self.capacity:
                return
            if self._pins[key] == 0:
                self.unload(key)
