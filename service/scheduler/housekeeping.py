"""Periodic clean-up: the bytes of expired files and of expired uploads' parts."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

from service.core.db import Database
from service.core.errors import WhetstoneError
from service.files.operations import purge_expired_files
from service.storage import ArtifactStore
from service.uploads.operations import purge_expired_uploads

logger = logging.getLogger("whetstone.housekeeping")

# Expired files and uploads are invisible to clients at once; this only reclaims space, so a
# coarse interval is enough.
HOUSEKEEPING_INTERVAL_SECONDS = 600


def sweep(db: Database, store: ArtifactStore) -> tuple[int, int]:
    """Reclaim expired files and expired uploads once; returns how many of each."""
    return purge_expired_files(db, store), purge_expired_uploads(db, store)


async def run_housekeeping(
    db: Database, store: ArtifactStore, *, leading: Callable[[], bool] = lambda: True
) -> None:
    """Sweep now and then every HOUSEKEEPING_INTERVAL_SECONDS until cancelled, on the replica
    that leads the scheduler (`leading`); the others skip their turn."""
    while True:
        try:
            if not leading():
                # Checked again soon: a replica that takes over sweeps without a long wait.
                await asyncio.sleep(min(HOUSEKEEPING_INTERVAL_SECONDS, 5))
                continue
            files, uploads = await asyncio.to_thread(sweep, db, store)
            if files or uploads:
                logger.info("reclaimed %d expired files and %d expired uploads", files, uploads)
        except WhetstoneError as exc:
            logger.warning("housekeeping skipped: %s", exc.message)
        except Exception:
            # The loop must outlive any one failure; the next round tries again.
            logger.exception("housekeeping failed")
        await asyncio.sleep(HOUSEKEEPING_INTERVAL_SECONDS)
