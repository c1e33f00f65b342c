"""Tinker's futures: every operation is a request row whose result `retrieve_future` returns.

A submit route inserts the row and answers `{"request_id", "model_id"?}` at once; whoever runs
the operation (a session worker, the sampler) calls `finish` or `fail`. `retrieve_future`
long-polls the row and answers `try_again` while it is pending: the SDK re-polls at once.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from typing import Literal

from fastapi.concurrency import run_in_threadpool

from service.core.db import Database
from service.core.errors import NotFoundError
from service.tinker import repository

# Tinker's RequestErrorCategory, as RequestFailedResponse carries it.
Category = Literal["user", "server", "unknown"]
# How often a long poll reads the row (one indexed read, up to 50 a second): a
# forward_backward on the emulator takes tens of ms, and each read's wait adds to the SDK's
# round trip.
_POLL_INTERVAL_SECONDS = 0.005
_POLL_INTERVAL_MAX_SECONDS = 0.02


def submit(
    db: Database,
    *,
    project: str,
    kind: str,
    model_id: str | None,
    seq_id: int | None,
    payload: bytes,
    payload_type: str,
) -> str:
    """Insert a pending request row and return its request_id."""
    with db.session() as session:
        row = repository.insert_request(
            session,
            project=project,
            kind=kind,
            model_id=model_id,
            seq_id=seq_id,
            payload=payload,
            payload_type=payload_type,
        )
        if model_id is not None:
            repository.touch_model(session, model_id=model_id)
        return row.id


def finish(db: Database, *, request_id: str, result: bytes, result_type: str) -> None:
    """Complete a future with its result ("json" or "proto" bytes)."""
    with db.session() as session:
        repository.finish_request(
            session, request_id=request_id, result=result, result_type=result_type
        )


def fail(db: Database, *, request_id: str, message: str, category: str) -> None:
    """Fail a future: `retrieve_future` answers 200 `{"error": message, "category": ...}`."""
    with db.session() as session:
        repository.fail_request(session, request_id=request_id, message=message, category=category)


def submit_failed(
    db: Database,
    *,
    project: str,
    kind: str,
    model_id: str | None,
    message: str,
    category: Category = "user",
) -> str:
    """A future that failed at submit (bad input found before any work): the SDK retries a 4xx
    on submit and then shows a vague error, so a problem the user must see goes in a future."""
    with db.session() as session:
        row = repository.insert_failed_request(
            session,
            project=project,
            kind=kind,
            model_id=model_id,
            payload=b"",
            payload_type="json",
            message=message,
            category=category,
        )
        return row.id


def future_answer(request_id: str, model_id: str | None) -> dict[str, object]:
    """The UntypedAPIFuture body a submit route returns."""
    answer: dict[str, object] = {"request_id": request_id}
    if model_id is not None:
        answer["model_id"] = model_id
    return answer


@dataclass(frozen=True)
class FutureState:
    """What `retrieve_future` answers: pending (try_again), or a result or error."""

    request_id: str
    status: str
    kind: str
    model_id: str | None
    result: bytes | None
    result_type: str | None
    error: dict[str, object] | None


def _read(db: Database, *, project: str, request_id: str) -> FutureState | None:
    with db.session() as session:
        row = repository.get_request(session, project=project, request_id=request_id)
        if row is None:
            return None
        return FutureState(
            request_id=row.id,
            status=row.status,
            kind=row.kind,
            model_id=row.model_id,
            result=row.result,
            result_type=row.result_type,
            error=dict(row.error) if row.error is not None else None,
        )


async def wait(
    db: Database, *, project: str, request_id: str, timeout_seconds: float
) -> FutureState:
    """The request's state once it is done or failed, or still pending after the timeout;
    NotFoundError for a request the project does not have."""
    deadline = time.monotonic() + timeout_seconds
    interval = _POLL_INTERVAL_SECONDS
    while True:
        state = await run_in_threadpool(_read, db, project=project, request_id=request_id)
        if state is None:
            raise NotFoundError(f"No Tinker request {request_id!r} in this project.")
        if state.status in ("done", "failed"):
            return state
        left = deadline - time.monotonic()
        if left <= 0:
            return state
        await asyncio.sleep(min(interval, left))
        interval = min(interval * 1.5, _POLL_INTERVAL_MAX_SECONDS)
