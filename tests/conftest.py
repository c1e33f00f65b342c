"""Fixtures shared by every test package."""

from __future__ import annotations

import functools
import os
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


@pytest.fixture
def database(database_url: str) -> Iterator[Database]:
    """An open Database with the schema migrated to head, on SQLite and on PostgreSQL."""
    from service.core.db import Database

    db = Database(database_url)
    upgrade_database(db)
    yield db
    db.dispose()
