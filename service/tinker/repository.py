"""SQL of the Tinker front door: sessions, training models and request rows (futures), every
query filtered on the caller's project. The worker-side SQL is in service/tinker/queue.py."""

from __future__ import annotations

import time
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from service.core.ids import new_id, now
from service.core.tables import (
    TinkerCheckpointRow,
    TinkerModelRow,
    TinkerRequestRow,
    TinkerSessionRow,
)

REQUEST_ID_PREFIX = "treq_"
SESSION_ID_PREFIX = "tsess_"


def now_ms() -> int:
    """Unix milliseconds, the unit of a request row's timestamps."""
    return int(time.time() * 1000)


def create_session(
    session: Session,
    *,
    project: str,
    sdk_version: str,
    tags: list[str],
    user_metadata: dict[str, Any] | None,
) -> TinkerSessionRow:
    """Insert a client session."""
    created = now()
    row = TinkerSessionRow(
        id=new_id(SESSION_ID_PREFIX),
        project=project,
        sdk_version=sdk_version,
        tags=tags,
        user_metadata=user_metadata,
        created_at=created,
        heartbeat_at=created,
    )
    session.add(row)
    session.flush()
    return row


def get_session(session: Session, *, project: str, session_id: str) -> TinkerSessionRow | None:
    """A session of the project, or None."""
    return session.scalar(
        select(TinkerSessionRow).where(
            TinkerSessionRow.id == session_id, TinkerSessionRow.project == project
        )
    )


def touch_session(session: Session, *, project: str, session_id: str) -> bool:
    """Record a heartbeat; False when the project has no such session."""
    result = session.execute(
        update(TinkerSessionRow)
        .where(TinkerSessionRow.id == session_id, TinkerSessionRow.project == project)
        .values(heartbeat_at=now())
    )
    return bool(getattr(result, "rowcount", 0))


def count_models(session: Session, *, session_id: str) -> int:
    """How many training models a session made (the next model_seq_id is this)."""
    return len(
        session.scalars(
            select(TinkerModelRow.id).where(TinkerModelRow.session_id == session_id)
        ).all()
    )


def create_model(
    session: Session,
    *,
    model_id: str,
    project: str,
    session_id: str,
    base_model: str,
    lora_rank: int,
    lora_config: dict[str, Any],
    optimizer_config: dict[str, Any],
    user_metadata: dict[str, Any] | None,
) -> TinkerModelRow:
    """Insert a pending training model."""
    created = now()
    row = TinkerModelRow(
        id=model_id,
        project=project,
        session_id=session_id,
        base_model=base_model,
        lora_rank=lora_rank,
        lora_config=lora_config,
        optimizer_config=optimizer_config,
        user_metadata=user_metadata,
        status="pending",
        done_seq_id=0,
        created_at=created,
        last_request_at=created,
    )
    session.add(row)
    session.flush()
    return row


def get_model(session: Session, *, project: str, model_id: str) -> TinkerModelRow | None:
    """A training model of the project, or None."""
    return session.scalar(
        select(TinkerModelRow).where(
            TinkerModelRow.id == model_id, TinkerModelRow.project == project
        )
    )


def model_status(session: Session, *, model_id: str) -> str | None:
    """A training model's status, or None."""
    return session.scalar(select(TinkerModelRow.status).where(TinkerModelRow.id == model_id))


def touch_model(session: Session, *, model_id: str) -> None:
    """Record that the model got a request (idle reclaim reads it)."""
    session.execute(
        update(TinkerModelRow).where(TinkerModelRow.id == model_id).values(last_request_at=now())
    )


def insert_request(
    session: Session,
    *,
    project: str,
    kind: str,
    model_id: str | None,
    seq_id: int | None,
    payload: bytes,
    payload_type: str,
    status: str = "pending",
) -> TinkerRequestRow:
    """Insert a request row (a future)."""
    row = TinkerRequestRow(
        id=new_id(REQUEST_ID_PREFIX),
        project=project,
        model_id=model_id,
        kind=kind,
        seq_id=seq_id,
        status=status,
        payload=payload,
        payload_type=payload_type,
        created_at_ms=now_ms(),
    )
    session.add(row)
    session.flush()
    return row


