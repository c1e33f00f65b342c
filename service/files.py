"""Files domain: storing bytes then rows (in that order), reading and deleting them.

Invariant: a file row exists only for bytes that are completely stored. Bytes go first
(atomically, see ArtifactStore); the row follows, and if writing the row fails the bytes are
removed again. Delete runs the other way round: row first, then bytes. So no acknowledged
file is ever lost and no row ever points at missing bytes.
"""

from __future__ import annotations

import base64
from collections.abc import Iterable, Iterator
from itertools import chain

from service.db import Database
from service.db import files as file_rows
from service.db.tables import FileRow
from service.errors import PayloadTooLargeError
from service.storage import ArtifactStore

# OpenAI serves the content of results files base64-encoded, and published client code
# decodes it so; producing them encoded keeps `bytes` equal to what a download returns.
BASE64_PURPOSES = frozenset({"fine-tune-results"})


def file_key(project: str, file_id: str) -> str:
    """Where a file's bytes live in the artifact store."""
    return f"files/{project}/{file_id}"


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
    file_id = file_id or file_rows.new_file_id()
    key = file_key(project, file_id)
    size = store.put_stream(key, chunks if max_bytes is None else limited(chunks, max_bytes))
    try:
        with db.session() as session:
            return file_rows.create_file(
                session,
                project=project,
                filename=filename,
                purpose=purpose,
                bytes=size,
                storage_key=key,
                file_id=file_id,
                expires_after_seconds=expires_after_seconds,
            )
    except BaseException:
        store.delete(key)
        raise


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
) -> tuple[FileRow, Iterator[bytes]]:
    """The row and a stream of the file's bytes; NotFoundError is raised here, before any
    byte is sent, because the first chunk is fetched eagerly."""
    with db.session() as session:
        row = file_rows.get_file(session, project=project, file_id=file_id)
    chunks = iter(store.iter_chunks(row.storage_key))
    first = next(chunks, None)
    return row, chain([] if first is None else [first], chunks)


def delete_file(db: Database, store: ArtifactStore, *, project: str, file_id: str) -> FileRow:
    """Delete the row, then the bytes; an orphaned object is harmless, a dangling row is not."""
    with db.session() as session:
        row = file_rows.delete_file(session, project=project, file_id=file_id)
    store.delete(row.storage_key)
    return row


def purge_expired_files(db: Database, store: ArtifactStore) -> int:
    """Reclaim the bytes and rows of expired files (already invisible); returns how many."""
    with db.session() as session:
        expired = file_rows.expired_files(session)
    for row in expired:
        with db.session() as session:
            file_rows.forget_file(session, file_seq=row.seq)
        store.delete(row.storage_key)
    return len(expired)
