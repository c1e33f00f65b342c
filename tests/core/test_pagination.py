"""cursor_page: pages in either order that meet exactly, has_more without a count, and a 400
naming `after` when the cursor is not the caller's."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from service.core.db import Database
from service.core.errors import InvalidRequestError
from service.core.pagination import cursor_page
from service.core.tables import JobRow
from tests.fine_tuning.factories import make_job


def pages(db: Database, *, ascending: bool, limit: int, project: str = "proj_a") -> list[list[str]]:
    """Every page's job ids, paging on with the last id of each."""
    result: list[list[str]] = []
    after: str | None = None
    with db.session() as session:
        while True:
            rows, has_more = cursor_page(
                session,
                select(JobRow).where(JobRow.project == project),
                seq=JobRow.seq,
                after=after,
                cursor=select(JobRow.seq).where(JobRow.id == after, JobRow.project == project),
                missing=f"No such job for 'after': {after}",
                limit=limit,
                ascending=ascending,
            )
            result.append([row.id for row in rows])
            if not has_more:
                return result
            after = rows[-1].id


def test_pages_meet_exactly_in_both_orders(database: Database) -> None:
    ids = [make_job(database).id for _ in range(5)]
    assert pages(database, ascending=True, limit=2) == [ids[0:2], ids[2:4], ids[4:]]
    assert pages(database, ascending=False, limit=5) == [ids[::-1]]
    assert pages(database, ascending=False, limit=10) == [ids[::-1]]


def test_a_cursor_of_another_project_is_a_400_naming_after(database: Database) -> None:
    theirs = make_job(database, project="proj_b")
    with database.session() as session, pytest.raises(InvalidRequestError) as raised:
        cursor_page(
            session,
            select(JobRow).where(JobRow.project == "proj_a"),
            seq=JobRow.seq,
            after=theirs.id,
            cursor=select(JobRow.seq).where(JobRow.id == theirs.id, JobRow.project == "proj_a"),
            missing=f"No such job for 'after': {theirs.id}",
            limit=2,
        )
    assert raised.value.param == "after"
