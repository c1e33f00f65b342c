"""Liveness and readiness probes."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.concurrency import run_in_threadpool

from service.core.errors import ServiceUnavailableError
from service.deps import DatabaseDep, StoreDep

router = APIRouter(tags=["health"])


@router.get("/healthz", operation_id="health-live", include_in_schema=False)
def healthz() -> dict[str, str]:
    """200 whenever the process is up."""
    return {"status": "ok"}


@router.get("/readyz", operation_id="health-ready", include_in_schema=False)
async def readyz(db: DatabaseDep, store: StoreDep) -> dict[str, str]:
    """200 only when the database and the artifact store both answer."""
    if not await run_in_threadpool(db.ping):
        raise ServiceUnavailableError("database is not reachable")
    await run_in_threadpool(store.check)
    return {"status": "ready"}
