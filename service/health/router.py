"""Liveness and readiness probes."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor

from fastapi import APIRouter, Request

from service.core.errors import (
    DatabaseUnavailableError,
    StorageUnavailableError,
    WhetstoneError,
)
from service.deps import DatabaseDep, StoreDep

router = APIRouter(tags=["health"])

# /readyz answers within 2 s whatever the dependencies do: both checks run at once and get
# this long; a check still running then counts as down.
READY_CHECK_SECONDS = 1.5
# The checks run on threads of their own, so a hung dependency never takes the threads that
# requests and the scheduler need; one check per dependency at a time (see _Probe).
_CHECKS = ThreadPoolExecutor(max_workers=4, thread_name_prefix="whetstone-readyz")


class _Probe:
    """One blocking check run at most once at a time: a probe that polls faster than a hung
    dependency's deadline waits on the check already running instead of piling up threads."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._running: Future[None] | None = None

    async def run(self, check: Callable[[], None], seconds: float) -> BaseException | None:
        """None when the check passed within `seconds`, else why not (TimeoutError included)."""
        with self._lock:
            if self._running is None or self._running.done():
                self._running = _CHECKS.submit(check)
            running = self._running
        waited = asyncio.wrap_future(running)
        # Retrieved here even when nobody waits any more (the deadline passed), so that a late
        # failure is not reported again as "Future exception was never retrieved".
        waited.add_done_callback(lambda done: done.cancelled() or done.exception())
        try:
            await asyncio.wait_for(asyncio.shield(waited), seconds)
        except (TimeoutError, Exception) as exc:
            return exc
        return None


_probes_lock = threading.Lock()


def _probes(request: Request) -> dict[str, _Probe]:
    """The app's probes (one per dependency), made on first use."""
    with _probes_lock:
        probes = getattr(request.app.state, "readiness_probes", None)
        if probes is None:
            probes = request.app.state.readiness_probes = {"db": _Probe(), "store": _Probe()}
        return probes


@router.get("/healthz", operation_id="health-live", include_in_schema=False)
def healthz() -> dict[str, str]:
    """200 whenever the process is up."""
    return {"status": "ok"}


@router.get("/readyz", operation_id="health-ready", include_in_schema=False)
async def readyz(request: Request, db: DatabaseDep, store: StoreDep) -> dict[str, str]:
    """200 only when the database and the artifact store both answer, within 2 s."""

    def ping() -> None:
        if not db.ping():
            raise DatabaseUnavailableError("The database is not reachable.")

    probes = _probes(request)
    db_failure, store_failure = await asyncio.gather(
        probes["db"].run(ping, READY_CHECK_SECONDS),
        probes["store"].run(store.check, READY_CHECK_SECONDS),
    )
    if db_failure is not None:
        raise _as_unavailable(db_failure, DatabaseUnavailableError, "database")
    if store_failure is not None:
        raise _as_unavailable(store_failure, StorageUnavailableError, "artifact store")
    return {"status": "ready"}


def _as_unavailable(
    failure: BaseException,
    kind: type[DatabaseUnavailableError] | type[StorageUnavailableError],
    what: str,
) -> WhetstoneError:
    # A fresh error per answer: concurrent probes may share one failed check.
    if isinstance(failure, WhetstoneError):
        error = kind(failure.message)
    elif isinstance(failure, TimeoutError):
        error = kind(f"The {what} did not answer within {READY_CHECK_SECONDS:g} s.")
    else:
        error = kind(f"The {what} is not reachable: {type(failure).__name__}.")
    error.__cause__ = failure.__cause__ if isinstance(failure, WhetstoneError) else failure
    return error
