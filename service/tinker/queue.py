"""The worker side of Tinker's queue: what the scheduler and the session workers do to models
and to their requests' futures (`tinker_models`, `tinker_requests`).

Each function is one transaction and addresses a model by its globally unique id (they act for
no caller). Writes of a session worker are guarded on `worker = <its token>`, so a worker the
scheduler has given up on (lost, reclaimed) can no longer change its model. A training request
is run only when its seq_id is the model's done_seq_id + 1, and finishing it advances
done_seq_id in the same transaction, so a crash never runs a request twice nor skips one.
"""

from __future__ import annotations

import time
from typing import Any, NamedTuple

from sqlalchemy import and_, or_, select, update
from sqlalchemy.orm import Session

from service.core.db import Database, rows_affected
from service.core.ids import now
from service.core.tables import (
    TinkerCheckpointRow,
    TinkerModelRow,
    TinkerRequestRow,
    TinkerSamplingSessionRow,
    TinkerSessionRow,
)

# A model waiting for a device slot; one a worker was given and loads; one it holds.
PENDING, STARTING, READY = "pending", "starting", "ready"
# A model unloaded or reclaimed idle; one whose worker died.
CLOSED, LOST = "closed", "lost"
# Models a worker holds (or is about to): they take a device slot.
HELD = (STARTING, READY)
# The request that loads a model: it has the model's id and no seq_id.
CREATE_MODEL = "create_model"
LOAD_WEIGHTS = "load_weights"
# Futures that have not ended.
OPEN_REQUESTS = ("pending", "running")


class HeldModel(NamedTuple):
    """A model some session worker holds, as the scheduler watches it."""

    model_id: str
    worker: str
    status: str
    # Unix milliseconds of the worker's last beat; None before its first.
    heartbeat_at_ms: int | None


def now_ms() -> int:
    """Unix milliseconds, the unit of the workers' heartbeats and of futures' times."""
    return int(time.time() * 1000)


def error_body(message: str, category: str) -> dict[str, str]:
    """A failed future's stored error, Tinker's `{"error", "category"}`."""
    return {"error": message, "category": category}


def find_model(db: Database, *, model_id: str) -> TinkerModelRow | None:
    """The model `model_id`, freshly read, whatever its project."""
    with db.session() as session:
        return session.scalar(select(TinkerModelRow).where(TinkerModelRow.id == model_id))


def next_pending_model(db: Database) -> TinkerModelRow | None:
    """The oldest model waiting for a device slot, not claimed."""
    with db.session() as session:
        return session.scalar(
            select(TinkerModelRow)
            .where(TinkerModelRow.status == PENDING)
            .order_by(TinkerModelRow.seq)
            .limit(1)
        )


def claim_model(
    db: Database, *, model_id: str, worker: str, slot: str, scheduler: str
) -> TinkerModelRow | None:
    """pending -> starting for `worker` on `slot`; None when another scheduler took it first.
    The claim counts as the worker's first beat, so a worker that never starts is lost."""
    with db.session() as session:
        claimed = rows_affected(
            session.execute(
                update(TinkerModelRow)
                .where(TinkerModelRow.id == model_id, TinkerModelRow.status == PENDING)
                .values(
                    status=STARTING,
                    worker=worker,
                    slot=slot,
                    scheduler=scheduler,
                    worker_heartbeat_at_ms=now_ms(),
                )
            )
        )
        if not claimed:
            return None
        return session.scalar(select(TinkerModelRow).where(TinkerModelRow.id == model_id))


def release_unstarted(db: Database, *, model_id: str, worker: str) -> bool:
    """starting -> pending for a model whose worker could not be started (it waits again)."""
    with db.session() as session:
        return bool(
            rows_affected(
                session.execute(
                    update(TinkerModelRow)
                    .where(
                        TinkerModelRow.id == model_id,
                        TinkerModelRow.worker == worker,
                        TinkerModelRow.status == STARTING,
                    )
                    .values(
                        status=PENDING,
                        worker=None,
                        slot=None,
                        scheduler=None,
                        worker_heartbeat_at_ms=None,
                    )
                )
            )
        )


