"""The composition root: create_app(settings) builds one Container and mounts every slice."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from service.adapters import router as adapters
from service.bedrock import router as bedrock
from service.bedrock.errors import render_aws_error
from service.chaos import router as chaos
from service.chaos.middleware import RequestFaultMiddleware
from service.completions import router as completions
from service.container import Container
from service.core.config import Settings
from service.core.handlers import install_error_handlers
from service.core.middleware import RequestContextMiddleware, body_limit_policy
from service.core.openapi import install_openapi
from service.dashboard import router as dashboard
from service.evals import router as evals
from service.files import router as files
from service.fine_tuning import router as fine_tuning
from service.fine_tuning.permissions import router as checkpoint_permissions
from service.graders import router as graders
from service.health import router as health
from service.models import router as models
from service.observability import router as observability
from service.observability.middleware import MetricsMiddleware
from service.reports import router as reports
from service.responses import router as responses
from service.tinker import errors as tinker_errors
from service.tinker import router as tinker
from service.tinker.checkpoints import router as tinker_checkpoints
from service.tinker.sampling import router as tinker_sampling
from service.uploads import router as uploads
from service.vertex import envelope as vertex_envelope
from service.vertex import router as vertex
from service.webhooks import router as webhooks

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
    # Errors on a front door's paths take its cloud's envelope; every other path OpenAI's.
    install_error_handlers(
        app,
        dialects={
            **dict.fromkeys(bedrock.PATH_PREFIXES, render_aws_error),
            **vertex_envelope.ERROR_DIALECTS,
            **tinker_errors.ERROR_DIALECTS,
        },
    )
    install_openapi(app)
    if settings.resolved_chaos_enabled:
        # Inside RequestContextMiddleware, so that an injected answer has its x-request-id.
        app.add_middleware(RequestFaultMiddleware)
    body_limit_for = body_limit_policy(
        file_bytes=settings.max_file_bytes,
        part_bytes=settings.max_upload_part_bytes,
        json_bytes=settings.max_json_body_bytes,
    )

    def limit_for(path: str) -> int:
        # Tinker's forward_backward chunks are protobuf, bounded by their own setting.
        if path.startswith(tinker_errors.PATH_PREFIX):
            return settings.tinker_max_request_bytes
        return body_limit_for(path)

    app.add_middleware(
        RequestContextMiddleware,
        body_limit_for=limit_for,
        max_header_bytes=settings.max_header_bytes,
    )
    # Outermost: it counts every answer, the ones RequestContextMiddleware gives included.
    app.add_middleware(MetricsMiddleware)
    app.include_router(health.router)
    app.include_router(observability.router)
    app.include_router(chaos.router)
    app.include_router(reports.router)
    app.include_router(adapters.router)
    for slice_ in (files, uploads, fine_tuning, models, completions, responses):
        app.include_router(slice_.router, prefix="/v1")
    app.include_router(graders.router, prefix="/v1")
    app.include_router(webhooks.router, prefix="/v1")
    app.include_router(checkpoint_permissions.router, prefix="/v1")
    app.include_router(evals.router, prefix="/v1")
    app.include_router(bedrock.router)
    app.include_router(bedrock.runtime_router)
    # Google's front door: google-genai calls /v1beta1, and /v1 is Vertex AI's stable version.
    for version in ("/v1beta1", "/v1"):
        app.include_router(vertex.router, prefix=version)
    app.include_router(vertex.token_router)
    if settings.tinker_enabled:
        # Thinking Machines' front door: TINKER_BASE_URL is the server's root.
        for tinker_slice in (tinker, tinker_sampling, tinker_checkpoints):
            app.include_router(tinker_slice.router, prefix="/api/v1", include_in_schema=False)
    app.include_router(dashboard.router)
    app.mount(dashboard.STATIC_PREFIX, dashboard.assets(), name="dashboard-static")
    return app
