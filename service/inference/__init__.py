"""The inference engine: model and adapter cache, batching loop, sampling, chat templates."""

from __future__ import annotations

from service.config import Settings
from service.db import Database
from service.storage import ArtifactStore


class InferenceService:
    """Placeholder until the serving issue lands: loads nothing yet."""

    def __init__(self, settings: Settings, db: Database, store: ArtifactStore):
        self.settings, self.db, self.store = settings, db, store

    async def stop(self) -> None:
        """Stop the batching loops and free the models."""
