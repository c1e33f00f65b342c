"""The HTTP middleware: request counts and durations by route template, and the access log.

Plain ASGI (as RequestContextMiddleware), outermost, so that it sees every answer: the 413s
and 431s refused before routing and the last-resort 500s included. `route` is the matched
route's path template (`/v1/fine_tuning/jobs/{fine_tuning_job_id}`), never the raw path, so
the number of series stays bounded; a path no route matches counts as `unmatched`.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Sequence

from fastapi.routing import APIRoute, RouteContext, iter_route_contexts
from starlette.routing import BaseRoute, compile_path
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from service.observability.logs import ACCESS_LOGGER, current_scope, request_context

access_logger = logging.getLogger(ACCESS_LOGGER)
UNMATCHED = "unmatched"


class MetricsMiddleware:
    """Records `whetstone_http_requests_total` and `whetstone_http_request_duration_seconds`
    in the app's Metrics (the Container's), and writes one access record per request."""

    def __init__(self, app: ASGIApp):
        self.app = app
        self._route_templates: RouteTemplates | None = None

    def _templates(self, scope: Scope) -> RouteTemplates:
        # Built on the first request: by then every router is included.
        if self._route_templates is None:
            self._route_templates = RouteTemplates(scope["app"].router.routes)
        return self._route_templates

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500
        # The same dict RequestContextMiddleware and the dependencies write into.
        scope.setdefault("state", {})
        token = current_scope.set(scope)

        async def send_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_status)
        finally:
            seconds = time.perf_counter() - started
            route = self._templates(scope).of(scope)
            metrics = getattr(scope["app"].state, "container", None)
            if metrics is not None:
                metrics = metrics.metrics
                metrics.http_requests.labels(scope["method"], route, str(status)).inc()
                metrics.http_duration.labels(scope["method"], route).observe(seconds)
            if access_logger.isEnabledFor(logging.INFO):
                access_logger.info(
                    "%s %s %d",
                    scope["method"],
                    route,
                    status,
                    extra={
                        **request_context(scope),
                        "method": scope["method"],
                        "route": route,
                        "status": status,
                        "duration_ms": round(seconds * 1000, 3),
                    },
                )
            current_scope.reset(token)


class RouteTemplates:
    """The full path template of each route of an app, prefixes included.

    FastAPI puts the matched route in `scope["route"]`, but an included router's route keeps
    the path it was declared with (no `/v1`). The prefix is the part of the request's path
    before the segments the declared path matched, one segment per segment (a parameter
    matches one, unless it is a `:path` one); it is worked out once per route and kept, so
    the number of series stays bounded by the number of routes.

    FastAPI's own route contexts hold the full templates, but reading them builds every
    route's request and response models at once (most of a second of CPU on the first
    request, for routes a process may never serve); they are read only for the requests
    that no route handled (404s, and the 413s and 431s refused before routing), whose path
    is matched against every template.
    """

    def __init__(self, routes: Sequence[BaseRoute | RouteContext]):
        self.routes = routes
        # Keyed by route and prefix: one router included under two prefixes (Vertex AI's
        # /v1beta1 and /v1) shares its route objects between them.
        self.by_route: dict[tuple[int, str], str] = {}
        self._patterns: list[tuple[re.Pattern[str], str]] | None = None

    def of(self, scope: Scope) -> str:
        """The template of the route that handled the request, or `unmatched`."""
        route = scope.get("route")
        path: str = scope.get("path", "")
        root = scope.get("root_path", "")
        if root and path.startswith(root):
            path = path[len(root) :]
        if isinstance(route, APIRoute) and ":path}" not in route.path:
            segments = path.split("/")
            prefix = "/".join(segments[: len(segments) - route.path.count("/")])
            key = (id(route), prefix)
            template = self.by_route.get(key)
            if template is None:
                template = self.by_route[key] = prefix + route.path
            return template
        # A `:path` parameter spans segments, so the prefix cannot be counted off: match the
        # full templates (the rare routes that have one, and requests no route handled).
        for pattern, template in self.patterns():
            if pattern.match(path):
                return template
        declared = getattr(route, "path", None)
        return declared if isinstance(declared, str) and declared else UNMATCHED

    def patterns(self) -> list[tuple[re.Pattern[str], str]]:
        """Every route's template with its regular expression, read once."""
        if self._patterns is None:
            self._patterns = []
            for context in iter_route_contexts(self.routes):
                template = context.path_format or context.path
                if template:
                    self._patterns.append((compile_path(template)[0], template))
        return self._patterns
