"""Fixtures shared by every test package."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from service.core.db import Database
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


POSTGRES_URL = os.environ.get(
    "WHETSTONE_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)


def postgres_available() -> str | None:
    """None when PostgreSQL answers at POSTGRES_URL, else the reason it does not."""
    import psycopg

    dsn = POSTGRES_URL.replace("postgresql+psycopg://", "postgresql://")
    try:
        with psycopg.connect(dsn, connect_timeout=2):
            return None
    except psycopg.Error as exc:
        return f"PostgreSQL is not reachable at {dsn}: {str(exc).strip().splitlines()[0]}"


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
    db.upgrade()
    yield db
    db.dispose()
