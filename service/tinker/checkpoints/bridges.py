"""Bridges from Tinker to the jobs world (Whetstone's extension, under /api/v1/_whetstone/).

A Tinker checkpoint, or a PEFT LoRA adapter brought as a tar (one downloaded from Tinker), is
made an `ft:` model of the project: its adapter files are copied under their own storage key
and a succeeded job names them (service/fine_tuning: `import_adapter_model`), so the Models
API, completions, evals and the dashboard see it as a job's model, and deleting the Tinker
checkpoint later does not take the model with it.
"""

from __future__ import annotations

import io
import json
import tarfile
import tempfile
from pathlib import Path

from service.catalog import Catalog
from service.core.auth import Principal
from service.core.db import Database
from service.core.errors import InvalidRequestError, NotFoundError
from service.core.ids import new_id
from service.fine_tuning import operations as fine_tuning
from service.fine_tuning.schemas import FineTuningJob
from service.storage import ArtifactStore, upload_directory
from service.tinker.checkpoints import downloads, repository

# A PEFT adapter's own files; a training checkpoint's optimizer state stays behind.
_ADAPTER_FILES = ("adapter_config.json", "adapter_model.safetensors", "adapter_model.bin")


def _imported_key(project: str) -> str:
    return f"imported/{project}/{new_id('imp_')}/adapter"


def publish_as_model(
    db: Database,
    store: ArtifactStore,
    catalog: Catalog,
    *,
    principal: Principal,
    tinker_path: str,
    suffix: str | None,
) -> FineTuningJob:
    """An `ft:` model of the caller's project from a Tinker checkpoint it may read."""
    with db.session() as session:
        row = repository.get_checkpoint(
            session, project=principal.project, tinker_path=tinker_path, readable=True
        )
        if row is None:
            raise NotFoundError(
                f"No Tinker checkpoint {tinker_path} in this project.", param="tinker_path"
            )
        source_key, base_model = row.storage_key, row.base_model
    names = [n for n in downloads.checkpoint_files(store, source_key) if n in _ADAPTER_FILES]
    if "adapter_config.json" not in names:
        raise NotFoundError(f"The checkpoint {tinker_path} has no adapter files.")
    key = _imported_key(principal.project)
    for name in names:
        store.put_stream(f"{key}/{name}", store.iter_chunks(f"{source_key}/{name}"))
    return fine_tuning.import_adapter_model(
        db,
        catalog,
        principal=principal,
        base_model=base_model,
        adapter_key=key,
        suffix=suffix,
        source=tinker_path,
    )


def import_adapter(
    db: Database,
    store: ArtifactStore,
    catalog: Catalog,
    *,
    principal: Principal,
    base_model: str,
    suffix: str | None,
    archive: bytes,
) -> FineTuningJob:
    """An `ft:` model of the caller's project from a tar of a PEFT LoRA adapter on a catalog
    base model (the files at the tar's root, or in one directory)."""
    catalog.resolve(base_model)
    with tempfile.TemporaryDirectory() as scratch:
        adapter = _extract(archive, Path(scratch))
        key = _imported_key(principal.project)
        upload_directory(store, key, adapter)
    return fine_tuning.import_adapter_model(
        db,
        catalog,
        principal=principal,
        base_model=base_model,
        adapter_key=key,
        suffix=suffix,
        source="a PEFT adapter upload",
    )


def _extract(archive: bytes, scratch: Path) -> Path:
    """The adapter's files from the tar, checked: a LoRA adapter_config.json and weights."""
    adapter = scratch / "adapter"
    adapter.mkdir()
    try:
        with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
            for member in tar.getmembers():
                name = Path(member.name).name
                if not member.isfile() or name not in _ADAPTER_FILES:
                    continue
                source = tar.extractfile(member)
                if source is not None:
                    (adapter / name).write_bytes(source.read())
    except tarfile.TarError as exc:
        raise InvalidRequestError(f"The body is not a tar archive: {exc}.", param="body") from exc
    config_path = adapter / "adapter_config.json"
    if not config_path.exists():
        raise InvalidRequestError(
            "The archive holds no adapter_config.json: send a tar of a PEFT adapter directory.",
            param="body",
        )
    try:
        config = json.loads(config_path.read_text())
    except ValueError as exc:
        raise InvalidRequestError("adapter_config.json is not JSON.", param="body") from exc
    if not isinstance(config, dict) or config.get("peft_type") != "LORA":
        raise InvalidRequestError(
            "Only LoRA adapters can be imported (adapter_config.json's peft_type is not LORA).",
            param="body",
        )
    if not any((adapter / name).exists() for name in _ADAPTER_FILES[1:]):
        raise InvalidRequestError(
            "The archive holds no adapter weights (adapter_model.safetensors).", param="body"
        )
    return adapter
