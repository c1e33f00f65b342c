"""Schema migrations: Alembic, configured in code and run on the app's own engine.

`upgrade_database(db)` is all the service calls (the Container at start-up, and `whetstone db
upgrade`); `service.core.db` only makes engines. Each revision is a module in `versions/` named
`NNNN_what.py` with `revision = "NNNN"`. To draft the next one, bring a scratch database to head,
change `service/core/tables.py`, then autogenerate against it and edit the result:

    with Database(url).engine.begin() as connection:
        command.revision(alembic_config(connection), "what", autogenerate=True, rev_id="0002")
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DBAPIError, SQLAlchemyError

from service.core.db import Database
from service.core.errors import DatabaseUnavailableError, WhetstoneError

if TYPE_CHECKING:
    from alembic.config import Config

# The operator's name for what the database did at start-up, as it was before migrations
# moved out of service.core.db.
logger = logging.getLogger("whetstone.db")

# Alembic is imported where it is used: only the processes that migrate pay for it, and the
# filter below is on its loggers before its import-time INFO lines ("setup plugin ...").

SCRIPT_LOCATION = Path(__file__).resolve().parent
INITIAL_REVISION = "0001"
# What the releases before migrations made with create_all, and so what revision 0001 creates.
PRE_MIGRATION_TABLES = frozenset(
    {
        "files",
        "uploads",
        "upload_parts",
        "fine_tuning_jobs",
        "fine_tuning_job_events",
        "fine_tuning_job_checkpoints",
    }
)
# Any constant would do, as long as every Whetstone process uses the same one ("WHETSTON").
ADVISORY_LOCK_KEY = 0x57484554_53544F4E


class _StepsOnly(logging.Filter):
    """Keeps Alembic's "Running upgrade a -> b" lines; drops what it says on every configure.

    That chatter ("Will assume non-transactional DDL." on SQLite) repeats at each start-up and
    misleads: `upgrade_to_head` runs every step in one transaction on both backends.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        """True for the records worth an operator's attention."""
        return record.levelno > logging.INFO or record.getMessage().startswith("Running ")


for _name in ("alembic.runtime.migration", "alembic.runtime.plugins"):
    logging.getLogger(_name).addFilter(_StepsOnly())


class SchemaError(WhetstoneError):
    """The database holds a schema this release cannot bring to head by itself."""


@dataclass(frozen=True)
class Upgrade:
    """What `upgrade_to_head` found and did."""

    revision: str
    previous: str | None
    adopted: bool

    def describe(self) -> str:
        """One line for the log."""
        if self.adopted:
            how = "adopted a pre-migration database"
            if self.revision != INITIAL_REVISION:
                how += f", then upgraded from {INITIAL_REVISION}"
        elif self.previous == self.revision:
            how = "already current"
        else:
            how = f"upgraded from {self.previous or 'an empty database'}"
        return f"database schema at revision {self.revision} ({how})"


def alembic_config(connection: Connection | None = None) -> Config:
    """An Alembic config for this package whose env.py migrates `connection`."""
    from alembic.config import Config

    config = Config()
    # The option goes through configparser interpolation, where "%" is special.
    config.set_main_option("script_location", str(SCRIPT_LOCATION).replace("%", "%%"))
    config.attributes["connection"] = connection
    return config


def head_revision() -> str:
    """The newest revision in `versions/`."""
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None, "service/migrations/versions holds no revision"
    return head


def upgrade_database(db: Database) -> Upgrade:
    """Migrate `db`'s schema to head and log what was done; DatabaseUnavailableError when
    the database is down, `SchemaError` for a schema it cannot migrate (a newer release's, a
    failed step)."""
    engine = db.migration_engine()
    try:
        outcome = upgrade_to_head(engine)
    except SQLAlchemyError as exc:
        raise DatabaseUnavailableError(f"database unreachable: {exc.__class__.__name__}") from exc
    finally:
        if engine is not db.engine:
            engine.dispose()
    logger.info("%s", outcome.describe())
    return outcome


def upgrade_to_head(engine: Engine) -> Upgrade:
    """Migrate the database to head, first stamping one that predates migrations at 0001."""
    # Failing to connect propagates as is: the caller reports the database as unreachable.
    with engine.connect() as connection:
        try:
            with _exclusive(connection):
                return _migrate(connection)
        except DBAPIError as exc:
            if exc.connection_invalidated:
                raise
            reason = (str(exc.orig).strip().splitlines() or [""])[0]
            raise SchemaError(
                "the schema migration failed and was rolled back: "
                f"{type(exc.orig).__name__}: {reason}"
            ) from exc


def _migrate(connection: Connection) -> Upgrade:
    """Stamp (when adopting) and upgrade, on a connection `_exclusive` already holds."""
    from alembic import command
    from alembic.runtime.migration import MigrationContext
    from alembic.script.revision import RevisionError
    from alembic.util import CommandError

    previous = MigrationContext.configure(connection).get_current_revision()
    config = alembic_config(connection)
    adopted = previous is None and _made_before_migrations(connection)
    try:
        if adopted:
            command.stamp(config, INITIAL_REVISION)
        command.upgrade(config, "head")
    except (CommandError, RevisionError) as exc:
        # Typically a revision this release does not know: a newer release migrated it.
        raise SchemaError(
            f"cannot migrate the database schema from revision {previous}: {exc}"
        ) from exc
    revision = MigrationContext.configure(connection).get_current_revision()
    assert revision is not None
    return Upgrade(revision=revision, previous=previous, adopted=adopted)


def _made_before_migrations(connection: Connection) -> bool:
    """True when Whetstone's tables are there (with no version); False when none are."""
    present = set(inspect(connection).get_table_names()) & PRE_MIGRATION_TABLES
    if not present:
        return False
    missing = sorted(PRE_MIGRATION_TABLES - present)
    if missing:
        raise SchemaError(
            f"the database has some of Whetstone's tables but not {', '.join(missing)}, "
            "and no alembic_version; refusing to guess its schema"
        )
    return True


@contextlib.contextmanager
def _exclusive(connection: Connection) -> Iterator[None]:
    """One transaction around the whole upgrade, which one process at a time may hold.

    Both backends roll DDL back with the transaction, so a failed upgrade leaves no half-made
    schema; and a second process waits, then finds the first one's work already committed.
    """
    if connection.dialect.name != "sqlite":
        with connection.begin():
            if connection.dialect.name == "postgresql":
                connection.execute(
                    text("SELECT pg_advisory_xact_lock(:key)"), {"key": ADVISORY_LOCK_KEY}
                )
            yield
        return
    # SQLite's own procedure for schema changes: batch mode rebuilds a table by copy, drop and
    # rename, which enforced foreign keys would refuse for a table others point at. The pragma
    # is a no-op inside a transaction, so it is set before one and restored after it.
    connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
    connection.commit()
    try:
        with connection.begin():
            # pysqlite would otherwise run DDL outside any transaction; IMMEDIATE takes the
            # write lock before reading the version, so two upgrades cannot both start.
            connection.exec_driver_sql("BEGIN IMMEDIATE")
            yield
            broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
            if broken:
                raise SchemaError(f"the migration broke foreign keys: {broken[:5]}")
    finally:
        connection.exec_driver_sql("PRAGMA foreign_keys=ON")
        connection.commit()
