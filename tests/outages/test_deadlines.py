"""The deadlines and the outage errors in-process: each piece on its own, fast.

The end-to-end cases (test_storage_outages.py, test_database_outages.py) show the whole; these
pin what each knob does: the one mapping to `database_unavailable`, SQLite's busy timeout,
PostgreSQL's statement timeout and the client-side deadline, and /readyz's own deadline.
"""

from __future__ import annotations

import inspect
import logging
import sqlite3
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import Request
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError, IntegrityError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError

from service.app import create_app
from service.core.config import Settings
from service.core.db import Database
from service.core.errors import DatabaseUnavailableError
from service.migrations import upgrade_database
from tests.conftest import POSTGRES_URL, postgres_available
from tests.outages.faults import FaultProxy

AUTH = {"Authorization": "Bearer sk-test"}
FAILURES: dict[str, Exception] = {
    "refused": OperationalError("SELECT 1", {}, Exception("connection refused")),
    "closed": InterfaceError("SELECT 1", {}, Exception("the connection is closed")),
    "pool": PoolTimeoutError("QueuePool limit of size 10 overflow 20 reached"),
    "dropped": DBAPIError("SELECT 1", {}, Exception("reset"), connection_invalidated=True),
}


@pytest.fixture
def client(data_dir: Path) -> Iterator[TestClient]:
    """The app plus a test-only route whose unit of work fails as asked."""
    app = create_app(Settings(data_dir=data_dir, scheduler_enabled=False))

    @app.get("/test-only/db/{kind}")
    def fail(kind: str, request: Request) -> None:
        with request.app.state.container.db.session():
            if kind == "integrity":
                raise IntegrityError("INSERT", {}, Exception("duplicate key"))
            raise FAILURES[kind]

    with TestClient(app, headers=AUTH, raise_server_exceptions=False) as test_client:
        yield test_client


@pytest.mark.parametrize("kind", sorted(FAILURES))
def test_a_connection_failure_is_a_503_database_unavailable_with_retry_after(
    client: TestClient, kind: str, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING):
        response = client.get(f"/test-only/db/{kind}")
    assert response.status_code == 503
    assert response.headers["retry-after"] == "5"
    error = response.json()["error"]
    assert (error["type"], error["code"]) == ("server_error", "database_unavailable")
    # One warning line: an outage is expected, so no error and no traceback.
    records = [r for r in caplog.records if r.name.startswith("whetstone")]
    assert [r.levelname for r in records] == ["WARNING"]
    assert records[0].exc_info is None


def test_a_failure_that_is_no_outage_stays_a_500(client: TestClient) -> None:
    response = client.get("/test-only/db/integrity")
    assert response.status_code == 500
    assert "retry-after" not in response.headers


def test_the_database_defaults_are_the_settings_defaults() -> None:
    # Processes that build a Database from a URL alone (the worker) get the same deadlines.
    defaults = inspect.signature(Database.__init__).parameters
    fields = Settings.model_fields
    assert defaults["connect_timeout"].default == fields["database_connect_timeout_seconds"].default
    assert defaults["statement_timeout"].default == (
        fields["database_statement_timeout_seconds"].default
    )
    assert defaults["pool_timeout"].default == fields["database_pool_timeout_seconds"].default
    assert defaults["sqlite_busy_timeout"].default == fields["sqlite_busy_timeout_seconds"].default


