"""Files domain: storing bytes then rows (in that order), reading and deleting them.

Invariant: a file row exists only for bytes that are completely stored. Bytes go first
(atomically, see ArtifactStore); the row follows, and if writing the row fails the bytes are
removed again (unless the database went away during the write: see `discard_unrecorded`).
Delete runs the other way round: row first, then bytes. So no acknowledged file is ever lost
and no row ever points at missing bytes.
"""

from __future__ import annotations

import base64
from collections.abc import Iterable, Iterator
from itertools import chain
from typing import Any, Literal

from sqlalchemy.orm import Session

from service.core.db import Database
from service.core.errors import DatabaseUnavailableError, PayloadTooLargeError
from service.core.tables import FileRow
from service.files import repository
from service.files.schemas import DeleteFileResponse, ListFilesResponse, OpenAIFile
from service.storage import ArtifactStore

# OpenAI serves the content of results files base64-encoded, and published client code
# decodes it so; producing them encoded keeps `bytes` equal to what a download returns.
BASE64_PURPOSES = frozenset({"fine-tune-results"})


def file_key(project: str, file_id: str) -> str:
    """Where a file's bytes live in the artifact store."""
    return f"files/{project}/{file_id}"


def report_prefix(project: str, file_id: str) -> str:
    """Where the cached data reports of a file live (service/reports/operations.py)."""
    return f"file-reports/{project}/{file_id}/"


def limited(chunks: Iterable[bytes], max_bytes: int) -> Iterator[bytes]:
    """Pass chunks through, raising PayloadTooLargeError once more than `max_bytes` went by."""
    seen = 0
    for chunk in chunks:
        seen += len(chunk)
        if seen > max_bytes:
            raise PayloadTooLargeError(
                f"File too large: the limit is {max_bytes} bytes.", param="file"
            )
        yield chunk


def discard_unrecorded(store: ArtifactStore, key: str, error: BaseException) -> None:
    """Delete bytes whose row could not be written, unless the row may exist all the same."""
    # A database that went away mid-commit may have committed the row before the answer was
    # lost: keeping the bytes leaves at worst an object nothing points at, while deleting them
    # could leave a row that points at nothing.
    if not isinstance(error, DatabaseUnavailableError):
        store.delete(key)


def new_file_id() -> str:
    """A fresh `file-...` id, for bytes stored before their row exists."""
    return repository.new_file_id()


def record_file(session: Session, **fields: Any) -> FileRow:
    """Write a file row for bytes already complete in storage, in the caller's transaction."""
    return repository.create_file(session, **fields)


def store_file(
    db: Database,
    store: ArtifactStore,
    *,
    project: str,
    filename: str,
    purpose: str,
    chunks: Iterable[bytes],
    max_bytes: int | None = None,
    expires_after_seconds: int | None = None,
    file_id: str | None = None,
) -> FileRow:
    """Stream `chunks` into the store, then write the row; blocking, so run it off the loop."""
    file_id = file_id or repository.new_file_id()
    key = file_key(project, file_id)
    size = store.put_stream(key, chunks if max_bytes is None else limited(chunks, max_bytes))
    try:
        with db.session() as session:
            return repository.create_file(
                session,
                project=project,
                filename=filename,
                purpose=purpose,
                bytes=size,
                storage_key=key,
                file_id=file_id,
                expires_after_seconds=expires_after_seconds,
            )
    except BaseException as exc:
        discard_unrecorded(store, key, exc)
        raise


def upload_file(
    db: Database,
    store: ArtifactStore,
    *,
    project: str,
    filename: str,
    purpose: str,
    chunks: Iterable[bytes],
    max_bytes: int,
    expires_after_seconds: int | None,
) -> OpenAIFile:
    """A client's upload: stored as `store_file` does, answered as the file object."""
    row = store_file(
        db,
        store,
        project=project,
        filename=filename,
        purpose=purpose,
        chunks=chunks,
        max_bytes=max_bytes,
        expires_after_seconds=expires_after_seconds,
    )
    return as_file(row)


def store_produced_file(
    db: Database, store: ArtifactStore, *, project: str, filename: str, purpose: str, data: bytes
) -> FileRow:
    """Store a file the server made (a job's results CSV); `fine-tune-results` content is
    stored base64-encoded, as OpenAI serves it."""
    if purpose in BASE64_PURPOSES:
        data = base64.b64encode(data)
    return store_file(db, store, project=project, filename=filename, purpose=purpose, chunks=[data])


def open_content(
    db: Database, store: ArtifactStore, *, project: str, file_id: str
) -> tuple[OpenAIFile, Iterator[bytes]]:
    """The file object and a stream of the file's bytes; NotFoundError is raised here, before any
    byte is sent, because the first chunk is fetched eagerly."""
    with db.session() as session:
        row = repository.get_file(session, project=project, file_id=file_id)
    chunks = iter(store.iter_chunks(row.storage_key))
    first = next(chunks, None)
    return as_file(row), chain([] if first is None else [first], chunks)


def get_file(db: Database, *, project: str, file_id: str) -> OpenAIFile:
    """The caller's live file; 404 when absent, expired or another project's."""
    with db.session() as session:
        return as_file(repository.get_file(session, project=project, file_id=file_id))


def list_files(
    db: Database,
    *,
    project: str,
    purpose: str | None,
    limit: int,
    order: Literal["asc", "desc"],
    after: str | None,
) -> ListFilesResponse:
    """One page of the caller's live files."""
    with db.session() as session:
        rows, has_more = repository.list_files(
            session, project=project, purpose=purpose, limit=limit, order=order, after=after
        )
    return ListFilesResponse.page([as_file(row) for row in rows], has_more=has_more)


def purpose_of(session: Session, *, project: str, file_id: str) -> str:
    """The purpose of the caller's live file, in the caller's transaction; 404 when absent."""
    return repository.get_file(session, project=project, file_id=file_id).purpose


def storage_key_of(db: Database, *, project: str, file_id: str) -> str:
    """Where the live file's bytes are; NotFoundError when it is absent or expired."""
    with db.session() as session:
        return repository.get_file(session, project=project, file_id=file_id).storage_key


def delete_file(
    db: Database, store: ArtifactStore, *, project: str, file_id: str
) -> DeleteFileResponse:
    """Delete the row, then the bytes; an orphaned object is harmless, a dangling row is not."""
    with db.session() as session:
        row = repository.delete_file(session, project=project, file_id=file_id)
    store.delete(row.storage_key)
    store.delete_prefix(report_prefix(project, file_id))
    return DeleteFileResponse(id=row.id, deleted=True)


def purge_expired_files(db: Database, store: ArtifactStore) -> int:
    """Reclaim the bytes and rows of expired files (already invisible); returns how many."""
    with db.session() as session:
        expired = repository.expired_files(session)
    for row in expired:
        with db.session() as session:
            repository.forget_file(session, file_seq=row.seq)
        store.delete(row.storage_key)
        store.delete_prefix(report_prefix(row.project, row.id))
    return len(expired)


def as_file(row: FileRow) -> OpenAIFile:
    """The wire object for a file row."""
    return OpenAIFile(
        id=row.id,
        bytes=row.bytes,
        created_at=row.created_at,
        expires_at=row.expires_at,
        filename=row.filename,
        purpose=row.purpose,
        status=row.status,
        status_details=row.status_details,
    )
