"""The database handle: one engine and session factory per process."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from service.core.errors import ServiceUnavailableError
from service.migrations import upgrade_to_head

logger = logging.getLogger("whetstone.db")


def _enable_sqlite_wal(dbapi_connection: Any, _record: Any) -> None:
    # WAL lets the API read while a worker process writes; busy_timeout makes writers queue
    # instead of failing with "database is locked" when two processes commit at once.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


class Database:
    """Owns the engine; `session()` yields a transaction that commits on success."""

    def __init__(self, url: str):
        self.url = url
        self.is_sqlite = url.startswith("sqlite")
        if self.is_sqlite:
            path = url.removeprefix("sqlite:///")
            if path and path != ":memory:":
                Path(path).parent.mkdir(parents=True, exist_ok=True)
            self.engine: Engine = create_engine(
                url, connect_args={"check_same_thread": False, "timeout": 30}
            )
            event.listen(self.engine, "connect", _enable_sqlite_wal)
        else:
            self.engine = create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)

    def upgrade(self) -> None:
        """Migrate the schema to head; ServiceUnavailableError when the database is down.

        A schema it cannot migrate (a newer release's, a failed step) raises `SchemaError`.
        """
        try:
            outcome = upgrade_to_head(self.engine)
        except SQLAlchemyError as exc:
            raise ServiceUnavailableError(
                f"database unreachable: {exc.__class__.__name__}"
            ) from exc
        logger.info("%s", outcome.describe())

    def ping(self) -> bool:
        """True when a trivial query succeeds."""
        try:
            with self.engine.connect() as connection:
                connection.execute(text("SELECT 1"))
        except SQLAlchemyError:
            return False
        return True

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A unit of work: commits when the block ends cleanly, rolls back otherwise."""
        session = self._sessions()
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    def dispose(self) -> None:
        """Close every pooled connection (before a fork, or at shutdown)."""
        self.engine.dispose()
