"""Uploads domain: parts stored one object each, composed in order into an ordinary file.

A part's bytes are stored before its row is written. Completing streams the chosen parts
into one new object, then in ONE transaction flips the upload to `completed` (a conditional
UPDATE that loses cleanly to a concurrent cancel) and writes the file row; the part objects
are deleted only after that commit.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterable, Iterator

from service.core.config import Settings
from service.core.db import Database
from service.core.errors import InvalidRequestError, WhetstoneError
from service.core.ids import now
from service.core.tables import FileRow, UploadPartRow, UploadRow
from service.files import operations as files
from service.storage import ArtifactStore
from service.uploads import repository
from service.uploads.schemas import CreateUploadRequest, Upload, UploadPart, UploadStatus

logger = logging.getLogger("whetstone.uploads")


def upload_prefix(project: str, upload_id: str) -> str:
    """Where an upload's part objects live."""
    return f"uploads/{project}/{upload_id}"


def status_of(upload: UploadRow) -> UploadStatus:
    """The upload's status now: a pending upload past its expiry is `expired`, even before the
    sweep marks it so."""
    if upload.status == "pending" and upload.expires_at <= now():
        return "expired"
    # The column is a plain string; only UploadStatus values are ever written to it.
    return upload.status  # type: ignore[return-value]


def _not_pending(upload: UploadRow) -> InvalidRequestError:
    status = status_of(upload)
    return InvalidRequestError(
        f"Upload {upload.id} is {status}; it accepts no more parts, completion or cancel.",
        code=f"upload_{status}",
    )


def _refuse_unless_pending(upload: UploadRow) -> None:
    if status_of(upload) != "pending":
        raise _not_pending(upload)


def create_upload(
    db: Database, settings: Settings, *, project: str, request: CreateUploadRequest
) -> Upload:
    """Open a pending upload that expires `settings.upload_ttl_seconds` from now."""
    if request.bytes > settings.max_upload_bytes:
        raise InvalidRequestError(
            f"An upload can hold at most {settings.max_upload_bytes} bytes.", param="bytes"
        )
    with db.session() as session:
        row = repository.create_upload(
            session,
            project=project,
            filename=request.filename,
            purpose=request.purpose,
            bytes=request.bytes,
            mime_type=request.mime_type,
            ttl_seconds=settings.upload_ttl_seconds,
            file_expires_after_seconds=(
                request.expires_after.seconds if request.expires_after else None
            ),
        )
    return as_upload(row)


def add_part(
    db: Database,
    store: ArtifactStore,
    settings: Settings,
    *,
    project: str,
    upload_id: str,
    chunks: Iterable[bytes],
) -> UploadPart:
    """Store one part's bytes, then its row; blocking, so run it off the loop."""
    with db.session() as session:
        upload = repository.get_upload(session, project=project, upload_id=upload_id)
        _refuse_unless_pending(upload)
    part_id = repository.new_part_id()
    key = f"{upload_prefix(project, upload_id)}/{part_id}"
    digest = hashlib.md5(usedforsecurity=False)

    def hashed() -> Iterator[bytes]:
        for chunk in files.limited(chunks, settings.max_upload_part_bytes):
            digest.update(chunk)
            yield chunk

    size = store.put_stream(key, hashed())
    try:
        with db.session() as session:
            # Re-read: the upload may have been completed or cancelled while bytes streamed.
            upload = repository.get_upload(session, project=project, upload_id=upload_id)
            _refuse_unless_pending(upload)
            part = repository.add_part(
                session,
                upload=upload,
                part_id=part_id,
                bytes=size,
                md5=digest.hexdigest(),
                storage_key=key,
            )
    except BaseException as exc:
        files.discard_unrecorded(store, key, exc)
        raise
    return as_part(part)


def complete_upload(
    db: Database,
    store: ArtifactStore,
    *,
    project: str,
    upload_id: str,
    part_ids: list[str],
    md5: str | None = None,
) -> Upload:
    """Compose the parts in the order given into one file; blocking, so run it off the loop."""
    with db.session() as session:
        upload = repository.get_upload(session, project=project, upload_id=upload_id)
        _refuse_unless_pending(upload)
        parts = repository.parts_in_order(session, upload=upload, part_ids=part_ids)
    total = sum(part.bytes for part in parts)
    if total != upload.bytes:
        raise InvalidRequestError(
            f"The parts hold {total} bytes but the upload was created with bytes="
            f"{upload.bytes}; they must match.",
            param="part_ids",
        )
    file_id = files.new_file_id()
    key = files.file_key(project, file_id)
    digest = hashlib.md5(usedforsecurity=False)

    def composed() -> Iterator[bytes]:
        for part in parts:
            for chunk in store.iter_chunks(part.storage_key):
                digest.update(chunk)
                yield chunk

    store.put_stream(key, composed())
    try:
        if md5 is not None and digest.hexdigest() != md5.strip().lower():
            raise InvalidRequestError(
                f"The md5 of the parts is {digest.hexdigest()}, not {md5}.", param="md5"
            )
        with db.session() as session:
            finished = repository.finish_upload(
                session, project=project, upload_id=upload_id, status="completed", file_id=file_id
            )
            if finished is None:
                raise _not_pending(
                    repository.get_upload(session, project=project, upload_id=upload_id)
                )
            file = files.record_file(
                session,
                project=project,
                filename=upload.filename,
                purpose=upload.purpose,
                bytes=total,
                storage_key=key,
                file_id=file_id,
                expires_after_seconds=upload.file_expires_after_seconds,
            )
    except BaseException as exc:
        files.discard_unrecorded(store, key, exc)
        raise
    _drop_parts(store, project=project, upload_id=upload_id)
    return as_upload(finished, file)


def cancel_upload(db: Database, store: ArtifactStore, *, project: str, upload_id: str) -> Upload:
    """Cancel a pending upload and drop its parts' bytes."""
    with db.session() as session:
        finished = repository.finish_upload(
            session, project=project, upload_id=upload_id, status="cancelled"
        )
        if finished is None:
            raise _not_pending(repository.get_upload(session, project=project, upload_id=upload_id))
    _drop_parts(store, project=project, upload_id=upload_id)
    return as_upload(finished)


def _drop_parts(store: ArtifactStore, *, project: str, upload_id: str) -> None:
    # The upload is already committed as finished; a failed cleanup must not turn that
    # success into an error, it only leaves unreachable part objects behind.
    try:
        store.delete_prefix(f"{upload_prefix(project, upload_id)}/")
    except WhetstoneError as exc:
        logger.warning("could not delete the parts of %s: %s", upload_id, exc.message)


def purge_expired_uploads(db: Database, store: ArtifactStore) -> int:
    """Mark pending uploads past their expiry as expired and drop their parts' bytes."""
    with db.session() as session:
        stale = repository.expire_stale_uploads(session)
    for upload in stale:
        _drop_parts(store, project=upload.project, upload_id=upload.id)
    return len(stale)


def as_upload(row: UploadRow, file: FileRow | None = None) -> Upload:
    """The wire object for an upload row, with its file once completed."""
    return Upload(
        id=row.id,
        bytes=row.bytes,
        created_at=row.created_at,
        filename=row.filename,
        purpose=row.purpose,
        status=status_of(row),
        expires_at=row.expires_at,
        file=files.as_file(file) if file is not None else None,
    )


def as_part(row: UploadPartRow) -> UploadPart:
    """The wire object for a part row."""
    return UploadPart(id=row.id, created_at=row.created_at, upload_id=row.upload_id)
