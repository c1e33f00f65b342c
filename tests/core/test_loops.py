"""run_forever: an outage is one warning and one recovery line; no failure stops the loop."""

from __future__ import annotations

import asyncio
import logging

import pytest

from service.core.errors import DatabaseUnavailableError
from service.core.loops import run_forever


def test_an_outage_is_logged_once_and_the_loop_goes_on_past_any_failure(
    caplog: pytest.LogCaptureFixture,
) -> None:
    # Two rounds down, one bug, then rounds that work.
    outcomes: list[BaseException | None] = [
        DatabaseUnavailableError("The database is unavailable."),
        DatabaseUnavailableError("The database is unavailable."),
        RuntimeError("a bug"),
        None,
        None,
    ]
    rounds = 0

    async def step() -> None:
        nonlocal rounds
        rounds += 1
        if rounds >= len(outcomes):
            raise asyncio.CancelledError  # enough rounds: end the loop from inside
        outcome = outcomes[rounds - 1]
        if outcome is not None:
            raise outcome

    async def main() -> None:
        with pytest.raises(asyncio.CancelledError):
            await run_forever(
                step,
                wake=asyncio.Event(),
                interval=0.001,
                name="poller",
                logger=logging.getLogger("test.loops"),
            )

    with caplog.at_level(logging.INFO, logger="test.loops"):
        asyncio.run(main())
    messages = [(record.levelname, record.getMessage()) for record in caplog.records]
    assert messages == [
        ("WARNING", "poller paused, retrying: The database is unavailable."),
        ("ERROR", "poller failed; trying again"),
        ("INFO", "poller resumed"),
    ]
    assert rounds == len(outcomes)


def test_wake_runs_the_next_step_at_once() -> None:
    async def main() -> int:
        wake = asyncio.Event()
        steps = 0

        async def step() -> None:
            nonlocal steps
            steps += 1

        task = asyncio.create_task(
            run_forever(step, wake=wake, interval=60, name="poller", logger=logging.getLogger())
        )
        await asyncio.sleep(0.01)
        wake.set()
        await asyncio.sleep(0.01)
        task.cancel()
        return steps

    assert asyncio.run(main()) == 2
