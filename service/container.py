"""The Container: every long-lived object of one server process, built whole at start-up."""

from __future__ import annotations

import asyncio
import contextlib
import random
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from service.catalog import Catalog
from service.chaos.rules import FaultRuleStore
from service.completions.sampler import ServedModels
from service.core.auth import KeyRing
from service.core.config import Settings
from service.core.db import Database
from service.evals.runner import EvalRunner
from service.graders.model_sampler import ModelSamplers
from service.inference import InferenceService
from service.migrations import upgrade_database
from service.observability.metrics import Metrics
from service.scheduler import Scheduler
from service.scheduler.housekeeping import run_housekeeping
from service.storage import ArtifactStore, open_store

# Threads of the event loop's default executor (asyncio.to_thread). Calls that wait on S3 or the
# database share it with quick CPU work (rendering a chat template); at its default size (cores
# + 4) a few calls waiting out an outage's deadlines would queue completions that need neither
# dependency. Waiting needs threads, not cores.
BLOCKING_THREADS = 32


@dataclass
class Container:
    """What routers reach through dependencies; no member is filled in later.

    The scheduler is always built; `start()` runs its loop only when the settings enable it,
    so a replica without one still has an object whose `wake()` is harmless.
    """

    settings: Settings
    db: Database
    store: ArtifactStore
    keyring: KeyRing
    catalog: Catalog
    scheduler: Scheduler
    inference: InferenceService
    # The served models as model graders sample them (the caller's own chat completions).
    model_samplers: ModelSamplers
    # Runs eval runs in the background of this process.
    evals: EvalRunner
    # Request faults of this process (the chaos API); empty unless someone sets rules.
    chaos: FaultRuleStore
    # The app's Prometheus families (its own registry); the engine and the sender report here.
    metrics: Metrics
    _background: list[asyncio.Task[None]] = field(default_factory=list, repr=False)

    @classmethod
    def build(cls, settings: Settings) -> Container:
        """Check the store, then connect to the database and upgrade its schema; every failure
        is one line. The store goes first so that a misconfigured server migrates nothing."""
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        keyring = KeyRing.from_file(settings.api_keys_file)
        catalog = Catalog.load(data_dir=settings.data_dir, models_file=settings.models_file)
        store = open_store(settings)
        store.check()
        db = Database.from_settings(settings)
        upgrade_database(db)
        metrics = Metrics(db)
        inference = InferenceService(settings, store, catalog, observer=metrics)
        return cls(
            settings=settings,
            db=db,
            store=store,
            keyring=keyring,
            catalog=catalog,
            scheduler=Scheduler(
                settings, db, store, catalog, on_webhook_outcome=metrics.webhook_outcome
            ),
            inference=inference,
            model_samplers=ServedModels(db, catalog, inference),
            evals=EvalRunner(settings, db, catalog, inference),
            chaos=FaultRuleStore(rng=random.Random(settings.chaos_seed)),
            metrics=metrics,
        )

    async def start(self) -> None:
        """Start the background loops: the scheduler (when enabled) and housekeeping."""
        asyncio.get_running_loop().set_default_executor(
            ThreadPoolExecutor(max_workers=BLOCKING_THREADS, thread_name_prefix="whetstone")
        )
        if self.settings.scheduler_enabled:
            await self.scheduler.start()
        self._background.append(
            asyncio.create_task(
                run_housekeeping(self.db, self.store, leading=lambda: self.scheduler.leading)
            )
        )
        await self.evals.start()
        # vLLM servers take tens of seconds to start: begin now, not at the first completion.
        self._background.append(asyncio.create_task(self.inference.start_vllm_engines()))

    async def stop(self) -> None:
        """Stop every loop and engine, then close the database pool."""
        for task in self._background:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._background.clear()
        await self.evals.stop()
        await self.scheduler.stop()
        await self.inference.stop()
        self.db.dispose()
