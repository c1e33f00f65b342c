"""Fixtures shared by every test package."""

from __future__ import annotations

import functools
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from service.core.db import Database
from service.migrations import upgrade_database
from tests.harness import MotoServer

# A key pair that moto accepts; never real credentials.
S3_TEST_CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_DEFAULT_REGION": "us-east-1",
}


@pytest.fixture(scope="session")
def moto_server() -> Iterator[MotoServer]:
    """A real S3-compatible server process on 127.0.0.1 for the whole session."""
    for key, value in S3_TEST_CREDENTIALS.items():
        os.environ.setdefault(key, value)
    server = MotoServer().start()
    yield server
    server.stop()


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    """A fresh data dir for one test."""
    path = tmp_path / "data"
    path.mkdir()
    return path


@pytest.fixture
def migrated_data_dir(data_dir: Path, migrated_sqlite: Path) -> Path:
    """`data_dir` with its default SQLite database already at head, so that an app's start
    finds nothing to migrate (e2e servers and tests/migrations/ migrate from empty)."""
    shutil.copyfile(migrated_sqlite, data_dir / "whetstone.db")
    return data_dir


SHARED_POSTGRES_URL = os.environ.get(
    "WHETSTONE_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
# Under pytest-xdist (`make test` runs two workers) each worker has a database of its own, made
# on first use, so that one worker's empty_postgres never drops the tables another is using.
_WORKER = os.environ.get("PYTEST_XDIST_WORKER")
POSTGRES_URL = f"{SHARED_POSTGRES_URL}_{_WORKER}" if _WORKER else SHARED_POSTGRES_URL


@functools.cache
def postgres_available() -> str | None:
    """None when PostgreSQL answers at POSTGRES_URL (a worker's database is created first),
    else the reason it does not; asked once per process."""
    import psycopg

    shared = SHARED_POSTGRES_URL.replace("postgresql+psycopg://", "postgresql://")
    try:
        with psycopg.connect(shared, connect_timeout=2, autocommit=True) as connection:
            if POSTGRES_URL != SHARED_POSTGRES_URL:
                name = POSTGRES_URL.rsplit("/", 1)[1]
                exists = connection.execute(
                    "SELECT 1 FROM pg_database WHERE datname = %s", (name,)
                ).fetchone()
                if exists is None:
                    connection.execute(f'CREATE DATABASE "{name}"')
            return None
    except psycopg.Error as exc:
        return f"PostgreSQL is not reachable at {shared}: {str(exc).strip().splitlines()[0]}"


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A database URL for each backend, with empty tables; PostgreSQL is skipped if absent."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'whetstone.db'}"
    reason = postgres_available()
    if reason is not None:
        pytest.skip(reason)
    # A test that also asks for `database` gets its schema from that fixture, which empties the
    # tables of a database already at head instead of dropping and migrating them again.
    if "database" not in request.fixturenames:
        empty_postgres()
    return POSTGRES_URL


def empty_postgres() -> None:
    """Drop Whetstone's tables and the migration version from the shared test database."""
    from sqlalchemy import text

    from service.core.db import Database
    from service.core.tables import Base

    database = Database(POSTGRES_URL)
    Base.metadata.drop_all(database.engine)
    # Without its tables the version row would claim a schema that is gone.
    with database.engine.begin() as connection:
        connection.execute(text("DROP TABLE IF EXISTS alembic_version"))
    database.dispose()


@functools.cache
def head_revision() -> str:
    """The newest migration, read from service/migrations/versions once per process."""
    from service.migrations import head_revision as read_head

    return read_head()


def reset_postgres_to_head() -> None:
    """Leave the shared test database at head with empty tables: truncated when it is at head
    already (what the previous test's `database` left), else dropped and migrated."""
    from sqlalchemy import inspect, text

    from service.core.tables import Base

    tables = [table.name for table in Base.metadata.sorted_tables]
    database = Database(POSTGRES_URL)
    try:
        with database.engine.begin() as connection:
            present = set(inspect(connection).get_table_names())
            version = None
            if "alembic_version" in present:
                version = connection.execute(
                    text("SELECT version_num FROM alembic_version")
                ).scalar()
            # Only migrations change the schema, and tests/migrations/ reaches the database
            # through database_url, which drops it: a database at head with exactly these
            # tables has the schema a fresh migration would make.
            if version == head_revision() and present == {*tables, "alembic_version"}:
                # DELETE, not TRUNCATE: on tables of a few rows it is ten times faster, as
                # TRUNCATE makes each table a new file. Dependents go first.
                for name in reversed(tables):
                    connection.execute(text(f'DELETE FROM "{name}"'))
                sequences = connection.execute(
                    text("SELECT sequence_name FROM information_schema.sequences")
                ).scalars()
                for sequence in sequences.all():
                    connection.execute(text(f'ALTER SEQUENCE "{sequence}" RESTART'))
                return
        empty_postgres()
        upgrade_database(database)
    finally:
        database.dispose()


@pytest.fixture(scope="session")
def migrated_sqlite(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file migrated to head once per session, for `database` to copy."""
    path = tmp_path_factory.mktemp("migrated") / "whetstone.db"
    database = Database(f"sqlite:///{path}")
    upgrade_database(database)
    database.dispose()
    return path


@pytest.fixture
def database(database_url: str, request: pytest.FixtureRequest) -> Iterator[Database]:
    """An open Database with the schema migrated to head, on SQLite and on PostgreSQL.

    Migrating an empty database costs most of a second per test on 2 cores; a copy of a file
    migrated once (SQLite) or emptied tables at head (PostgreSQL) is the same schema, and
    tests/migrations/ runs the migrations themselves on both backends.
    """
    if database_url.startswith("sqlite:///"):
        template: Path = request.getfixturevalue("migrated_sqlite")
        shutil.copyfile(template, database_url.removeprefix("sqlite:///"))
    else:
        reset_postgres_to_head()
    db = Database(database_url)
    yield db
    db.dispose()
