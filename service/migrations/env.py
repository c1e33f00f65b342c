"""Alembic's environment: runs migrations on the connection `upgrade_to_head` hands over."""

from __future__ import annotations

from alembic import context
from sqlalchemy.engine import Connection

from service.core.tables import Base

config = context.config
connection = config.attributes.get("connection")
if not isinstance(connection, Connection):
    # No engine of its own: the app's (with its SQLite pragmas) is the only one to migrate.
    raise RuntimeError(
        "service.migrations runs only through service.migrations.alembic_config(connection)"
    )

context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    # SQLite cannot ALTER most things; batch mode copies the table instead.
    render_as_batch=True,
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
