"""create_app(settings): routers, the error handler, and the lifespan of the engines."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from service.api import chat, completions, files, fine_tuning, health, models, uploads
from service.config import Settings
from service.handlers import install_error_handlers
from service.housekeeping import run_housekeeping
from service.middleware import RequestContextMiddleware, body_limit_policy
from service.openapi import install_openapi
from service.services import Services

logger = logging.getLogger("whetstone")


def create_app(settings: Settings | None = None, services: Services | None = None) -> FastAPI:
    """The ASGI app. `services` may be opened beforehand (the CLI does, to fail fast)."""
    settings = settings or (services.settings if services else Settings())

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        from service.inference import InferenceService
        from service.scheduler import Scheduler

        opened = services or Services.open(settings)
        app.state.services = opened
        opened.inference = InferenceService(
            settings, opened.db, opened.store, catalog=opened.catalog
        )
        if settings.scheduler_enabled:
            opened.scheduler = Scheduler(settings, opened.db, opened.store, catalog=opened.catalog)
            await opened.scheduler.start()
        housekeeping = asyncio.create_task(run_housekeeping(opened.db, opened.store))
        try:
            yield
        finally:
            housekeeping.cancel()
            if opened.scheduler is not None:
                await opened.scheduler.stop()
            await opened.inference.stop()
            opened.db.dispose()

    app = FastAPI(
        title="Whetstone",
        version="0.1.0",
        description="A self-hosted service that speaks the OpenAI fine-tuning API.",
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
    )
    install_error_handlers(app)
    install_openapi(app)
    app.add_middleware(
        RequestContextMiddleware,
        body_limit_for=body_limit_policy(
            file_bytes=settings.max_file_bytes,
            part_bytes=settings.max_upload_part_bytes,
            json_bytes=settings.max_json_body_bytes,
        ),
    )
    app.include_router(health.router)
    for module in (files, uploads, fine_tuning, models, chat, completions):
        app.include_router(module.router, prefix="/v1")
    return app
