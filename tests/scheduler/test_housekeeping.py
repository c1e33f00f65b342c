"""Housekeeping reclaims the bytes of expired files and of expired uploads' parts."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import update

from service.core.config import Settings
from service.core.db import Database
from service.core.tables import FileRow, UploadRow
from service.files import operations as file_domain
from service.scheduler.housekeeping import sweep
from service.storage.local import LocalStore
from service.uploads import operations as upload_domain
from service.uploads import repository as upload_rows
from service.uploads.schemas import CreateUploadRequest


def test_sweep_reclaims_expired_files_and_uploads(database: Database, tmp_path: Path) -> None:
    store = LocalStore(tmp_path / "artifacts")
    settings = Settings(data_dir=tmp_path)
    kept = file_domain.store_file(
        database, store, project="p", filename="a", purpose="fine-tune", chunks=[b"keep"]
    )
    gone = file_domain.store_file(
        database, store, project="p", filename="b", purpose="fine-tune", chunks=[b"drop"]
    )
    upload = upload_domain.create_upload(
        database,
        settings,
        project="p",
        request=CreateUploadRequest(
            filename="c.jsonl", purpose="fine-tune", bytes=4, mime_type="text/jsonl"
        ),
    )
    part = upload_domain.add_part(
        database, store, settings, project="p", upload_id=upload.id, chunks=[b"part"]
    )
    with database.session() as session:
        session.execute(update(FileRow).where(FileRow.id == gone.id).values(expires_at=1))
        session.execute(update(UploadRow).where(UploadRow.id == upload.id).values(expires_at=1))

    assert sweep(database, store) == (1, 1)

    assert store.exists(kept.storage_key)
    assert not store.exists(gone.storage_key)
    assert not store.list_keys(f"uploads/p/{upload.id}/{part.id}")
    with database.session() as session:
        assert upload_rows.get_upload(session, project="p", upload_id=upload.id).status == "expired"
    assert sweep(database, store) == (0, 0)
