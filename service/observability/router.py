"""GET /metrics: the Prometheus text exposition. No key unless WHETSTONE_METRICS_TOKEN is set."""

from __future__ import annotations

import hmac

from fastapi import APIRouter, Request, Response
from prometheus_client import CONTENT_TYPE_LATEST

from service.core.errors import AuthenticationError
from service.deps import MetricsDep, SettingsDep

router = APIRouter(tags=["observability"])


# A plain def: the scrape reads the database, so it runs on a worker thread, off the loop.
@router.get("/metrics", operation_id="metrics", include_in_schema=False)
def metrics(request: Request, settings: SettingsDep, families: MetricsDep) -> Response:
    """Every family in Prometheus' text format."""
    token = settings.metrics_token
    if token is not None:
        scheme, _, given = (request.headers.get("authorization") or "").partition(" ")
        # Compared in constant time: the token is a secret a scraper presents.
        if scheme.lower() != "bearer" or not hmac.compare_digest(
            given.strip().encode(), token.encode()
        ):
            raise AuthenticationError(
                "GET /metrics needs 'Authorization: Bearer <WHETSTONE_METRICS_TOKEN>'.",
                code="invalid_metrics_token",
            )
    return Response(content=families.render(), media_type=CONTENT_TYPE_LATEST)
