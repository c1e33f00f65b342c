"""Repository of file rows. Every query filters on the caller's project; expired rows are
invisible, exactly as if deleted."""

from __future__ import annotations

from typing import Literal

from sqlalchemy import ColumnElement, delete, or_, select
from sqlalchemy.orm import Session

from service.core.errors import NotFoundError
from service.core.ids import new_id, now
from service.core.pagination import cursor_page
from service.core.tables import FileRow

FILE_ID_PREFIX = "file-"


def new_file_id() -> str:
    """A fresh `file-...` id (callers need it before the row exists, for the storage key)."""
    return new_id(FILE_ID_PREFIX)


def _live(at: int) -> ColumnElement[bool]:
    return or_(FileRow.expires_at.is_(None), FileRow.expires_at > at)


def create_file(
    session: Session,
    *,
    project: str,
    filename: str,
    purpose: str,
    bytes: int,
    storage_key: str,
    file_id: str | None = None,
    expires_after_seconds: int | None = None,
    created_at: int | None = None,
) -> FileRow:
    """Insert a file row; call it only once the bytes under `storage_key` are complete."""
    created = created_at if created_at is not None else now()
    row = FileRow(
        id=file_id or new_file_id(),
        project=project,
        filename=filename,
        purpose=purpose,
        bytes=bytes,
        created_at=created,
        expires_at=created + expires_after_seconds if expires_after_seconds else None,
        status="processed",
        storage_key=storage_key,
    )
    session.add(row)
    session.flush()
    return row


def get_file(session: Session, *, project: str, file_id: str) -> FileRow:
    """The live file `file_id` of `project`; NotFoundError when absent, expired or foreign."""
    row = session.scalar(
        select(FileRow).where(FileRow.id == file_id, FileRow.project == project, _live(now()))
    )
    if row is None:
        raise NotFoundError(f"No such File object: {file_id}", param="id")
    return row


def list_files(
    session: Session,
    *,
    project: str,
    purpose: str | None = None,
    limit: int = 10_000,
    order: Literal["asc", "desc"] = "desc",
    after: str | None = None,
) -> tuple[list[FileRow], bool]:
    """One page of live files and whether more follow; `after` is the last id already seen."""
    query = select(FileRow).where(FileRow.project == project, _live(now()))
    if purpose is not None:
        query = query.where(FileRow.purpose == purpose)
    return cursor_page(
        session,
        query,
        seq=FileRow.seq,
        after=after,
        cursor=select(FileRow.seq).where(FileRow.id == after, FileRow.project == project),
        missing=f"No such File object for 'after': {after}",
        limit=limit,
        ascending=order == "asc",
    )


def delete_file(session: Session, *, project: str, file_id: str) -> FileRow:
    """Remove the live file's row and return it (the caller then deletes its bytes)."""
    row = get_file(session, project=project, file_id=file_id)
    session.execute(delete(FileRow).where(FileRow.seq == row.seq))
    return row


def expired_files(session: Session, *, limit: int = 1000) -> list[FileRow]:
    """Rows whose expiry has passed, oldest first, for a sweep that reclaims their bytes."""
    query = (
        select(FileRow)
        .where(FileRow.expires_at.is_not(None), FileRow.expires_at <= now())
        .order_by(FileRow.expires_at)
        .limit(limit)
    )
    return list(session.scalars(query))


def forget_file(session: Session, *, file_seq: int) -> None:
    """Delete a row by its seq (the sweep, after its bytes are gone)."""
    session.execute(delete(FileRow).where(FileRow.seq == file_seq))
