"""`upgrade_database(db)` on each database it may meet, on SQLite and on PostgreSQL.

Empty, made by the release before migrations (no `alembic_version`: adopted by a stamp at 0001,
every row kept), partly there, at a newer release's revision, down, or upgraded by two
processes at once.
"""

from __future__ import annotations

import functools
import logging
import subprocess
import sys
from typing import Any

import pytest
from sqlalchemy import MetaData, Table, inspect, select, text

from service.core.db import Database
from service.core.errors import ServiceUnavailableError
from service.core.tables import (
    Base,
    FileRow,
    JobCheckpointRow,
    JobEventRow,
    JobRow,
    UploadPartRow,
    UploadRow,
)
from service.migrations import (
    INITIAL_REVISION,
    PRE_MIGRATION_TABLES,
    SchemaError,
    alembic_config,
    head_revision,
    upgrade_database,
)
from tests.harness import REPO_ROOT, free_port

NOW = 1_700_000_000


def previous_release_database(url: str) -> Database:
    """A database made and filled the way the release before migrations did it: its schema is
    revision 0001's (what `create_all` made then), with no alembic_version table."""
    from alembic import command

    db = Database(url)
    with db.engine.begin() as connection:
        command.upgrade(alembic_config(connection), INITIAL_REVISION)
        connection.execute(text("DROP TABLE alembic_version"))
    first: list[Base] = [
        FileRow(
            id="file-train",
            project="proj",
            filename="train.jsonl",
            purpose="fine-tune",
            bytes=12,
            created_at=NOW,
            status="processed",
            storage_key="files/file-train",
        ),
        UploadRow(
            id="upload-1",
            project="proj",
            filename="big.jsonl",
            purpose="fine-tune",
            bytes=5,
            mime_type="application/jsonl",
            status="pending",
            created_at=NOW,
            expires_at=NOW + 3600,
        ),
        JobRow(
            id="ftjob-1",
            project="proj",
            organization="org",
            model="whetstone-tiny",
            training_file="file-train",
            seed=3,
            status="succeeded",
            method={"type": "supervised", "supervised": {"hyperparameters": {}}},
            job_metadata={"team": "search"},
            fine_tuned_model="ft:whetstone-tiny:personal::abcdefgh",
            result_files=["file-results"],
            created_at=NOW,
            finished_at=NOW + 60,
            attempts=1,
            model_token="abcdefgh",
        ),
    ]
    then: list[Base] = [
        UploadPartRow(
            id="part-1",
            upload_id="upload-1",
            project="proj",
            bytes=5,
            md5="0" * 32,
            created_at=NOW,
            storage_key="uploads/upload-1/part-1",
        ),
        *(
            JobEventRow(
                id=f"ftevent-{n}",
                job_id="ftjob-1",
                project="proj",
                created_at=NOW + n,
                level="info",
                message=f"event {n}",
                type="metrics" if n == 2 else "message",
                data={"step": 1} if n == 2 else None,
            )
            for n in range(3)
        ),
        JobCheckpointRow(
            id="ftckpt-1",
            job_id="ftjob-1",
            project="proj",
            created_at=NOW + 30,
            step_number=5,
            metrics={"train_loss": 0.5},
            fine_tuned_model_checkpoint="ft:whetstone-tiny:personal::abcdefgh:ckpt-step-5",
            storage_key="jobs/ftjob-1/checkpoints/5",
        ),
    ]
    insert_as_stored(db, first + then)
    return db


def insert_as_stored(db: Database, rows: list[Base]) -> None:
    """Insert ORM-built rows through the tables as the database has them (reflected), so the
    columns later revisions add are left out, as an older release would have written them."""
    metadata = MetaData()
    with db.engine.begin() as connection:
        for row in rows:
            table = Table(row.__tablename__, metadata, autoload_with=connection)
            values: dict[str, Any] = {}
            for attribute in inspect(type(row)).column_attrs:
                column = attribute.columns[0]
                if column.name not in table.c or column.name == "seq":
                    continue
                value = getattr(row, attribute.key)
                if value is None and column.default is not None:
                    default = column.default.arg  # type: ignore[union-attr]
                    value = default(None) if callable(default) else default
                values[column.name] = value
            connection.execute(table.insert().values(**values))


@functools.cache
def columns_at_first_revision() -> dict[str, list[str]]:
    """Each table's column names at revision 0001: the data every upgrade must keep."""
    from alembic import command

    scratch = Database("sqlite://")
    with scratch.engine.begin() as connection:
        command.upgrade(alembic_config(connection), INITIAL_REVISION)
        found = inspect(connection)
        return {
            name: [column["name"] for column in found.get_columns(name)]
            # Later revisions' tables start empty; the data to keep is in these.
            for name in PRE_MIGRATION_TABLES
        }


def every_row(db: Database) -> dict[str, list[tuple[Any, ...]]]:
    """Each Whetstone table's rows in `seq` order, as revision 0001's columns hold them."""
    rows: dict[str, list[tuple[Any, ...]]] = {}
    with db.engine.connect() as connection:
        for name, columns in columns_at_first_revision().items():
            table = Table(name, MetaData(), autoload_with=connection)
            query = select(*(table.c[column] for column in columns)).order_by(table.c.seq)
            rows[name] = [tuple(row) for row in connection.execute(query)]
    return rows