def held_models(db: Database) -> list[HeldModel]:
    """Every model a worker holds or loads, with its worker and last beat."""
    with db.session() as session:
        rows = session.scalars(
            select(TinkerModelRow)
            .where(TinkerModelRow.status.in_(HELD), TinkerModelRow.worker.is_not(None))
            .order_by(TinkerModelRow.seq)
        )
        return [
            HeldModel(row.id, row.worker, row.status, row.worker_heartbeat_at_ms)
            for row in rows
            if row.worker is not None
        ]


def adopt_model(db: Database, *, model_id: str, worker: str, scheduler: str) -> bool:
    """Record that `scheduler` now supervises the model's running worker (a new server)."""
    with db.session() as session:
        return bool(
            rows_affected(
                session.execute(
                    update(TinkerModelRow)
                    .where(
                        TinkerModelRow.id == model_id,
                        TinkerModelRow.worker == worker,
                        TinkerModelRow.status.in_(HELD),
                    )
                    .values(scheduler=scheduler)
                )
            )
        )


def heartbeat(db: Database, *, model_id: str, worker: str) -> bool:
    """The worker's beat; False when the model is no longer its own (lost, closed, taken)."""
    with db.session() as session:
        return bool(
            rows_affected(
                session.execute(
                    update(TinkerModelRow)
                    .where(
                        TinkerModelRow.id == model_id,
                        TinkerModelRow.worker == worker,
                        TinkerModelRow.status.in_(HELD),
                    )
                    .values(worker_heartbeat_at_ms=now_ms())
                )
            )
        )


def create_request(db: Database, *, model_id: str) -> TinkerRequestRow | None:
    """The request that loads the model (done or not): its create_model, or the load_weights
    that creates it from a checkpoint (`create_training_client_from_state`: no seq_id)."""
    with db.session() as session:
        return session.scalar(
            select(TinkerRequestRow)
            .where(
                TinkerRequestRow.model_id == model_id,
                or_(
                    TinkerRequestRow.kind == CREATE_MODEL,
                    and_(
                        TinkerRequestRow.kind == LOAD_WEIGHTS,
                        or_(TinkerRequestRow.seq_id.is_(None), TinkerRequestRow.seq_id == 0),
                    ),
                ),
            )
            .order_by(TinkerRequestRow.seq)
            .limit(1)
        )


def mark_ready(
    db: Database, *, model_id: str, worker: str, request_id: str | None, result: bytes
) -> bool:
    """starting -> ready, and the create_model future done with `result`, at once; False when
    the model is no longer the worker's."""
    with db.session() as session:
        moved = rows_affected(
            session.execute(
                update(TinkerModelRow)
                .where(
                    TinkerModelRow.id == model_id,
                    TinkerModelRow.worker == worker,
                    TinkerModelRow.status == STARTING,
                )
                .values(status=READY, worker_heartbeat_at_ms=now_ms())
            )
        )
        if not moved:
            return False
        if request_id is not None:
            _end_request(session, request_id=request_id, result=result, result_type="json")
        return True


def next_request(db: Database, *, model_id: str) -> TinkerRequestRow | None:
    """The training request the model runs next (seq_id = done_seq_id + 1), if it arrived;
    later ones wait for it, whatever order they came in."""
    with db.session() as session:
        model = session.scalar(select(TinkerModelRow).where(TinkerModelRow.id == model_id))
        if model is None:
            return None
        return session.scalar(
            select(TinkerRequestRow)
            .where(
                TinkerRequestRow.model_id == model_id,
                TinkerRequestRow.seq_id == model.done_seq_id + 1,
                TinkerRequestRow.status.in_(OPEN_REQUESTS),
            )
            .order_by(TinkerRequestRow.seq)
            .limit(1)
        )


def start_request(db: Database, *, request_id: str) -> bool:
    """pending -> running; False when it is no longer pending."""
    with db.session() as session:
        return bool(
            rows_affected(
                session.execute(
                    update(TinkerRequestRow)
                    .where(TinkerRequestRow.id == request_id, TinkerRequestRow.status == "pending")
                    .values(status="running")
                )
            )
        )


