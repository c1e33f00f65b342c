"""The long-lived objects of one server process, built once from the settings."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from service.auth import KeyRing
from service.catalog import Catalog
from service.config import Settings
from service.db import Database
from service.storage import ArtifactStore, open_store

if TYPE_CHECKING:
    from service.inference import InferenceService
    from service.scheduler import Scheduler


@dataclass
class Services:
    """What routers reach through dependencies: settings, db, store, keys, catalog, engines."""

    settings: Settings
    db: Database
    store: ArtifactStore
    keyring: KeyRing
    catalog: Catalog
    scheduler: Scheduler | None = None
    inference: InferenceService | None = None
    extras: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def open(cls, settings: Settings) -> Services:
        """Connect to the database and the store and check both; errors are one-line."""
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        keyring = KeyRing.from_file(settings.api_keys_file)
        catalog = Catalog.load(data_dir=settings.data_dir, models_file=settings.models_file)
        db = Database(settings.resolved_database_url)
        db.create_all()
        store = open_store(settings)
        store.check()
        return cls(settings=settings, db=db, store=store, keyring=keyring, catalog=catalog)