def test_sqlite_waits_a_bounded_time_for_another_writer(tmp_path: Path) -> None:
    path = tmp_path / "busy.db"
    db = Database(f"sqlite:///{path}", sqlite_busy_timeout=0.2)
    upgrade_database(db)
    with db.session() as session:
        assert session.execute(text("PRAGMA busy_timeout")).scalar() == 200
    writer = sqlite3.connect(path, isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")  # another process holds the write lock
    try:
        with pytest.raises(DatabaseUnavailableError), db.session() as session:
            session.execute(text("CREATE TABLE scratch (x INTEGER)"))
    finally:
        writer.execute("ROLLBACK")
        writer.close()
    with db.session() as session:  # and it goes on once the lock is free
        session.execute(text("CREATE TABLE scratch (x INTEGER)"))
    db.dispose()


@pytest.fixture
def postgres() -> None:
    """Skip where PostgreSQL is absent."""
    reason = postgres_available()
    if reason is not None:
        pytest.skip(f"needs PostgreSQL: {reason}")


@pytest.mark.usefixtures("postgres")
def test_postgresql_cancels_a_statement_past_the_statement_timeout() -> None:
    db = Database(POSTGRES_URL, statement_timeout=0.5, pool_timeout=2.0)
    try:
        assert db.engine.pool.timeout() == 2.0  # type: ignore[attr-defined]
        with db.session() as session:
            assert session.execute(text("SHOW statement_timeout")).scalar() == "500ms"
        with pytest.raises(DatabaseUnavailableError), db.session() as session:
            session.execute(text("SELECT pg_sleep(3)"))
        with db.session() as session:  # the server cancelled it: the connection is still good
            assert session.execute(text("SELECT 1")).scalar() == 1
    finally:
        db.dispose()


@pytest.mark.usefixtures("postgres")
def test_a_statement_timeout_in_the_url_wins() -> None:
    separator = "&" if "?" in POSTGRES_URL else "?"
    db = Database(f"{POSTGRES_URL}{separator}options=-c%20statement_timeout%3D3000")
    try:
        with db.session() as session:
            assert session.execute(text("SHOW statement_timeout")).scalar() == "3s"
    finally:
        db.dispose()


@pytest.mark.usefixtures("postgres")
def test_a_server_that_stops_answering_mid_session_is_unavailable_not_a_hang() -> None:
    from sqlalchemy.engine import make_url

    url = make_url(POSTGRES_URL)
    proxy = FaultProxy(url.host or "127.0.0.1", url.port or 5432).start()
    db = Database(
        url.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False),
        statement_timeout=0.5,
    )
    try:
        with pytest.raises(DatabaseUnavailableError) as raised, db.session() as session:
            assert session.execute(text("SELECT 1")).scalar() == 1
            # The connection is established and in use; now nothing comes back any more, and
            # the server cannot cancel what it never receives: the client's deadline ends it.
            proxy.set_mode("blackhole")
            session.execute(text("SELECT 2"))
        assert "no answer from the server" in str(raised.value.__cause__)
        proxy.set_mode("forward")
        with db.session() as session:  # the dead connection was dropped; a new one serves
            assert session.execute(text("SELECT 3")).scalar() == 3
    finally:
        db.dispose()
        proxy.stop()


class HangingStore:
    """A store whose check hangs until released, counting how often it was called."""

    def __init__(self) -> None:
        self.release = threading.Event()
        self.calls = 0

    def check(self) -> None:
        """Wait until released (at most 30 s)."""
        self.calls += 1
        self.release.wait(30)


def test_readyz_answers_on_time_while_the_store_hangs(data_dir: Path) -> None:
    app = create_app(Settings(data_dir=data_dir, scheduler_enabled=False))
    store = HangingStore()
    with TestClient(app, headers=AUTH) as client:
        app.state.container.store = store
        try:
            for _ in range(3):
                started = time.monotonic()
                response = client.get("/readyz")
                assert response.status_code == 503
                assert response.json()["error"]["code"] == "storage_unavailable"
                assert response.headers["retry-after"] == "5"
                assert time.monotonic() - started < 30  # not held for the hang
            # Probes do not pile up threads on a hung dependency: one check runs, the others
            # wait on it.
            assert store.calls == 1
        finally:
            store.release.set()
        deadline = time.monotonic() + 10
        while client.get("/readyz").status_code != 200:
            assert time.monotonic() < deadline
            time.sleep(0.1)
