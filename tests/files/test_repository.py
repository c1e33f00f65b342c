"""The files repository on SQLite and PostgreSQL: tenancy, expiry, paging."""

from __future__ import annotations

import pytest
from sqlalchemy import update

from service.core.db import Database
from service.core.errors import InvalidRequestError, NotFoundError
from service.core.tables import FileRow
from service.files import repository as file_rows


def add(db: Database, project: str, purpose: str = "fine-tune", name: str = "f.jsonl") -> str:
    """Insert a file row and return its id."""
    with db.session() as session:
        file_id = file_rows.new_file_id()
        file_rows.create_file(
            session,
            project=project,
            filename=name,
            purpose=purpose,
            bytes=3,
            storage_key=f"files/{project}/{file_id}",
            file_id=file_id,
        )
    return file_id


def test_create_and_get(database: Database) -> None:
    file_id = add(database, "proj_a")
    with database.session() as session:
        row = file_rows.get_file(session, project="proj_a", file_id=file_id)
    assert (row.id, row.filename, row.bytes, row.status, row.expires_at) == (
        file_id,
        "f.jsonl",
        3,
        "processed",
        None,
    )
    assert file_id.startswith("file-")


def test_another_projects_file_is_not_found(database: Database) -> None:
    file_id = add(database, "proj_a")
    with database.session() as session, pytest.raises(NotFoundError):
        file_rows.get_file(session, project="proj_b", file_id=file_id)
    with database.session() as session, pytest.raises(NotFoundError):
        file_rows.delete_file(session, project="proj_b", file_id=file_id)
    with database.session() as session:
        assert file_rows.list_files(session, project="proj_b") == ([], False)


def test_expiry_is_set_from_the_policy_and_expired_files_vanish(database: Database) -> None:
    with database.session() as session:
        row = file_rows.create_file(
            session,
            project="p",
            filename="x",
            purpose="batch",
            bytes=1,
            storage_key="files/p/x",
            expires_after_seconds=3600,
        )
    assert row.expires_at == row.created_at + 3600
    with database.session() as session:
        session.execute(update(FileRow).where(FileRow.id == row.id).values(expires_at=1))
    with database.session() as session:
        with pytest.raises(NotFoundError):
            file_rows.get_file(session, project="p", file_id=row.id)
        assert file_rows.list_files(session, project="p") == ([], False)
        assert [r.id for r in file_rows.expired_files(session)] == [row.id]


def test_list_pages_newest_first_with_after(database: Database) -> None:
    ids = [add(database, "p") for _ in range(5)]
    with database.session() as session:
        first, more = file_rows.list_files(session, project="p", limit=2)
        assert [r.id for r in first] == ids[::-1][:2] and more
        second, more = file_rows.list_files(session, project="p", limit=2, after=first[-1].id)
        assert [r.id for r in second] == ids[::-1][2:4] and more
        last, more = file_rows.list_files(session, project="p", limit=2, after=second[-1].id)
        assert [r.id for r in last] == ids[:1] and not more


def test_list_ascending_and_by_purpose(database: Database) -> None:
    tune = add(database, "p", "fine-tune")
    batch = add(database, "p", "batch")
    tune2 = add(database, "p", "fine-tune")
    with database.session() as session:
        rows, _ = file_rows.list_files(session, project="p", order="asc")
        assert [r.id for r in rows] == [tune, batch, tune2]
        rows, _ = file_rows.list_files(session, project="p", order="asc", after=tune)
        assert [r.id for r in rows] == [batch, tune2]
        rows, _ = file_rows.list_files(session, project="p", purpose="fine-tune")
        assert [r.id for r in rows] == [tune2, tune]


def test_an_unknown_after_is_a_400_naming_after(database: Database) -> None:
    with database.session() as session, pytest.raises(InvalidRequestError) as raised:
        file_rows.list_files(session, project="p", after="file-nope")
    assert raised.value.param == "after"


def test_delete_removes_the_row(database: Database) -> None:
    file_id = add(database, "p")
    with database.session() as session:
        deleted = file_rows.delete_file(session, project="p", file_id=file_id)
    assert deleted.storage_key == f"files/p/{file_id}"
    with database.session() as session, pytest.raises(NotFoundError):
        file_rows.get_file(session, project="p", file_id=file_id)
