"""SQL of Tinker's REST resources: training runs (models), their checkpoints and client
sessions, every query filtered on the caller's project (published checkpoints excepted where
said)."""

from __future__ import annotations

from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.orm import Session

from service.core.tables import (
    TinkerCheckpointRow,
    TinkerModelRow,
    TinkerSamplingSessionRow,
    TinkerSessionRow,
)


def list_models(
    session: Session, *, project: str, limit: int, offset: int
) -> tuple[list[TinkerModelRow], int]:
    """A page of the project's training runs, newest first, and how many there are."""
    total = session.scalar(
        select(func.count()).select_from(TinkerModelRow).where(TinkerModelRow.project == project)
    )
    rows = session.scalars(
        select(TinkerModelRow)
        .where(TinkerModelRow.project == project)
        .order_by(TinkerModelRow.seq.desc())
        .limit(limit)
        .offset(offset)
    )
    return list(rows), int(total or 0)


def get_model(session: Session, *, project: str, model_id: str) -> TinkerModelRow | None:
    """A training run of the project, or None."""
    return session.scalar(
        select(TinkerModelRow).where(
            TinkerModelRow.id == model_id, TinkerModelRow.project == project
        )
    )


def get_readable_model(session: Session, *, project: str, model_id: str) -> TinkerModelRow | None:
    """A training run the project owns or that has a published checkpoint, or None."""
    published = select(TinkerCheckpointRow.model_id).where(
        TinkerCheckpointRow.model_id == model_id, TinkerCheckpointRow.public.is_(True)
    )
    return session.scalar(
        select(TinkerModelRow).where(
            TinkerModelRow.id == model_id,
            or_(TinkerModelRow.project == project, TinkerModelRow.id.in_(published)),
        )
    )


def list_checkpoints_of(
    session: Session, *, project: str, model_ids: list[str]
) -> list[TinkerCheckpointRow]:
    """The checkpoints of these training runs of the project, oldest first."""
    if not model_ids:
        return []
    return list(
        session.scalars(
            select(TinkerCheckpointRow)
            .where(
                TinkerCheckpointRow.project == project,
                TinkerCheckpointRow.model_id.in_(model_ids),
            )
            .order_by(TinkerCheckpointRow.seq)
        )
    )


def list_checkpoints(
    session: Session, *, project: str, limit: int, offset: int
) -> tuple[list[TinkerCheckpointRow], int]:
    """A page of every checkpoint of the project, newest first, and how many there are."""
    total = session.scalar(
        select(func.count())
        .select_from(TinkerCheckpointRow)
        .where(TinkerCheckpointRow.project == project)
    )
    rows = session.scalars(
        select(TinkerCheckpointRow)
        .where(TinkerCheckpointRow.project == project)
        .order_by(TinkerCheckpointRow.seq.desc())
        .limit(limit)
        .offset(offset)
    )
    return list(rows), int(total or 0)


def get_checkpoint(
    session: Session, *, project: str, tinker_path: str, readable: bool = False
) -> TinkerCheckpointRow | None:
    """The project's checkpoint at `tinker_path` (or a published one, when `readable`)."""
    owner = TinkerCheckpointRow.project == project
    return session.scalar(
        select(TinkerCheckpointRow).where(
            TinkerCheckpointRow.tinker_path == tinker_path,
            or_(owner, TinkerCheckpointRow.public.is_(True)) if readable else owner,
        )
    )


def delete_checkpoint(session: Session, *, project: str, tinker_path: str) -> None:
    """Remove the project's checkpoint row and the sampling sessions on it."""
    session.execute(
        delete(TinkerSamplingSessionRow).where(
            TinkerSamplingSessionRow.project == project,
            TinkerSamplingSessionRow.model_path == tinker_path,
        )
    )
    session.execute(
        delete(TinkerCheckpointRow).where(
            TinkerCheckpointRow.project == project, TinkerCheckpointRow.tinker_path == tinker_path
        )
    )


def set_public(session: Session, *, project: str, tinker_path: str, public: bool) -> None:
    """Publish or unpublish the project's checkpoint."""
    session.execute(
        update(TinkerCheckpointRow)
        .where(
            TinkerCheckpointRow.project == project, TinkerCheckpointRow.tinker_path == tinker_path
        )
        .values(public=public)
    )


def set_expiry(session: Session, *, project: str, tinker_path: str, expires_at: int | None) -> None:
    """Record when the project's checkpoint expires (None: never)."""
    session.execute(
        update(TinkerCheckpointRow)
        .where(
            TinkerCheckpointRow.project == project, TinkerCheckpointRow.tinker_path == tinker_path
        )
        .values(expires_at=expires_at)
    )


def list_sessions(session: Session, *, project: str, limit: int, offset: int) -> list[str]:
    """A page of the project's client session ids, newest first."""
    return list(
        session.scalars(
            select(TinkerSessionRow.id)
            .where(TinkerSessionRow.project == project)
            .order_by(TinkerSessionRow.seq.desc())
            .limit(limit)
            .offset(offset)
        )
    )


def get_session(session: Session, *, project: str, session_id: str) -> TinkerSessionRow | None:
    """A client session of the project, or None."""
    return session.scalar(
        select(TinkerSessionRow).where(
            TinkerSessionRow.id == session_id, TinkerSessionRow.project == project
        )
    )


def session_children(
    session: Session, *, project: str, session_id: str
) -> tuple[list[str], list[str]]:
    """The training run ids and sampling session ids of a client session."""
    models = session.scalars(
        select(TinkerModelRow.id)
        .where(TinkerModelRow.project == project, TinkerModelRow.session_id == session_id)
        .order_by(TinkerModelRow.seq)
    )
    samplers = session.scalars(
        select(TinkerSamplingSessionRow.id)
        .where(
            TinkerSamplingSessionRow.project == project,
            TinkerSamplingSessionRow.session_id == session_id,
        )
        .order_by(TinkerSamplingSessionRow.seq)
    )
    return list(models), list(samplers)
