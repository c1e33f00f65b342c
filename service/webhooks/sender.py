"""The webhook sender: an asyncio loop that posts due deliveries from the outbox.

It runs in the process whose scheduler runs its loop (the scheduler starts and stops it), so
one per database, as the scheduler is; a second one would still be safe, since every attempt
is claimed with a lease (webhooks/repository.py, `claim_delivery`). Every poll it leases the
due deliveries, posts them concurrently, and records each outcome: 2xx delivers, anything
else (another status, a refused address, a connection failure, a timeout) is retried with
exponential backoff and jitter until the retry window (72 hours) is spent. Redirects are
never followed. Database calls run in threads, as the scheduler's do.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import httpx

from service.core.config import Settings
from service.core.db import Database
from service.core.errors import InvalidRequestError
from service.core.ids import now, random_token
from service.core.loops import run_forever
from service.webhooks import addresses, operations, signing
from service.webhooks.schemas import WebhookEndpointTestResult

logger = logging.getLogger("whetstone.webhooks")

USER_AGENT = "Whetstone-Webhooks/1.0"
# Deliveries leased per poll, and so posted at once at most.
BATCH = 16


@dataclass(frozen=True)
class Attempt:
    """What one POST to a receiver came to: its status code, or why there is none, or both
    (a redirect, which is never followed)."""

    status_code: int | None
    error: str | None


def http_client(timeout_seconds: float) -> httpx.AsyncClient:
    """The client deliveries go through: no redirects, and no proxy from the environment (a
    proxy would connect to the name itself, past the address check)."""
    return httpx.AsyncClient(
        timeout=httpx.Timeout(timeout_seconds),
        follow_redirects=False,
        trust_env=False,
        # Requests name the checked IP, so the pool would key connections by IP alone: a TLS
        # connection made for one host name could then serve another on the same address.
        limits=httpx.Limits(max_keepalive_connections=0),
        headers={"user-agent": USER_AGENT, "content-type": "application/json"},
    )


async def post_event(
    client: httpx.AsyncClient,
    *,
    url: str,
    webhook_id: str,
    body: str,
    secrets: Iterable[str],
    guarded: bool,
    timeout_seconds: float,
) -> Attempt:
    """POST one signed event to `url`, connecting only to addresses that pass the check.

    The name is resolved once, here; the request then goes to each checked address in turn
    (the next one only when connecting fails), with the original Host header and TLS server
    name, so the connection cannot land anywhere the check did not see.
    """
    try:
        target = addresses.parse_target(url)
    except ValueError as exc:
        return Attempt(None, f"invalid URL: {exc}")
    original = httpx.URL(url)
    payload = body.encode()
    try:
        async with asyncio.timeout(timeout_seconds):
            resolved = await addresses.resolve_async(target, guarded=guarded)
            headers = {
                "host": original.netloc.decode("ascii"),
                **signing.signed_headers(
                    secrets, webhook_id=webhook_id, timestamp=now(), body=payload
                ),
            }
            extensions = (
                {"sni_hostname": original.raw_host.decode("ascii")}
                if target.scheme == "https"
                else {}
            )
            failure: Exception | None = None
            for address in resolved:
                request = client.build_request(
                    "POST",
                    original.copy_with(host=address),
                    content=payload,
                    headers=headers,
                    extensions=extensions,
                )
                try:
                    # Streamed and closed unread: a receiver's body is never needed, and a
                    # huge one must not be buffered.
                    response = await client.send(request, stream=True)
                    await response.aclose()
                except httpx.ConnectError as exc:
                    failure = exc
                    continue
                if response.is_redirect:
                    location = response.headers.get("location", "")
                    return Attempt(response.status_code, f"redirect to {location!r} not followed")
                return Attempt(response.status_code, None)
            return Attempt(None, f"connection failed: {failure}")
    except addresses.AddressRefused as exc:
        return Attempt(None, f"address refused: {exc}")
    except TimeoutError:
        return Attempt(None, f"no answer within {timeout_seconds:g} s")
    except httpx.HTTPError as exc:
        return Attempt(None, f"{type(exc).__name__}: {exc}")


class WebhookSender:
    """Posts the outbox's due deliveries until stopped; all its state is in the database."""

    def __init__(
        self,
        settings: Settings,
        db: Database,
        *,
        poll_seconds: float = 1.0,
        on_outcome: Callable[[str], None] | None = None,
    ):
        self.settings, self.db = settings, db
        self.poll_seconds = poll_seconds
        # Told each attempt's resulting status (the metrics' delivery outcomes).
        self.on_outcome = on_outcome
        self.owner = f"webhooks-{os.getpid()}-{random_token(8)}"
        self._task: asyncio.Task[None] | None = None
        self._client: httpx.AsyncClient | None = None
        self._wake: asyncio.Event | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    async def start(self) -> None:
        """Start the loop (deliveries a previous process left pending are due at once)."""
        self._loop = asyncio.get_running_loop()
        self._wake = asyncio.Event()
        self._client = http_client(self.settings.webhook_timeout_seconds)
        self._task = asyncio.create_task(self._run(), name="whetstone-webhooks")

    async def stop(self) -> None:
        """Stop the loop; an attempt cut short is retried once its lease ends."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        if self._client is not None:
            await self._client.aclose()
            self._client = None

    def wake(self) -> None:
        """Poll now (thread-safe)."""
        if self._loop is not None and self._wake is not None and not self._loop.is_closed():
            self._loop.call_soon_threadsafe(self._wake.set)

    async def _run(self) -> None:
        assert self._wake is not None
        await run_forever(
            self._send_all_due,
            wake=self._wake,
            interval=self.poll_seconds,
            name="webhook sender",
            logger=logger,
        )

    async def _send_all_due(self) -> None:
        while await self.send_due() == BATCH:
            pass  # a full batch: more may be due

    async def send_due(self) -> int:
        """One poll now: see `send_due`."""
        assert self._client is not None
        return await send_due(
            self.db, self.settings, self._client, owner=self.owner, on_outcome=self.on_outcome
        )


async def send_due(
    db: Database,
    settings: Settings,
    client: httpx.AsyncClient,
    *,
    owner: str,
    on_outcome: Callable[[str], None] | None = None,
) -> int:
    """Lease the due deliveries to `owner`, make one attempt at each (concurrently), record
    every outcome; how many were attempted."""
    leased = await asyncio.to_thread(
        operations.claim_due,
        db,
        owner=owner,
        limit=BATCH,
        timeout_seconds=settings.webhook_timeout_seconds,
    )

    async def attempt(delivery: operations.LeasedDelivery) -> None:
        outcome = await post_event(
            client,
            url=delivery.url,
            webhook_id=delivery.id,
            body=delivery.payload,
            secrets=delivery.secrets,
            guarded=addresses.guarded(settings),
            timeout_seconds=settings.webhook_timeout_seconds,
        )
        status = await asyncio.to_thread(
            operations.record_attempt,
            db,
            settings,
            delivery,
            owner=owner,
            status_code=outcome.status_code,
            error=outcome.error,
        )
        if on_outcome is not None:
            on_outcome(status)

    await asyncio.gather(*(attempt(delivery) for delivery in leased))
    return len(leased)


async def send_test(
    db: Database, settings: Settings, *, project: str, endpoint_id: str, event_type: str
) -> WebhookEndpointTestResult:
    """Send a sample event of `event_type` to the endpoint now, once, and say what it answered;
    400 when it could not be delivered at all (no answer, or an address refused)."""
    endpoint = await asyncio.to_thread(
        operations.endpoint_for_test,
        db,
        project=project,
        endpoint_id=endpoint_id,
        event_type=event_type,
    )
    webhook_id, body = operations.sample_event(event_type)
    async with http_client(settings.webhook_timeout_seconds) as client:
        attempt = await post_event(
            client,
            url=endpoint.url,
            webhook_id=webhook_id,
            body=body,
            secrets=operations.signing_secrets(endpoint, at=now()),
            guarded=addresses.guarded(settings),
            timeout_seconds=settings.webhook_timeout_seconds,
        )
    logger.info(
        "webhook test %s (%s) to %s: %s",
        webhook_id,
        event_type,
        endpoint.url,
        attempt.error or f"HTTP {attempt.status_code}",
    )
    if attempt.status_code is None:
        raise InvalidRequestError(
            f"The test event could not be delivered to {endpoint.url}: {attempt.error}.",
            param="url",
            code="webhook_delivery_failed",
        )
    return WebhookEndpointTestResult(
        webhook_endpoint_id=endpoint.id, event_type=event_type, status_code=attempt.status_code
    )
