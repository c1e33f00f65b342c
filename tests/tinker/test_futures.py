"""Futures on request rows: submit, finish, fail, and the long poll that answers pending."""

from __future__ import annotations

import asyncio
import threading

from service.core.db import Database
from service.tinker import futures


def _submit(db: Database, project: str = "p") -> str:
    return futures.submit(
        db,
        project=project,
        kind="optim_step",
        model_id=None,
        seq_id=None,
        payload=b"{}",
        payload_type="json",
    )


def test_a_pending_future_stays_pending_through_the_long_poll(database: Database) -> None:
    request_id = _submit(database)
    state = asyncio.run(
        futures.wait(database, project="p", request_id=request_id, timeout_seconds=0.05)
    )
    assert (state.request_id, state.status, state.result) == (request_id, "pending", None)


def test_the_long_poll_returns_the_result_once_it_is_finished(database: Database) -> None:
    request_id = _submit(database)
    started = threading.Event()

    async def poll() -> futures.FutureState:
        started.set()
        return await futures.wait(database, project="p", request_id=request_id, timeout_seconds=30)

    def finish() -> None:
        started.wait()
        futures.finish(database, request_id=request_id, result=b"\x08\x01", result_type="proto")

    finisher = threading.Thread(target=finish)
    finisher.start()
    state = asyncio.run(poll())
    finisher.join()
    assert (state.status, state.result, state.result_type) == ("done", b"\x08\x01", "proto")


def test_a_failed_future_holds_tinkers_error(database: Database) -> None:
    request_id = _submit(database)
    futures.fail(database, request_id=request_id, message="bad loss 'x'", category="user")
    state = asyncio.run(
        futures.wait(database, project="p", request_id=request_id, timeout_seconds=0)
    )
    assert state.status == "failed"
    assert state.error == {"error": "bad loss 'x'", "category": "user"}


def test_another_projects_future_does_not_exist(database: Database) -> None:
    request_id = _submit(database, project="other")
    try:
        asyncio.run(futures.wait(database, project="p", request_id=request_id, timeout_seconds=0))
    except Exception as exc:
        assert type(exc).__name__ == "NotFoundError"
    else:
        raise AssertionError("another project's future was visible")
    assert futures.future_answer(request_id, None) == {"request_id": request_id}
    assert futures.future_answer(request_id, "s:train:0") == {
        "request_id": request_id,
        "model_id": "s:train:0",
    }
