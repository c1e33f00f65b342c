"""Leadership: which replica holds the scheduler's duties (claiming, validation, recovery, the
webhook sender and housekeeping).

On SQLite there is one machine and one scheduler: it always leads (`LoneLeader`). On PostgreSQL
any number of replicas run a scheduler loop, and the one holding the lease row leads
(`LeaderLease`); the others serve the API and supervise only the runs they started.

A lease row, not a session advisory lock: an advisory lock lives and dies with one server
connection, which a transaction-mode pooler (pgbouncer) cannot keep, which the pool recycles
after statement timeouts, and which a half-open TCP connection keeps locked on the server long
after its holder lost it, with no way for the holder to tell. A row whose expiry is on the
database's clock gives every replica the same deadline, whatever its own clock says, and the
holder knows from its own monotonic clock when to stop acting as leader.
"""

from __future__ import annotations

import logging
import time
from typing import Protocol

from sqlalchemy import text

from service.core.db import Database

logger = logging.getLogger("whetstone.scheduler")

LEASE_NAME = "scheduler"
# The holder stops acting as leader this share of the lease before the row expires: its own
# clock started before the database stamped the renewal, so it is early, never late.
SAFETY_SHARE = 0.2

# One atomic statement takes a free or expired lease, or renews our own; concurrent callers
# serialise on the row (INSERT ... ON CONFLICT locks it), so exactly one of them wins.
# acquired_at_ms stays put across renewals: it says since when the holder leads.
_ACQUIRE_OR_RENEW = text(
    """
    INSERT INTO scheduler_leases AS lease (name, holder, acquired_at_ms, expires_at_ms)
    VALUES (
        :name,
        :holder,
        CAST(EXTRACT(EPOCH FROM clock_timestamp()) * 1000 AS BIGINT),
        CAST(EXTRACT(EPOCH FROM clock_timestamp()) * 1000 AS BIGINT) + :lease_ms
    )
    ON CONFLICT (name) DO UPDATE SET
        holder = EXCLUDED.holder,
        expires_at_ms = EXCLUDED.expires_at_ms,
        acquired_at_ms = CASE WHEN lease.holder = EXCLUDED.holder
                              THEN lease.acquired_at_ms ELSE EXCLUDED.acquired_at_ms END
    WHERE lease.holder = EXCLUDED.holder OR lease.expires_at_ms < EXCLUDED.acquired_at_ms
    RETURNING lease.holder
    """
)
_RELEASE = text(
    """
    UPDATE scheduler_leases
    SET expires_at_ms = CAST(EXTRACT(EPOCH FROM clock_timestamp()) * 1000 AS BIGINT) - 1
    WHERE name = :name AND holder = :holder
    """
)


class Leadership(Protocol):
    """Whether this scheduler leads now."""

    holder: str

    def renew(self) -> bool:
        """Take or keep the lead (blocking: a database call); True while this one leads."""
        ...

    @property
    def leading(self) -> bool:
        """Whether this scheduler leads, from its last renewal (no database call)."""
        ...

    def release(self) -> None:
        """Give the lead up now, so that another replica takes over at once."""
        ...


class LoneLeader:
    """SQLite: the one scheduler of the machine always leads."""

    def __init__(self, holder: str):
        self.holder = holder

    def renew(self) -> bool:
        """Always the leader."""
        return True

    @property
    def leading(self) -> bool:
        """Always the leader."""
        return True

    def release(self) -> None:
        """Nothing to give up."""


class LeaderLease:
    """PostgreSQL: the `scheduler_leases` row, held for `seconds` past each renewal."""

    def __init__(self, db: Database, *, holder: str, seconds: float, name: str = LEASE_NAME):
        self.db = db
        self.holder = holder
        self.seconds = seconds
        self.name = name
        self._valid_until = float("-inf")

    def renew(self) -> bool:
        """Take the lease if it is free or expired, or extend ours; False when another holds
        it. Database errors propagate, and the lead ends when its local deadline passes."""
        started = time.monotonic()
        with self.db.session() as session:
            won = (
                session.execute(
                    _ACQUIRE_OR_RENEW,
                    {
                        "name": self.name,
                        "holder": self.holder,
                        "lease_ms": int(self.seconds * 1000),
                    },
                ).scalar_one_or_none()
                is not None
            )
        self._valid_until = started + self.seconds * (1 - SAFETY_SHARE) if won else float("-inf")
        return won

    @property
    def leading(self) -> bool:
        """True until shortly before the lease we last renewed expires."""
        return time.monotonic() < self._valid_until

    def release(self) -> None:
        """Expire our lease now (if we still hold it)."""
        self._valid_until = float("-inf")
        with self.db.session() as session:
            session.execute(_RELEASE, {"name": self.name, "holder": self.holder})


def leadership_for(db: Database, *, holder: str, lease_seconds: float) -> Leadership:
    """A lease on PostgreSQL; the lone scheduler of a SQLite database leads alone."""
    if db.is_sqlite:
        return LoneLeader(holder)
    return LeaderLease(db, holder=holder, seconds=lease_seconds)
