"""The Tinker dialect translated onto Whetstone: sessions, training models and their requests.

A training model is `{session_id}:train:{model_seq_id}` (the SDK computes such ids itself when
it resumes). create_model inserts a pending TinkerModelRow and a `create_model` request; the
scheduler gives the model a device slot and starts its session worker, which finishes the
requests of the model strictly in seq_id order. Problems found at submit become failed futures
(category `user`): the SDK retries a 4xx on submit and then shows only a vague error.
"""

from __future__ import annotations

from service.catalog import Catalog
from service.core.auth import Principal
from service.core.db import Database
from service.core.errors import NotFoundError
from service.tinker import futures, repository
from service.tinker.schemas import (
    CreateSessionRequest,
    CreateSessionResponse,
    GetServerCapabilitiesResponse,
    SupportedModel,
)


def server_capabilities(catalog: Catalog) -> GetServerCapabilitiesResponse:
    """The catalog's base models, each trainable with LoRA (the emulator among them)."""
    return GetServerCapabilitiesResponse(
        supported_models=[SupportedModel(model_name=name) for name in catalog.entries]
    )


def create_session(
    db: Database, *, principal: Principal, request: CreateSessionRequest
) -> CreateSessionResponse:
    """Record a client session."""
    with db.session() as session:
        row = repository.create_session(
            session,
            project=principal.project,
            sdk_version=request.sdk_version,
            tags=list(request.tags),
            user_metadata=request.user_metadata,
        )
        return CreateSessionResponse(session_id=row.id)


def session_heartbeat(db: Database, *, principal: Principal, session_id: str) -> None:
    """Record a session's heartbeat; 404 for a session the project does not have."""
    with db.session() as session:
        if not repository.touch_session(session, project=principal.project, session_id=session_id):
            raise NotFoundError(f"No Tinker session {session_id!r} in this project.")


def queue_state(db: Database, state: futures.FutureState) -> str:
    """Tinker's queue_state of a pending future: paused_capacity while its model waits for a
    device slot, active otherwise."""
    if state.model_id is None:
        return "active"
    with db.session() as session:
        status = repository.model_status(session, model_id=state.model_id)
    return "paused_capacity" if status == "pending" else "active"