def finish_request(
    db: Database,
    *,
    model_id: str,
    worker: str,
    request_id: str,
    seq_id: int,
    result: bytes,
    result_type: str,
) -> bool:
    """The request done with `result`, and the model past its seq_id, in one transaction;
    False (nothing written) when the model is no longer the worker's."""
    with db.session() as session:
        if not _advance(session, model_id=model_id, worker=worker, seq_id=seq_id):
            return False
        _end_request(session, request_id=request_id, result=result, result_type=result_type)
        return True


def fail_request(
    db: Database,
    *,
    model_id: str,
    worker: str,
    request_id: str,
    seq_id: int,
    message: str,
    category: str,
) -> bool:
    """The request failed with Tinker's error, and the model past its seq_id (the next one
    runs), in one transaction; False when the model is no longer the worker's."""
    with db.session() as session:
        if not _advance(session, model_id=model_id, worker=worker, seq_id=seq_id):
            return False
        _fail(session, request_ids=[request_id], message=message, category=category)
        return True


def fail_open_requests(
    db: Database, *, model_id: str, message: str, category: str, include_create: bool = True
) -> int:
    """Fail every pending or running future of the model (lost or reclaimed); how many."""
    with db.session() as session:
        return _fail_open(
            session,
            model_id=model_id,
            message=message,
            category=category,
            include_create=include_create,
        )


def end_model(
    db: Database,
    *,
    model_id: str,
    status: str,
    message: str,
    category: str,
    worker: str | None = None,
) -> bool:
    """A held (or pending) model closed or lost: its slot is free, and every open future of
    it fails with `message`; guarded on `worker` when given. False when it had ended."""
    with db.session() as session:
        guard = [TinkerModelRow.id == model_id, TinkerModelRow.status.in_((PENDING, *HELD))]
        if worker is not None:
            guard.append(TinkerModelRow.worker == worker)
        ended = rows_affected(
            session.execute(
                update(TinkerModelRow).where(*guard).values(status=status, error=message)
            )
        )
        if not ended:
            return False
        _fail_open(session, model_id=model_id, message=message, category=category)
        return True


def fail_requests_of_ended_models(db: Database, *, messages: dict[str, str]) -> int:
    """Fail the futures submitted to models that ended (closed or lost) after they did, with
    `messages[status]` formatted with the model_id (category user: the caller must
    load_state); how many."""
    with db.session() as session:
        rows = session.execute(
            select(TinkerRequestRow.id, TinkerModelRow.id, TinkerModelRow.status)
            .join(TinkerModelRow, TinkerModelRow.id == TinkerRequestRow.model_id)
            .where(
                TinkerModelRow.status.in_(tuple(messages)),
                TinkerRequestRow.status.in_(OPEN_REQUESTS),
            )
        ).all()
        for request_id, model_id, status in rows:
            message = messages[status].format(model_id=model_id)
            _fail(session, request_ids=[request_id], message=message, category="user")
        return len(rows)


def last_saved_state(db: Database, *, model_id: str) -> str | None:
    """The tinker:// path of the model's newest save_state checkpoint, if any."""
    with db.session() as session:
        return session.scalar(
            select(TinkerCheckpointRow.tinker_path)
            .where(
                TinkerCheckpointRow.model_id == model_id,
                TinkerCheckpointRow.checkpoint_type == "training",
            )
            .order_by(TinkerCheckpointRow.created_at.desc(), TinkerCheckpointRow.seq.desc())
            .limit(1)
        )


