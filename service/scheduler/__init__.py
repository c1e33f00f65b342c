"""The training scheduler: job queue, device slots, worker processes, recovery."""

from __future__ import annotations

from service.config import Settings
from service.db import Database
from service.storage import ArtifactStore


class Scheduler:
    """Placeholder until the fine-tuning issue lands: owns no slots yet."""

    def __init__(self, settings: Settings, db: Database, store: ArtifactStore):
        self.settings, self.db, self.store = settings, db, store

    async def start(self) -> None:
        """Start the background loops."""

    async def stop(self) -> None:
        """Stop the loops and the workers."""
