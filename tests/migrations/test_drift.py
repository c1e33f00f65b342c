"""The migrations and `service/core/tables.py` describe the same schema, on both backends.

A change to the tables module without a revision (or the reverse) fails here, before any
database in the field meets it.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Column, MetaData, String

from service.core.db import Database
from service.core.tables import Base
from service.migrations import upgrade_database


@pytest.fixture
def migrated(database_url: str) -> Iterator[Database]:
    """An empty database brought to head by the migrations alone."""
    db = Database(database_url)
    upgrade_database(db)
    yield db
    db.dispose()


def schema_diff(db: Database, metadata: MetaData) -> list[Any]:
    """What autogenerate would write to turn the database into `metadata`."""
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return compare_metadata(context, metadata)


def test_the_migrations_build_exactly_the_tables_module(migrated: Database) -> None:
    assert schema_diff(migrated, Base.metadata) == []


def copy_of_tables() -> MetaData:
    """A copy of the tables module's metadata that a test may change."""
    copy = MetaData()
    for table in Base.metadata.tables.values():
        table.to_metadata(copy)
    return copy


def test_the_check_fails_for_a_column_without_a_migration(migrated: Database) -> None:
    changed = copy_of_tables()
    changed.tables["files"].append_column(Column("checksum", String(64), nullable=True))
    diff = schema_diff(migrated, changed)
    assert [(op, table, column.name) for op, _schema, table, column in diff] == [
        ("add_column", "files", "checksum")
    ]


def test_the_check_fails_for_a_changed_type_without_a_migration(migrated: Database) -> None:
    changed = copy_of_tables()
    changed.tables["fine_tuning_jobs"].c.suffix.type = String(128)
    (change,) = schema_diff(migrated, changed)
    (op, _schema, table, column, _info, old, new) = change[0]
    assert (op, table, column) == ("modify_type", "fine_tuning_jobs", "suffix")
    assert (old.length, new.length) == (64, 128)
