"""The background loop that outlives outages: the scheduler's ticks and the webhook sender's polls.

A database or store that is down surfaces as `ServiceUnavailableError` (service/core/db.py);
such an outage is expected and ends by itself, so it is logged once when it starts and once
when it ends, not as a traceback per round. Every other failure is a bug worth its traceback,
and the loop still goes on: one bad round must never stop training or deliveries.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable

from service.core.errors import ServiceUnavailableError


async def run_forever(
    step: Callable[[], Awaitable[object]],
    *,
    wake: asyncio.Event,
    interval: float,
    name: str,
    logger: logging.Logger,
) -> None:
    """Await `step` every `interval` seconds, or as soon as `wake` is set, until cancelled.

    The log says "<name> paused, retrying: <what is down>" when an outage starts and "<name>
    resumed" at the first step that succeeds after it.
    """
    outage: str | None = None
    while True:
        try:
            await step()
            if outage is not None:
                logger.info("%s resumed", name)
                outage = None
        except ServiceUnavailableError as exc:
            # The dependencies' own deadlines pace the retries: no backoff of our own.
            if outage is None:
                logger.warning("%s paused, retrying: %s", name, exc.message)
            outage = exc.message
        except Exception:
            logger.exception("%s failed; trying again", name)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(wake.wait(), timeout=interval)
        wake.clear()
