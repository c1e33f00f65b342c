"""Tinker's REST resources: training runs, their checkpoints (list, delete, publish, TTL,
weights info, downloads) and client sessions. Blocking functions run in the threadpool.

A checkpoint's files live under its storage key (service/scheduler/sessions.py writes them): a
PEFT adapter directory, served through service/inference as `AdapterRef(storage_key)`.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime

from service.core.db import Database
from service.core.errors import InvalidRequestError, NotFoundError
from service.core.tables import TinkerCheckpointRow, TinkerModelRow
from service.storage import ArtifactStore
from service.tinker.checkpoints import downloads, repository
from service.tinker.checkpoints.schemas import (
    Checkpoint,
    CheckpointsListResponse,
    Cursor,
    GetSessionResponse,
    ListSessionsResponse,
    TrainingRun,
    TrainingRunsResponse,
    WeightsInfoResponse,
)

_KINDS = {"weights": "training", "sampler_weights": "sampler", "external_weights": "external"}
# Tinker's TTL bounds: one hour to ten years.
_TTL_MIN_SECONDS = 3600
_TTL_MAX_SECONDS = 10 * 365 * 24 * 3600
MAX_PAGE = 1000


def tinker_path(model_id: str, checkpoint_id: str) -> str:
    """`tinker://{model_id}/{kind}/{name}`, the checkpoint's path; InvalidRequestError for a
    kind Tinker does not have."""
    kind = checkpoint_id.split("/", 1)[0]
    if kind not in _KINDS or "/" not in checkpoint_id:
        raise InvalidRequestError(
            f"{checkpoint_id!r} is not a checkpoint id: expected weights/<name>, "
            "sampler_weights/<name> or external_weights/<name>.",
            param="checkpoint_id",
        )
    return f"tinker://{model_id}/{checkpoint_id}"


def _time(seconds: int) -> datetime:
    return datetime.fromtimestamp(seconds, tz=UTC)


def _checkpoint(row: TinkerCheckpointRow) -> Checkpoint:
    checkpoint_type = row.checkpoint_type if row.checkpoint_type in _KINDS.values() else "training"
    metadata = row.user_metadata
    return Checkpoint(
        checkpoint_id=row.checkpoint_id,
        checkpoint_type=checkpoint_type,
        time=_time(row.created_at),
        tinker_path=row.tinker_path,
        size_bytes=row.size_bytes,
        public=row.public,
        user_metadata={str(k): str(v) for k, v in metadata.items()} if metadata else None,
        expires_at=_time(row.expires_at) if row.expires_at is not None else None,
    )


def _run(model: TinkerModelRow, checkpoints: list[TinkerCheckpointRow]) -> TrainingRun:
    mine = [c for c in checkpoints if c.model_id == model.id]
    training = [c for c in mine if c.checkpoint_type == "training"]
    sampler = [c for c in mine if c.checkpoint_type == "sampler"]
    metadata = model.user_metadata
    return TrainingRun(
        training_run_id=model.id,
        base_model=model.base_model,
        model_owner=model.project,
        is_lora=True,
        lora_rank=model.lora_rank,
        last_request_time=_time(model.last_request_at),
        last_checkpoint=_checkpoint(training[-1]) if training else None,
        last_sampler_checkpoint=_checkpoint(sampler[-1]) if sampler else None,
        user_metadata={str(k): str(v) for k, v in metadata.items()} if metadata else None,
    )


def _page(limit: int, offset: int) -> None:
    if not 1 <= limit <= MAX_PAGE:
        raise InvalidRequestError(f"limit must be between 1 and {MAX_PAGE}.", param="limit")
    if offset < 0:
        raise InvalidRequestError("offset must be 0 or more.", param="offset")


def list_training_runs(
    db: Database, *, project: str, limit: int, offset: int
) -> TrainingRunsResponse:
    """A page of the project's training runs, newest first."""
    _page(limit, offset)
    with db.session() as session:
        models, total = repository.list_models(session, project=project, limit=limit, offset=offset)
        checkpoints = repository.list_checkpoints_of(
            session, project=project, model_ids=[m.id for m in models]
        )
        return TrainingRunsResponse(
            training_runs=[_run(m, checkpoints) for m in models],
            cursor=Cursor(offset=offset, limit=limit, total_count=total),
        )


def get_training_run(db: Database, *, project: str, model_id: str) -> TrainingRun:
    """One training run the project owns (or one with a published checkpoint)."""
    with db.session() as session:
        model = repository.get_readable_model(session, project=project, model_id=model_id)
        if model is None:
            raise NotFoundError(f"No Tinker training run {model_id!r} in this project.")
        checkpoints = repository.list_checkpoints_of(
            session, project=model.project, model_ids=[model.id]
        )
        if model.project != project:
            checkpoints = [c for c in checkpoints if c.public]
        return _run(model, checkpoints)


def list_run_checkpoints(db: Database, *, project: str, model_id: str) -> CheckpointsListResponse:
    """Every checkpoint of one of the project's training runs, oldest first."""
    with db.session() as session:
        if repository.get_model(session, project=project, model_id=model_id) is None:
            raise NotFoundError(f"No Tinker training run {model_id!r} in this project.")
        rows = repository.list_checkpoints_of(session, project=project, model_ids=[model_id])
        return CheckpointsListResponse(checkpoints=[_checkpoint(r) for r in rows])