def idle_since(db: Database, *, model_id: str) -> int | None:
    """Unix seconds of the model's last sign of use: its last request, or its session's last
    heartbeat, whichever is later; None when the model is gone."""
    with db.session() as session:
        model = session.scalar(select(TinkerModelRow).where(TinkerModelRow.id == model_id))
        if model is None:
            return None
        beat = session.scalar(
            select(TinkerSessionRow.heartbeat_at).where(TinkerSessionRow.id == model.session_id)
        )
        opened = session.scalar(
            select(TinkerRequestRow.created_at_ms)
            .where(TinkerRequestRow.model_id == model_id)
            .order_by(TinkerRequestRow.seq.desc())
            .limit(1)
        )
        last = max(model.last_request_at, beat or 0, (opened or 0) // 1000)
        return last


def has_open_requests(db: Database, *, model_id: str) -> bool:
    """Whether some future of the model is pending or running."""
    with db.session() as session:
        return (
            session.scalar(
                select(TinkerRequestRow.id)
                .where(
                    TinkerRequestRow.model_id == model_id,
                    TinkerRequestRow.status.in_(OPEN_REQUESTS),
                    TinkerRequestRow.kind != CREATE_MODEL,
                )
                .limit(1)
            )
            is not None
        )


def find_checkpoint(db: Database, *, tinker_path: str) -> TinkerCheckpointRow | None:
    """The checkpoint at a tinker:// path, whichever project has it."""
    with db.session() as session:
        return session.scalar(
            select(TinkerCheckpointRow).where(TinkerCheckpointRow.tinker_path == tinker_path)
        )


def record_checkpoint(
    db: Database,
    *,
    project: str,
    model_id: str,
    checkpoint_id: str,
    checkpoint_type: str,
    tinker_path: str,
    storage_key: str,
    base_model: str,
    size_bytes: int,
    ephemeral: bool,
    user_metadata: dict[str, Any] | None,
    created_at: int,
    expires_at: int | None,
    sampling_session_id: str | None,
    session_id: str,
) -> None:
    """Record a saved checkpoint (replacing one at the same path), and the sampling session
    that samples it when the save asked for one, in one transaction."""
    with db.session() as session:
        row = session.scalar(
            select(TinkerCheckpointRow).where(TinkerCheckpointRow.tinker_path == tinker_path)
        )
        if row is None:
            row = TinkerCheckpointRow(tinker_path=tinker_path)
            session.add(row)
        row.project = project
        row.model_id = model_id
        row.checkpoint_id = checkpoint_id
        row.checkpoint_type = checkpoint_type
        row.storage_key = storage_key
        row.base_model = base_model
        row.size_bytes = size_bytes
        row.public = False
        row.ephemeral = ephemeral
        row.user_metadata = user_metadata
        row.created_at = created_at
        row.expires_at = expires_at
        if sampling_session_id is not None:
            session.add(
                TinkerSamplingSessionRow(
                    id=sampling_session_id,
                    project=project,
                    session_id=session_id,
                    base_model=base_model,
                    model_path=tinker_path,
                    created_at=created_at,
                )
            )


def _advance(session: Session, *, model_id: str, worker: str, seq_id: int) -> bool:
    """done_seq_id := seq_id while the worker holds the model (and it was seq_id - 1)."""
    return bool(
        rows_affected(
            session.execute(
                update(TinkerModelRow)
                .where(
                    TinkerModelRow.id == model_id,
                    TinkerModelRow.worker == worker,
                    TinkerModelRow.status == READY,
                    TinkerModelRow.done_seq_id == seq_id - 1,
                )
                .values(done_seq_id=seq_id, last_request_at=now())
            )
        )
    )


def _end_request(session: Session, *, request_id: str, result: bytes, result_type: str) -> None:
    session.execute(
        update(TinkerRequestRow)
        .where(TinkerRequestRow.id == request_id, TinkerRequestRow.status.in_(OPEN_REQUESTS))
        .values(status="done", result=result, result_type=result_type, finished_at_ms=now_ms())
    )


def _fail(session: Session, *, request_ids: list[str], message: str, category: str) -> None:
    if not request_ids:
        return
    session.execute(
        update(TinkerRequestRow)
        .where(TinkerRequestRow.id.in_(request_ids), TinkerRequestRow.status.in_(OPEN_REQUESTS))
        .values(
            status="failed",
            error=error_body(message, category),
            finished_at_ms=now_ms(),
        )
    )


def _fail_open(
    session: Session, *, model_id: str, message: str, category: str, include_create: bool = True
) -> int:
    guard = [TinkerRequestRow.model_id == model_id, TinkerRequestRow.status.in_(OPEN_REQUESTS)]
    if not include_create:
        guard.append(TinkerRequestRow.kind != CREATE_MODEL)
    ids = list(session.scalars(select(TinkerRequestRow.id).where(*guard)))
    _fail(session, request_ids=ids, message=message, category=category)
    return len(ids)
