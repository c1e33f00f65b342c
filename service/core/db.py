"""The database handle: one engine and session factory per process.

Every call has a deadline (see `Database`), and a database that is down, drops connections or
stops answering surfaces as ONE error, `DatabaseUnavailableError` (503), raised by `session()`.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import psycopg
from psycopg import errors as pg_errors
from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import CursorResult, Dialect, Engine, Result, make_url
from sqlalchemy.engine.interfaces import DBAPIConnection
from sqlalchemy.exc import (
    DBAPIError,
    InterfaceError,
    OperationalError,
    SQLAlchemyError,
)
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import ConnectionPoolEntry, NullPool

from service.core.errors import DatabaseUnavailableError

if TYPE_CHECKING:
    from psycopg.abc import PQGen

    from service.core.config import Settings

RV = TypeVar("RV")

# The client gives up on a PostgreSQL command this long after the server should have
# cancelled it itself (statement_timeout): the server's own error wins when it can answer.
COMMAND_DEADLINE_MARGIN_SECONDS = 1.0
# Migrations run once at start-up and may legitimately wait (another process holding the
# migration lock, a long ALTER); they get their own engine with these generous limits.
MIGRATION_SQLITE_BUSY_SECONDS = 30.0


def is_unavailable(exc: BaseException) -> bool:
    """True for the failures that mean "the database is not there right now"."""
    if isinstance(exc, PoolTimeoutError):
        return True  # every pooled connection is busy (typically: stuck on a dead server)
    if isinstance(exc, DBAPIError) and exc.connection_invalidated:
        return True  # SQLAlchemy saw a disconnect and dropped the connection
    # DBAPI's own classes: OperationalError is "the database's operation, not the program"
    # (refused, reset, timed out, SQLite's lock wait expired); InterfaceError is a connection
    # that is closed or unusable. Programming and integrity errors stay what they are. (sqlite3
    # also files a few SQL mistakes, a missing table, under OperationalError; on a migrated
    # schema those would be bugs, and they still get the cause in the log.)
    return isinstance(exc, OperationalError | InterfaceError)


def unavailable() -> DatabaseUnavailableError:
    """The 503 for a connection-class failure; the cause (chained) goes to the log only."""
    return DatabaseUnavailableError("The database is unavailable. Please try again later.")


class _DeadlineConnection(psycopg.Connection):
    """A psycopg connection whose every command has a client-side deadline.

    statement_timeout is enforced by the server, so it cannot help when the server (or the
    network to it) stops answering; TCP keepalives and tcp_user_timeout do not fire either
    while a peer's kernel still acknowledges. libpq has no read timeout, so every wait psycopg
    makes on the socket (query, commit, rollback, SQLAlchemy's pre-ping) gets one here, through
    psycopg's own `wait(timeout=)` (psycopg >= 3.3). On expiry the connection is closed: its
    protocol state is unknown, and a closed connection is what SQLAlchemy recognises as a
    disconnect (it invalidates it, and pre-ping replaces it).
    """

    command_timeout: float = 6.0

    def wait(self, gen: PQGen[RV], interval: float = 0.1, timeout: float | None = None) -> RV:
        """Consume `gen`, giving up after `command_timeout` unless a timeout is given."""
        limit = self.command_timeout if timeout is None else timeout
        try:
            return super().wait(gen, interval=interval, timeout=limit)
        except pg_errors._WaitTimeout as exc:
            if timeout is not None:
                raise  # the caller asked for this timeout (notifies) and handles it
            self.pgconn.finish()
            raise psycopg.OperationalError(
                f"no answer from the server within {limit:g} s; connection closed"
            ) from exc


def _enable_sqlite_wal(busy_ms: int) -> Callable[[DBAPIConnection, ConnectionPoolEntry], None]:
    def on_connect(dbapi_connection: DBAPIConnection, _record: ConnectionPoolEntry) -> None:
        # WAL lets the API read while a worker process writes; busy_timeout makes writers
        # queue instead of failing with "database is locked" when two processes commit at
        # once, for a bounded time (then the request is a 503, not a hang).
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={busy_ms}")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    return on_connect


class Database:
    """Owns the engine; `session()` yields a transaction that commits on success.

    Deadlines: a connection is made within `connect_timeout` (per address), a free pooled one
    is found within `pool_timeout`, a PostgreSQL statement runs at most `statement_timeout`
    (server side) and any command waits at most 1 s more for its answer (client side); SQLite
    waits at most `sqlite_busy_timeout` for another process's write lock.
    """

    def __init__(
        self,
        url: str,
        *,
        connect_timeout: int = 3,
        statement_timeout: float = 5.0,
        pool_timeout: float = 5.0,
        sqlite_busy_timeout: float = 5.0,
    ):
        self.url = url
        self.is_sqlite = url.startswith("sqlite")
        self.connect_timeout = connect_timeout
        self.statement_timeout = statement_timeout
        self.pool_timeout = pool_timeout
        self.sqlite_busy_timeout = sqlite_busy_timeout
        if self.is_sqlite:
            path = url.removeprefix("sqlite:///")
            if path and path != ":memory:":
                Path(path).parent.mkdir(parents=True, exist_ok=True)
            self.engine: Engine = self._sqlite_engine(sqlite_busy_timeout, pool_timeout)
        else:
            self.engine = create_engine(
                url,
                pool_pre_ping=True,
                pool_size=10,
                max_overflow=20,
                pool_timeout=pool_timeout,
                connect_args=self._postgres_connect_args(with_statement_timeout=True),
            )
            if self.engine.dialect.driver == "psycopg":
                event.listen(self.engine, "do_connect", self._connect_with_deadline)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)

    def _connect_with_deadline(
        self,
        _dialect: Dialect,
        _record: ConnectionPoolEntry,
        cargs: tuple[str, ...],
        cparams: dict[str, Any],
    ) -> _DeadlineConnection:
        # SQLAlchemy's documented hook for making the DBAPI connection ourselves.
        connection = _DeadlineConnection.connect(*cargs, **cparams)
        connection.command_timeout = self.statement_timeout + COMMAND_DEADLINE_MARGIN_SECONDS
        return connection

    @classmethod
    def from_settings(cls, settings: Settings) -> Database:
        """The database of the settings, with their deadlines."""
        return cls(
            settings.resolved_database_url,
            connect_timeout=settings.database_connect_timeout_seconds,
            statement_timeout=settings.database_statement_timeout_seconds,
            pool_timeout=settings.database_pool_timeout_seconds,
            sqlite_busy_timeout=settings.sqlite_busy_timeout_seconds,
        )

    def _sqlite_engine(self, busy_timeout: float, pool_timeout: float) -> Engine:
        # An in-memory database lives in one connection (SingletonThreadPool): no pool to wait on.
        pooling = {} if self._in_memory() else {"pool_timeout": pool_timeout}
        engine = create_engine(
            self.url,
            connect_args={"check_same_thread": False, "timeout": busy_timeout},
            **pooling,
        )
        event.listen(engine, "connect", _enable_sqlite_wal(math.ceil(busy_timeout * 1000)))
        return engine

    def _in_memory(self) -> bool:
        return make_url(self.url).database in (None, "", ":memory:") or "mode=memory" in self.url

    def _postgres_connect_args(self, *, with_statement_timeout: bool) -> dict[str, int | str]:
        # Values the URL sets itself win: they are the operator's explicit choice.
        query = make_url(self.url).query
        args: dict[str, int | str] = {}
        if "connect_timeout" not in query:
            args["connect_timeout"] = self.connect_timeout
        if with_statement_timeout:
            ours = f"-c statement_timeout={math.ceil(self.statement_timeout * 1000)}"
            theirs = query.get("options")
            # Later -c settings override earlier ones, so the URL's come last.
            args["options"] = f"{ours} {theirs}" if isinstance(theirs, str) else ours
        return args

    def migration_engine(self) -> Engine:
        """An engine without the request deadlines (a connect timeout only), for migrations.

        The caller disposes of it unless it is `self.engine` (an in-memory SQLite database).
        """
        if self.is_sqlite:
            if self._in_memory():
                return self.engine  # another engine would be another database
            return self._sqlite_engine(MIGRATION_SQLITE_BUSY_SECONDS, self.pool_timeout)
        return create_engine(
            self.url,
            poolclass=NullPool,
            connect_args=self._postgres_connect_args(with_statement_timeout=False),
        )

    def ping(self) -> bool:
        """True when a trivial query succeeds (within the deadlines)."""
        try:
            with self.engine.connect() as connection:
                connection.execute(text("SELECT 1"))
        except SQLAlchemyError:
            return False
        return True

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A unit of work: commits when the block ends cleanly, rolls back otherwise.

        Connection-class failures become DatabaseUnavailableError here, the one place every
        database call passes through: so routers (a 503), the scheduler and housekeeping (wait
        and retry) and the worker processes all see the same domain error, instead of each
        catching SQLAlchemy's classes. The error handler only renders it.
        """
        session = self._sessions()
        try:
            yield session
            session.commit()
        except BaseException as exc:
            # A connection that is gone was invalidated already: there is nothing to roll back.
            with suppress(SQLAlchemyError):
                session.rollback()
            if isinstance(exc, SQLAlchemyError) and is_unavailable(exc):
                raise unavailable() from exc
            raise
        finally:
            session.close()

    def dispose(self) -> None:
        """Close every pooled connection (before a fork, or at shutdown)."""
        self.engine.dispose()


def rows_affected(result: Result[Any]) -> int:
    """The rows a DML statement matched: Session.execute types its result as a plain Result,
    but for INSERT, UPDATE and DELETE it is a CursorResult, which has the count."""
    assert isinstance(result, CursorResult)
    return result.rowcount
