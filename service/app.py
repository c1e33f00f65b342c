"""The composition root: create_app(settings) builds one Container and mounts every slice."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from service.completions import router as completions
from service.container import Container
from service.core.config import Settings
from service.core.handlers import install_error_handlers
from service.core.middleware import RequestContextMiddleware, body_limit_policy
from service.core.openapi import install_openapi
from service.files import router as files
from service.fine_tuning import router as fine_tuning
from service.graders import router as graders
from service.health import router as health
from service.models import router as models
from service.uploads import router as uploads

logger = logging.getLogger("whetstone")


def create_app(settings: Settings, container: Container | None = None) -> FastAPI:
    """The ASGI app. `container` may be built beforehand (the CLI does, to fail fast);
    otherwise the lifespan builds it from `settings`."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        built = container or Container.build(settings)
        app.state.container = built
        await built.start()
        try:
            yield
        finally:
            await built.stop()

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
        max_header_bytes=settings.max_header_bytes,
    )
    app.include_router(health.router)
    for slice_ in (files, uploads, fine_tuning, models, completions):
        app.include_router(slice_.router, prefix="/v1")
    app.include_router(graders.router, prefix="/v1")
    return app
