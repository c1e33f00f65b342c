"""SQL of Tinker sampling: sampling sessions and the sampler checkpoints they serve, every
query filtered on the caller's project (a published checkpoint is readable by every project)."""

from __future__ import annotations

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from service.core.ids import now
from service.core.tables import TinkerCheckpointRow, TinkerSamplingSessionRow, TinkerSessionRow


def session_exists(session: Session, *, project: str, session_id: str) -> bool:
    """Whether the project has the client session `session_id`."""
    found = session.scalar(
        select(TinkerSessionRow.id).where(
            TinkerSessionRow.id == session_id, TinkerSessionRow.project == project
        )
    )
    return found is not None


def get_readable_checkpoint(
    session: Session, *, project: str, tinker_path: str
) -> TinkerCheckpointRow | None:
    """The checkpoint at `tinker_path` if the project owns it or it is published, else None."""
    return session.scalar(
        select(TinkerCheckpointRow).where(
            TinkerCheckpointRow.tinker_path == tinker_path,
            or_(TinkerCheckpointRow.project == project, TinkerCheckpointRow.public.is_(True)),
        )
    )


def insert_sampling_session(
    session: Session,
    *,
    sampling_session_id: str,
    project: str,
    session_id: str,
    base_model: str,
    model_path: str | None,
) -> TinkerSamplingSessionRow:
    """Record a sampling client; an id already recorded (a retried create) is returned as is."""
    existing = session.scalar(
        select(TinkerSamplingSessionRow).where(
            TinkerSamplingSessionRow.id == sampling_session_id,
            TinkerSamplingSessionRow.project == project,
        )
    )
    if existing is not None:
        return existing
    row = TinkerSamplingSessionRow(
        id=sampling_session_id,
        project=project,
        session_id=session_id,
        base_model=base_model,
        model_path=model_path,
        created_at=now(),
    )
    session.add(row)
    session.flush()
    return row


def get_sampling_session(
    session: Session, *, project: str, sampling_session_id: str
) -> TinkerSamplingSessionRow | None:
    """A sampling session of the project, or None."""
    return session.scalar(
        select(TinkerSamplingSessionRow).where(
            TinkerSamplingSessionRow.id == sampling_session_id,
            TinkerSamplingSessionRow.project == project,
        )
    )


def list_named_sampler_checkpoints(session: Session, *, project: str) -> list[TinkerCheckpointRow]:
    """The project's named (not ephemeral) sampler checkpoints, newest first."""
    return list(
        session.scalars(
            select(TinkerCheckpointRow)
            .where(
                TinkerCheckpointRow.project == project,
                TinkerCheckpointRow.checkpoint_type == "sampler",
                TinkerCheckpointRow.ephemeral.is_(False),
            )
            .order_by(TinkerCheckpointRow.seq.desc())
        )
    )