def get_request(session: Session, *, project: str, request_id: str) -> TinkerRequestRow | None:
    """A request row of the project, or None."""
    return session.scalar(
        select(TinkerRequestRow).where(
            TinkerRequestRow.id == request_id, TinkerRequestRow.project == project
        )
    )


def finish_request(session: Session, *, request_id: str, result: bytes, result_type: str) -> None:
    """Mark a request done with its result."""
    session.execute(
        update(TinkerRequestRow)
        .where(TinkerRequestRow.id == request_id)
        .values(status="done", result=result, result_type=result_type, finished_at_ms=now_ms())
    )


def fail_request(session: Session, *, request_id: str, message: str, category: str) -> None:
    """Mark a request failed with Tinker's `{"error", "category"}`."""
    session.execute(
        update(TinkerRequestRow)
        .where(TinkerRequestRow.id == request_id)
        .values(
            status="failed",
            error={"error": message, "category": category},
            finished_at_ms=now_ms(),
        )
    )


def insert_failed_request(
    session: Session,
    *,
    project: str,
    kind: str,
    model_id: str | None,
    payload: bytes,
    payload_type: str,
    message: str,
    category: str = "user",
) -> TinkerRequestRow:
    """A request refused on arrival: a future that is failed from the start, so the SDK shows
    the message (it retries a 4xx on submit and then says something vague)."""
    row = insert_request(
        session,
        project=project,
        kind=kind,
        model_id=model_id,
        seq_id=None,
        payload=payload,
        payload_type=payload_type,
        status="failed",
    )
    fail_request(session, request_id=row.id, message=message, category=category)
    return row


def find_sequenced_request(
    session: Session, *, project: str, model_id: str, seq_id: int
) -> TinkerRequestRow | None:
    """The request already submitted at this place of the model's order (a retried submit)."""
    return session.scalar(
        select(TinkerRequestRow)
        .where(
            TinkerRequestRow.project == project,
            TinkerRequestRow.model_id == model_id,
            TinkerRequestRow.seq_id == seq_id,
        )
        .order_by(TinkerRequestRow.seq)
        .limit(1)
    )


def find_create_request(
    session: Session, *, project: str, model_id: str
) -> TinkerRequestRow | None:
    """The request that created the model (create_model, or a load_weights creating it)."""
    return session.scalar(
        select(TinkerRequestRow)
        .where(
            TinkerRequestRow.project == project,
            TinkerRequestRow.model_id == model_id,
            TinkerRequestRow.seq_id.is_(None),
            TinkerRequestRow.kind.in_(("create_model", "load_weights")),
        )
        .order_by(TinkerRequestRow.seq)
        .limit(1)
    )


def last_seq_id(session: Session, *, model_id: str) -> int:
    """The highest seq_id submitted to the model (0: none)."""
    highest = session.scalar(
        select(func.max(TinkerRequestRow.seq_id)).where(TinkerRequestRow.model_id == model_id)
    )
    return int(highest or 0)


def get_checkpoint(
    session: Session, *, project: str, tinker_path: str
) -> TinkerCheckpointRow | None:
    """The checkpoint at a tinker:// path, when the project owns it or it is public."""
    row = session.scalar(
        select(TinkerCheckpointRow).where(TinkerCheckpointRow.tinker_path == tinker_path)
    )
    if row is None or (row.project != project and not row.public):
        return None
    return row


def live_models(
    session: Session, *, session_id: str, statuses: tuple[str, ...]
) -> list[TinkerModelRow]:
    """The session's training models in one of `statuses`."""
    return list(
        session.scalars(
            select(TinkerModelRow).where(
                TinkerModelRow.session_id == session_id, TinkerModelRow.status.in_(statuses)
            )
        ).all()
    )
