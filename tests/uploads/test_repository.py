"""The uploads repository on SQLite and PostgreSQL: tenancy, parts, the finishing race."""

from __future__ import annotations

import pytest
from sqlalchemy import update

from service.core.db import Database
from service.core.errors import InvalidRequestError, NotFoundError
from service.core.tables import UploadRow
from service.uploads import repository as upload_rows


def new_upload(db: Database, project: str = "p") -> UploadRow:
    """A pending upload of 10 bytes."""
    with db.session() as session:
        return upload_rows.create_upload(
            session,
            project=project,
            filename="train.jsonl",
            purpose="fine-tune",
            bytes=10,
            mime_type="text/jsonl",
            ttl_seconds=3600,
            file_expires_after_seconds=7200,
        )


def add_parts(db: Database, upload: UploadRow, count: int) -> list[str]:
    """Add `count` part rows and return their ids in creation order."""
    ids = []
    with db.session() as session:
        for _ in range(count):
            part_id = upload_rows.new_part_id()
            upload_rows.add_part(
                session, upload=upload, part_id=part_id, bytes=5, md5="0" * 32, storage_key="k"
            )
            ids.append(part_id)
    return ids


def test_create_sets_expiry_from_the_ttl(database: Database) -> None:
    upload = new_upload(database)
    assert upload.id.startswith("upload_")
    assert upload.status == "pending"
    assert upload.expires_at == upload.created_at + 3600
    assert upload.file_expires_after_seconds == 7200


def test_another_projects_upload_is_not_found(database: Database) -> None:
    upload = new_upload(database, "proj_a")
    with database.session() as session, pytest.raises(NotFoundError):
        upload_rows.get_upload(session, project="proj_b", upload_id=upload.id)
    with database.session() as session:
        assert (
            upload_rows.finish_upload(
                session, project="proj_b", upload_id=upload.id, status="cancelled"
            )
            is None
        )


def test_parts_come_back_in_the_order_asked(database: Database) -> None:
    upload = new_upload(database)
    first, second, third = add_parts(database, upload, 3)
    with database.session() as session:
        rows = upload_rows.parts_in_order(session, upload=upload, part_ids=[third, first, second])
        assert [row.id for row in rows] == [third, first, second]
        assert [row.id for row in upload_rows.all_parts(session, upload=upload)] == [
            first,
            second,
            third,
        ]


def test_unknown_foreign_or_repeated_part_ids_name_part_ids(database: Database) -> None:
    upload = new_upload(database)
    other = new_upload(database)
    (mine,) = add_parts(database, upload, 1)
    (theirs,) = add_parts(database, other, 1)
    for part_ids in ([mine, "part_nope"], [mine, theirs], [mine, mine]):
        with database.session() as session, pytest.raises(InvalidRequestError) as raised:
            upload_rows.parts_in_order(session, upload=upload, part_ids=part_ids)
        assert raised.value.param == "part_ids"


def test_only_one_finish_wins(database: Database) -> None:
    upload = new_upload(database)
    with database.session() as session:
        won = upload_rows.finish_upload(
            session, project="p", upload_id=upload.id, status="completed", file_id="file-x"
        )
        assert won is not None and won.status == "completed" and won.file_id == "file-x"
    with database.session() as session:
        assert (
            upload_rows.finish_upload(session, project="p", upload_id=upload.id, status="cancelled")
            is None
        )
        assert upload_rows.get_upload(session, project="p", upload_id=upload.id).status == (
            "completed"
        )


def test_an_expired_upload_cannot_be_finished(database: Database) -> None:
    upload = new_upload(database)
    with database.session() as session:
        session.execute(update(UploadRow).where(UploadRow.id == upload.id).values(expires_at=1))
    with database.session() as session:
        assert (
            upload_rows.finish_upload(session, project="p", upload_id=upload.id, status="completed")
            is None
        )
