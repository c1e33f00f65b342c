"""Repository of uploads and their parts. Every query filters on the caller's project."""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from service.core.db import rows_affected
from service.core.errors import InvalidRequestError, NotFoundError
from service.core.ids import new_id, now
from service.core.tables import UploadPartRow, UploadRow

UPLOAD_ID_PREFIX = "upload_"
PART_ID_PREFIX = "part_"


def new_part_id() -> str:
    """A fresh `part_...` id (callers need it before the row exists, for the storage key)."""
    return new_id(PART_ID_PREFIX)


def create_upload(
    session: Session,
    *,
    project: str,
    filename: str,
    purpose: str,
    bytes: int,
    mime_type: str,
    ttl_seconds: int,
    file_expires_after_seconds: int | None = None,
) -> UploadRow:
    """Insert a pending upload that expires `ttl_seconds` from now."""
    created = now()
    row = UploadRow(
        id=new_id(UPLOAD_ID_PREFIX),
        project=project,
        filename=filename,
        purpose=purpose,
        bytes=bytes,
        mime_type=mime_type,
        status="pending",
        created_at=created,
        expires_at=created + ttl_seconds,
        file_expires_after_seconds=file_expires_after_seconds,
    )
    session.add(row)
    session.flush()
    return row


def get_upload(session: Session, *, project: str, upload_id: str) -> UploadRow:
    """The upload `upload_id` of `project`; NotFoundError when absent or foreign."""
    # populate_existing: callers re-read after a conditional UPDATE and must see its result.
    row = session.scalar(
        select(UploadRow)
        .where(UploadRow.id == upload_id, UploadRow.project == project)
        .execution_options(populate_existing=True)
    )
    if row is None:
        raise NotFoundError(f"No such Upload object: {upload_id}", param="upload_id")
    return row


def add_part(
    session: Session,
    *,
    upload: UploadRow,
    part_id: str,
    bytes: int,
    md5: str,
    storage_key: str,
) -> UploadPartRow:
    """Insert a part row for bytes already stored under `storage_key`."""
    row = UploadPartRow(
        id=part_id,
        upload_id=upload.id,
        project=upload.project,
        bytes=bytes,
        md5=md5,
        created_at=now(),
        storage_key=storage_key,
    )
    session.add(row)
    session.flush()
    return row


def parts_in_order(
    session: Session, *, upload: UploadRow, part_ids: list[str]
) -> list[UploadPartRow]:
    """The upload's parts in the order of `part_ids`; 400 naming `part_ids` when one is not
    a part of this upload or appears twice."""
    if len(set(part_ids)) != len(part_ids):
        raise InvalidRequestError("part_ids lists the same part more than once.", param="part_ids")
    found = {
        row.id: row
        for row in session.scalars(
            select(UploadPartRow).where(
                UploadPartRow.upload_id == upload.id,
                UploadPartRow.project == upload.project,
                UploadPartRow.id.in_(part_ids),
            )
        )
    }
    missing = [part_id for part_id in part_ids if part_id not in found]
    if missing:
        raise InvalidRequestError(
            f"No such part of upload {upload.id}: {missing[0]}", param="part_ids"
        )
    return [found[part_id] for part_id in part_ids]


def all_parts(session: Session, *, upload: UploadRow) -> list[UploadPartRow]:
    """Every part row of the upload, oldest first."""
    query = (
        select(UploadPartRow)
        .where(UploadPartRow.upload_id == upload.id, UploadPartRow.project == upload.project)
        .order_by(UploadPartRow.seq)
    )
    return list(session.scalars(query))


def finish_upload(
    session: Session, *, project: str, upload_id: str, status: str, file_id: str | None = None
) -> UploadRow | None:
    """Move a pending, unexpired upload to `status` in one conditional UPDATE; the updated
    row, or None when another request finished it first or it expired.

    The UPDATE is the arbiter between a concurrent complete and cancel, on SQLite and
    PostgreSQL alike.
    """
    result = session.execute(
        update(UploadRow)
        .where(
            UploadRow.id == upload_id,
            UploadRow.project == project,
            UploadRow.status == "pending",
            UploadRow.expires_at > now(),
        )
        .values(status=status, file_id=file_id)
    )
    # Session.execute is typed to return a Result; a DML statement's is a CursorResult.
    if rows_affected(result) != 1:
        return None
    return get_upload(session, project=project, upload_id=upload_id)


def expire_stale_uploads(session: Session) -> list[UploadRow]:
    """Mark pending uploads past their expiry as `expired`; the rows so marked."""
    stale = list(
        session.scalars(
            select(UploadRow).where(UploadRow.status == "pending", UploadRow.expires_at <= now())
        )
    )
    for upload in stale:
        upload.status = "expired"
    return stale