def list_checkpoints(
    db: Database, *, project: str, limit: int, offset: int
) -> CheckpointsListResponse:
    """A page of every checkpoint of the project, newest first."""
    _page(limit, offset)
    with db.session() as session:
        rows, total = repository.list_checkpoints(
            session, project=project, limit=limit, offset=offset
        )
        return CheckpointsListResponse(
            checkpoints=[_checkpoint(r) for r in rows],
            cursor=Cursor(offset=offset, limit=limit, total_count=total),
        )


def _owned(db: Database, *, project: str, path: str) -> TinkerCheckpointRow:
    with db.session() as session:
        row = repository.get_checkpoint(session, project=project, tinker_path=path)
        if row is None:
            raise NotFoundError(f"No Tinker checkpoint {path} in this project.")
        session.expunge(row)
        return row


def delete_checkpoint(
    db: Database, store: ArtifactStore, *, project: str, model_id: str, checkpoint_id: str
) -> str:
    """Delete one of the project's checkpoints, its files and its sampling sessions; the
    storage key, which the caller stops serving."""
    path = tinker_path(model_id, checkpoint_id)
    row = _owned(db, project=project, path=path)
    with db.session() as session:
        repository.delete_checkpoint(session, project=project, tinker_path=path)
    store.delete_prefix(row.storage_key + "/")
    return row.storage_key


def set_published(
    db: Database, *, project: str, model_id: str, checkpoint_id: str, public: bool
) -> None:
    """Publish a checkpoint (every project may then read and sample it) or unpublish it."""
    path = tinker_path(model_id, checkpoint_id)
    _owned(db, project=project, path=path)
    with db.session() as session:
        repository.set_public(session, project=project, tinker_path=path, public=public)


def set_ttl(
    db: Database, *, project: str, model_id: str, checkpoint_id: str, ttl_seconds: int | None
) -> None:
    """Record when the checkpoint expires, from now (None: never), within Tinker's bounds."""
    if ttl_seconds is not None and not _TTL_MIN_SECONDS <= ttl_seconds <= _TTL_MAX_SECONDS:
        raise InvalidRequestError(
            f"ttl_seconds must be between {_TTL_MIN_SECONDS} and {_TTL_MAX_SECONDS}, or null.",
            param="ttl_seconds",
        )
    path = tinker_path(model_id, checkpoint_id)
    _owned(db, project=project, path=path)
    expires = None if ttl_seconds is None else int(time.time()) + ttl_seconds
    with db.session() as session:
        repository.set_expiry(session, project=project, tinker_path=path, expires_at=expires)


def weights_info(db: Database, *, project: str, path: str) -> WeightsInfoResponse:
    """The base model and LoRA shape of a checkpoint the project may read."""
    with db.session() as session:
        row = repository.get_checkpoint(session, project=project, tinker_path=path, readable=True)
        if row is None:
            raise NotFoundError(f"No Tinker checkpoint {path} in this project.")
        model = repository.get_model(session, project=row.project, model_id=row.model_id)
        if model is None:
            return WeightsInfoResponse(base_model=row.base_model)
        lora = model.lora_config or {}
        return WeightsInfoResponse(
            base_model=model.base_model,
            optimizer_config=model.optimizer_config or {"type": "adamw"},
            lora_rank=model.lora_rank,
            train_unembed=lora.get("train_unembed"),
            train_mlp=lora.get("train_mlp"),
            train_attn=lora.get("train_attn"),
        )


def signed_grant(
    db: Database, *, project: str, model_id: str, checkpoint_id: str, secret: str
) -> tuple[str, int]:
    """A download token for a checkpoint the project may read, and when it expires."""
    path = tinker_path(model_id, checkpoint_id)
    with db.session() as session:
        row = repository.get_checkpoint(session, project=project, tinker_path=path, readable=True)
        if row is None:
            raise NotFoundError(f"No Tinker checkpoint {path} in this project.")
        prefix = row.storage_key
    expires = int(time.time()) + downloads.URL_LIFETIME_SECONDS
    return downloads.sign(secret, prefix=prefix, expires=expires), expires


def list_sessions(db: Database, *, project: str, limit: int, offset: int) -> ListSessionsResponse:
    """A page of the project's client sessions, newest first."""
    _page(limit, offset)
    with db.session() as session:
        return ListSessionsResponse(
            sessions=repository.list_sessions(session, project=project, limit=limit, offset=offset)
        )


def get_session(db: Database, *, project: str, session_id: str) -> GetSessionResponse:
    """What a client session of the project made."""
    with db.session() as session:
        row = repository.get_session(session, project=project, session_id=session_id)
        if row is None:
            raise NotFoundError(f"No Tinker session {session_id!r} in this project.")
        models, samplers = repository.session_children(
            session, project=project, session_id=session_id
        )
        metadata = row.user_metadata
        return GetSessionResponse(
            training_run_ids=models,
            sampler_ids=samplers,
            user_metadata={str(k): str(v) for k, v in metadata.items()} if metadata else None,
        )
