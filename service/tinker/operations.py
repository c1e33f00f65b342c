"""The Tinker dialect translated onto Whetstone: sessions, training models and their requests.

A training model is `{session_id}:train:{model_seq_id}` (the SDK computes such ids itself when
it resumes). create_model inserts a pending TinkerModelRow and a `create_model` request; the
scheduler gives the model a device slot and starts its session worker, which finishes the
requests of the model strictly in seq_id order. Problems found at submit become failed futures
(category `user`): the SDK retries a 4xx on submit and then shows only a vague error.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from service.catalog import Catalog
from service.core.auth import Principal
from service.core.db import Database
from service.core.errors import ModelNotFoundError, NotFoundError
from service.core.tables import TinkerModelRow
from service.tinker import futures, repository
from service.tinker.schemas import (
    CreateModelRequest,
    CreateSessionRequest,
    CreateSessionResponse,
    GetInfoResponse,
    GetServerCapabilitiesResponse,
    LoadWeightsRequest,
    ModelData,
    SupportedModel,
)


def server_capabilities(catalog: Catalog) -> GetServerCapabilitiesResponse:
    """The catalog's base models, each trainable with LoRA (the emulator among them)."""
    return GetServerCapabilitiesResponse(
        supported_models=[
            SupportedModel(model_name=name, max_context_length=entry.context_length)
            for name, entry in catalog.entries.items()
        ]
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


# The statuses of a model that still takes requests (service/tinker/queue.py draws them all).
_LIVE_MODEL_STATUSES = ("pending", "starting", "ready")
# Tinker's optimizer family names for Adam (create_model's optimizer_config.type).
_ADAM_FAMILIES = ("adam", "adamw")
# A rank above this is no LoRA a session worker holds on one device.
MAX_LORA_RANK = 512


@dataclass(frozen=True)
class Submitted:
    """A submit's answer: the future, and the model it belongs to."""

    request_id: str
    model_id: str | None

    def answer(self) -> dict[str, object]:
        """The UntypedAPIFuture body."""
        return futures.future_answer(self.request_id, self.model_id)


def training_model_id(session_id: str, model_seq_id: int) -> str:
    """Tinker's training model id, the one the SDK computes itself when it resumes."""
    return f"{session_id}:train:{model_seq_id}"


def _failed(
    db: Database, *, project: str, kind: str, model_id: str | None, message: str
) -> Submitted:
    request_id = futures.submit_failed(
        db, project=project, kind=kind, model_id=model_id, message=message
    )
    return Submitted(request_id, model_id)


def _model_problem(
    session: Session, *, project: str, model_id: str
) -> tuple[TinkerModelRow | None, str | None]:
    model = repository.get_model(session, project=project, model_id=model_id)
    if model is None:
        return None, (
            f"No training model {model_id!r} in this project: create one with "
            "create_lora_training_client (or create_training_client_from_state)."
        )
    if model.status not in _LIVE_MODEL_STATUSES:
        reason = model.error or f"The model {model_id} is {model.status}."
        return model, reason
    return model, None


def _created(session: Session, *, project: str, model_id: str) -> Submitted | None:
    """The future of the request that created the model, when it exists already."""
    if repository.get_model(session, project=project, model_id=model_id) is None:
        return None
    request = repository.find_create_request(session, project=project, model_id=model_id)
    return Submitted(request.id, model_id) if request is not None else None


def _optimizer_problem(config: dict[str, Any] | None) -> str | None:
    family = (config or {}).get("type", "adamw")
    if family not in _ADAM_FAMILIES:
        return (
            f"The optimizer {family!r} is not supported by Whetstone's Tinker API: only AdamW "
            "(AdamOptimizerConfig) is."
        )
    return None


def _base_model_problem(catalog: Catalog, name: str) -> str | None:
    try:
        catalog.resolve(name)
    except ModelNotFoundError:
        offered = ", ".join(catalog.entries)
        return (
            f"The base model {name!r} is not offered by this server; trainable base models: "
            f"{offered}."
        )
    return None


def create_model(
    db: Database,
    catalog: Catalog,
    *,
    principal: Principal,
    request: CreateModelRequest,
    payload: bytes,
) -> Submitted:
    """A pending LoRA training model and its create_model future; the scheduler gives it a
    device slot, and its worker finishes the future once the model is loaded."""
    project = principal.project
    model_id = training_model_id(request.session_id, request.model_seq_id)
    lora = request.lora_config
    problem = _base_model_problem(catalog, request.base_model)
    if problem is None and lora is None:
        problem = (
            "create_model without lora_config asks for full fine-tuning, which Whetstone's "
            "Tinker API does not offer: create a LoRA training client."
        )
    if problem is None and lora is not None:
        entry = catalog.resolve(request.base_model)
        if not 1 <= lora.rank <= MAX_LORA_RANK:
            problem = f"LoRA rank {lora.rank} is out of range: use 1 to {MAX_LORA_RANK}."
        elif not (lora.train_mlp or lora.train_attn or lora.train_unembed):
            problem = "At least one of train_mlp, train_attn or train_unembed must be true."
        else:
            problem = entry.unservable_lora_rank(lora.rank)
    if problem is None:
        problem = _optimizer_problem(request.optimizer_config)
    with db.session() as session:
        if problem is None:
            if (
                repository.get_session(session, project=project, session_id=request.session_id)
                is None
            ):
                problem = f"No Tinker session {request.session_id!r} in this project."
            elif (earlier := _created(session, project=project, model_id=model_id)) is not None:
                # A retried submit (its first answer was lost): the same future.
                return earlier
        if problem is not None:
            row = repository.insert_failed_request(
                session,
                project=project,
                kind="create_model",
                model_id=None,
                payload=payload,
                payload_type="json",
                message=problem,
            )
            return Submitted(row.id, None)
        assert lora is not None
        repository.create_model(
            session,
            model_id=model_id,
            project=project,
            session_id=request.session_id,
            base_model=request.base_model,
            lora_rank=lora.rank,
            lora_config=lora.model_dump(mode="json"),
            optimizer_config=request.optimizer_config or {"type": "adamw"},
            user_metadata=request.user_metadata,
        )
        row = repository.insert_request(
            session,
            project=project,
            kind="create_model",
            model_id=model_id,
            seq_id=None,
            payload=payload,
            payload_type="json",
        )
        return Submitted(row.id, model_id)


def create_model_from_checkpoint(
    db: Database,
    catalog: Catalog,
    *,
    principal: Principal,
    request: LoadWeightsRequest,
    payload: bytes,
) -> Submitted:
    """`create_training_client_from_state`: a model created by its first request, a
    load_weights of a training checkpoint of this project (LoRA settings from its run)."""
    project = principal.project
    assert request.session_id is not None and request.model_seq_id is not None
    model_id = training_model_id(request.session_id, request.model_seq_id)
    problem = _optimizer_problem(request.optimizer_config)
    with db.session() as session:
        checkpoint = repository.get_checkpoint(session, project=project, tinker_path=request.path)
        source = (
            repository.get_model(session, project=checkpoint.project, model_id=checkpoint.model_id)
            if checkpoint is not None
            else None
        )
        base_model = request.base_model or (checkpoint.base_model if checkpoint else "")
        if problem is not None:
            pass
        elif checkpoint is None or source is None:
            problem = (
                f"No checkpoint {request.path!r} in this project (expected a path returned by "
                "save_state, tinker://<run>/weights/<name>)."
            )
        elif request.optimizer and checkpoint.checkpoint_type != "training":
            problem = (
                f"{request.path} holds sampler weights, without optimizer state: load it "
                "without the optimizer, or load a save_state checkpoint."
            )
        elif (reason := _base_model_problem(catalog, base_model)) is not None:
            problem = reason
        elif (
            repository.get_session(session, project=project, session_id=request.session_id) is None
        ):
            problem = f"No Tinker session {request.session_id!r} in this project."
        elif (earlier := _created(session, project=project, model_id=model_id)) is not None:
            return earlier
        if problem is not None:
            row = repository.insert_failed_request(
                session,
                project=project,
                kind="load_weights",
                model_id=None,
                payload=payload,
                payload_type="json",
                message=problem,
            )
            return Submitted(row.id, None)
        assert source is not None
        repository.create_model(
            session,
            model_id=model_id,
            project=project,
            session_id=request.session_id,
            base_model=base_model,
            lora_rank=source.lora_rank,
            lora_config=dict(source.lora_config),
            optimizer_config=request.optimizer_config or dict(source.optimizer_config),
            user_metadata=request.user_metadata,
        )
        row = repository.insert_request(
            session,
            project=project,
            kind="load_weights",
            model_id=model_id,
            seq_id=None,
            payload=payload,
            payload_type="json",
        )
        return Submitted(row.id, model_id)


def submit_to_model(
    db: Database,
    *,
    principal: Principal,
    kind: str,
    model_id: str,
    seq_id: int | None,
    payload: bytes,
    payload_type: str,
) -> Submitted:
    """Queue a request of a training model at its place in the model's order (its worker runs
    it, and reports what is wrong with it, in that order). A retried submit of the same place
    gets the same future; a request to a model that is gone fails at once."""
    project = principal.project
    with db.session() as session:
        model, problem = _model_problem(session, project=project, model_id=model_id)
        if problem is None and (seq_id is None or seq_id < 1):
            problem = f"{kind} needs the request's seq_id (1, 2, ... per training client)."
        if problem is None:
            assert seq_id is not None
            earlier = repository.find_sequenced_request(
                session, project=project, model_id=model_id, seq_id=seq_id
            )
            if earlier is not None:
                return Submitted(earlier.id, model_id)
            row = repository.insert_request(
                session,
                project=project,
                kind=kind,
                model_id=model_id,
                seq_id=seq_id,
                payload=payload,
                payload_type=payload_type,
            )
            repository.touch_model(session, model_id=model_id)
            return Submitted(row.id, model_id)
        row = repository.insert_failed_request(
            session,
            project=project,
            kind=kind,
            model_id=model_id if model is not None else None,
            payload=b"",
            payload_type=payload_type,
            message=problem,
        )
        return Submitted(row.id, model_id)


def unload_model(
    db: Database, *, principal: Principal, model_id: str, seq_id: int | None
) -> Submitted:
    """Queue the model's unload after every request it has (its worker then exits)."""
    project = principal.project
    with db.session() as session:
        model, problem = _model_problem(session, project=project, model_id=model_id)
        if problem is not None or model is None:
            row = repository.insert_failed_request(
                session,
                project=project,
                kind="unload_model",
                model_id=None,
                payload=b"",
                payload_type="json",
                message=problem or "",
            )
            return Submitted(row.id, model_id)
        # The SDK sends no seq_id: the unload goes after the last request submitted.
        place = seq_id or repository.last_seq_id(session, model_id=model_id) + 1
        row = repository.insert_request(
            session,
            project=project,
            kind="unload_model",
            model_id=model_id,
            seq_id=place,
            payload=b"{}",
            payload_type="json",
        )
        return Submitted(row.id, model_id)


def get_info(
    db: Database, catalog: Catalog, *, principal: Principal, model_id: str
) -> GetInfoResponse:
    """A training model's base model, LoRA rank and optimizer."""
    with db.session() as session:
        model = repository.get_model(session, project=principal.project, model_id=model_id)
        if model is None:
            raise NotFoundError(f"No training model {model_id!r} in this project.")
        try:
            entry = catalog.resolve(model.base_model)
            tokenizer_id = entry.hub_id
        except ModelNotFoundError:
            tokenizer_id = None
        return GetInfoResponse(
            model_id=model.id,
            model_data=ModelData(model_name=model.base_model, tokenizer_id=tokenizer_id),
            optimizer_config=dict(model.optimizer_config or {"type": "adamw"}),
            lora_rank=model.lora_rank,
            model_name=model.base_model,
        )


def finish_session(db: Database, *, principal: Principal, session_id: str) -> None:
    """End a client session: each of its live models is unloaded after its queued requests;
    404 for a session the project does not have."""
    project = principal.project
    with db.session() as session:
        if repository.get_session(session, project=project, session_id=session_id) is None:
            raise NotFoundError(f"No Tinker session {session_id!r} in this project.")
        for model in repository.live_models(
            session, session_id=session_id, statuses=_LIVE_MODEL_STATUSES
        ):
            place = repository.last_seq_id(session, model_id=model.id) + 1
            repository.insert_request(
                session,
                project=project,
                kind="unload_model",
                model_id=model.id,
                seq_id=place,
                payload=b"{}",
                payload_type="json",
            )