def version(db: Database) -> list[str]:
    """The rows of `alembic_version`."""
    with db.engine.connect() as connection:
        return list(connection.scalars(text("SELECT version_num FROM alembic_version")))


def test_a_previous_release_database_is_adopted_with_every_row(
    database_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    db = previous_release_database(database_url)
    before = every_row(db)
    assert all(before.values()) and "alembic_version" not in inspect(db.engine).get_table_names()

    with caplog.at_level(logging.INFO, logger="whetstone.db"):
        upgrade_database(db)
    assert every_row(db) == before
    assert version(db) == [head_revision()]
    assert f"database schema at revision {head_revision()} (adopted" in caplog.text

    caplog.clear()
    with caplog.at_level(logging.INFO, logger="whetstone.db"):
        upgrade_database(db)
    assert every_row(db) == before and version(db) == [head_revision()]
    assert "(already current)" in caplog.text

    # The sequences behind `seq` survived: a new row comes after the adopted ones.
    with db.session() as session:
        row = JobEventRow(
            id="ftevent-new",
            job_id="ftjob-1",
            project="proj",
            created_at=NOW + 99,
            level="info",
            message="after the upgrade",
        )
        session.add(row)
        session.flush()
        assert row.seq > max(seq for seq, *_ in before["fine_tuning_job_events"])
    db.dispose()


def test_an_empty_database_is_upgraded_from_nothing(
    database_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    db = Database(database_url)
    with caplog.at_level(logging.INFO, logger="whetstone.db"):
        upgrade_database(db)
    assert version(db) == [head_revision()]
    assert set(Base.metadata.tables) <= set(inspect(db.engine).get_table_names())
    assert "(upgraded from an empty database)" in caplog.text
    db.dispose()


def test_a_database_with_only_some_tables_is_refused(database_url: str) -> None:
    db = Database(database_url)
    Base.metadata.tables["files"].create(db.engine)
    with pytest.raises(SchemaError, match="not fine_tuning_job_checkpoints"):
        upgrade_database(db)
    # Refusing changed nothing: still no version, still only the one table.
    names = set(inspect(db.engine).get_table_names())
    assert "alembic_version" not in names and names & set(Base.metadata.tables) == {"files"}
    db.dispose()


def test_a_revision_from_a_newer_release_is_refused(database_url: str) -> None:
    db = Database(database_url)
    upgrade_database(db)
    with db.engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    with pytest.raises(SchemaError, match="9999"):
        upgrade_database(db)
    assert version(db) == ["9999"]
    db.dispose()


def test_a_database_that_is_down_is_unavailable() -> None:
    db = Database(f"postgresql+psycopg://postgres@127.0.0.1:{free_port()}/test?connect_timeout=2")
    with pytest.raises(ServiceUnavailableError, match="database unreachable: OperationalError"):
        upgrade_database(db)


UPGRADE_ON_GO = """
import sys
import alembic.command, alembic.runtime.migration
from service.core.db import Database
from service.migrations import upgrade_database
db = Database(sys.argv[1])
print("ready", flush=True)
sys.stdin.readline()
upgrade_database(db)
"""


@pytest.mark.parametrize("made_by", ["nothing", "the previous release"])
def test_two_processes_upgrading_at_once_both_succeed(database_url: str, made_by: str) -> None:
    if made_by == "nothing":
        db, before = Database(database_url), {name: [] for name in PRE_MIGRATION_TABLES}
        # Connecting once creates the SQLite file in WAL mode: two first connections racing to
        # switch a brand-new file to WAL get "database is locked" from the pragma itself,
        # before any migration runs (the connect hook's race, not the upgrade's).
        assert db.ping()
    else:
        db = previous_release_database(database_url)
        before = every_row(db)
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", UPGRADE_ON_GO, database_url],
            cwd=REPO_ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    # Both are told to go only once both have imported everything, so their upgrades overlap.
    for process in processes:
        assert process.stdout is not None and process.stdout.readline() == "ready\n"
    for process in processes:
        assert process.stdin is not None
        process.stdin.write("go\n")
        process.stdin.flush()
    for process in processes:
        _, stderr = process.communicate(timeout=60)
        assert process.returncode == 0, stderr
    assert version(db) == [head_revision()] and every_row(db) == before
    db.dispose()


def test_a_failed_upgrade_leaves_no_half_made_schema(database_url: str) -> None:
    db = Database(database_url)
    # Index names are per schema on both backends: this one makes revision 0001 fail midway,
    # after it has created the first four tables.
    squatter = "migration_test_squatter"
    with db.engine.begin() as connection:
        connection.execute(text(f"DROP TABLE IF EXISTS {squatter}"))
        connection.execute(text(f"CREATE TABLE {squatter} (status VARCHAR(8))"))
        connection.execute(text(f"CREATE INDEX ix_fine_tuning_jobs_status ON {squatter} (status)"))
    try:
        with pytest.raises(SchemaError, match="rolled back"):
            upgrade_database(db)
        assert (
            set(inspect(db.engine).get_table_names()) & {*Base.metadata.tables, "alembic_version"}
            == set()
        )
    finally:
        with db.engine.begin() as connection:
            connection.execute(text(f"DROP TABLE IF EXISTS {squatter}"))
        db.dispose()
