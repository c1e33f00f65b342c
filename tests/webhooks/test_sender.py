"""The outbox and its sender against a real receiver: signed deliveries, retries with the same
`webhook-id`, no redirects, the address re-checked at delivery time, leases that two senders
never share, and giving up after the retry window; on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import update

from service.core.config import Settings
from service.core.db import Database
from service.core.tables import WebhookDeliveryRow
from service.webhooks import operations, repository
from service.webhooks.schemas import CreateWebhookEndpointRequest
from service.webhooks.sender import WebhookSender, http_client, send_due
from tests.webhooks.contract import check_event
from tests.webhooks.receiver import Receiver, unwrap

PROJECT = "proj_a"
SUCCEEDED = "fine_tuning.job.succeeded"


def settings_for(tmp_path: Path, **values: Any) -> Settings:
    """Settings with retries due almost at once, so a test can make the next attempt now."""
    return Settings(
        data_dir=tmp_path,
        webhook_retry_initial_seconds=0.01,
        webhook_retry_max_seconds=0.02,
        webhook_timeout_seconds=3,
        **values,
    )


def endpoint(database: Database, settings: Settings, url: str, project: str = PROJECT) -> Any:
    """An endpoint subscribed to every fine-tuning event, made as the API makes it."""
    body = CreateWebhookEndpointRequest(
        name="ci", url=url, event_types=[SUCCEEDED, "fine_tuning.job.failed"]
    )
    return operations.create_endpoint(database, settings, project=project, body=body)


def emit(database: Database, job_id: str = "ftjob-1", project: str = PROJECT) -> int:
    """Record a succeeded event for `job_id`, as a transition does."""
    with database.session() as session:
        return operations.record_event(
            session, project=project, event_type=SUCCEEDED, object_id=job_id
        )


def poll(database: Database, settings: Settings, owner: str = "test-sender") -> int:
    """One sender poll; how many deliveries it attempted."""

    async def once() -> int:
        async with http_client(settings.webhook_timeout_seconds) as client:
            return await send_due(database, settings, client, owner=owner)

    return asyncio.run(once())


def deliveries(database: Database, endpoint_id: str) -> list[WebhookDeliveryRow]:
    """Every delivery of the endpoint, oldest first."""
    with database.session() as session:
        return repository.deliveries_of_endpoint(session, endpoint_id=endpoint_id)


def poll_until_idle(database: Database, settings: Settings, rounds: int = 50) -> None:
    """Poll until no delivery is pending (retries are due within milliseconds here)."""
    for _ in range(rounds):
        poll(database, settings)
        with database.session() as session:
            if not repository.due_delivery_ids(session, now_ms=2**62, limit=1):
                return
    raise AssertionError("deliveries still pending")


def test_an_event_is_delivered_once_signed_and_shaped_as_openai_describes(
    database: Database, tmp_path: Path
) -> None:
    settings = settings_for(tmp_path)
    with Receiver() as receiver:
        created = endpoint(database, settings, receiver.url)
        other = endpoint(database, settings, receiver.url, project="proj_b")
        assert emit(database) == 1
        assert poll(database, settings) == 1
        (request,) = receiver.received
    event = unwrap(request, created.signing_secret)
    assert event.type == SUCCEEDED and event.data.id == "ftjob-1"
    check_event(request.body)
    (row,) = deliveries(database, created.id)
    assert (row.status, row.attempts, row.last_status_code) == ("delivered", 1, 200)
    assert request.headers["webhook-id"] == row.id
    assert deliveries(database, other.id) == []


def test_an_error_answer_is_retried_with_the_same_id_and_body(
    database: Database, tmp_path: Path
) -> None:
    settings = settings_for(tmp_path)
    with Receiver() as receiver:
        receiver.statuses = [500, 503]
        created = endpoint(database, settings, receiver.url)
        emit(database)
        poll(database, settings)
        (row,) = deliveries(database, created.id)
        assert (row.status, row.attempts, row.last_status_code) == ("pending", 1, 500)
        poll_until_idle(database, settings)
        first, second, third = receiver.wait_for(lambda seen: len(seen) == 3)
    assert (
        first.headers["webhook-id"] == second.headers["webhook-id"] == third.headers["webhook-id"]
    )
    assert first.body == second.body == third.body
    unwrap(third, created.signing_secret)
    (row,) = deliveries(database, created.id)
    assert (row.status, row.attempts) == ("delivered", 3)


def test_a_redirect_is_not_followed_and_counts_as_a_failure(
    database: Database, tmp_path: Path
) -> None:
    settings = settings_for(tmp_path)
    with Receiver(default_status=307) as receiver, Receiver() as elsewhere:
        receiver.redirect_to = elsewhere.url
        created = endpoint(database, settings, receiver.url)
        emit(database)
        poll(database, settings)
        assert len(receiver.received) == 1 and elsewhere.received == []
    (row,) = deliveries(database, created.id)
    assert row.status == "pending" and row.last_status_code == 307
    assert "not followed" in (row.last_error or "")


def test_a_connection_failure_is_retried(database: Database, tmp_path: Path) -> None:
    settings = settings_for(tmp_path)
    with Receiver() as gone:
        url = gone.url
    created = endpoint(database, settings, url)
    emit(database)
    poll(database, settings)
    (row,) = deliveries(database, created.id)
    assert row.status == "pending" and row.last_status_code is None
    assert "connection failed" in (row.last_error or "")


def test_the_address_is_checked_again_at_delivery_time(database: Database, tmp_path: Path) -> None:
    # A name that resolved to a public address when the endpoint was saved and to loopback
    # now (DNS rebinding): the endpoint row is written directly, as if it had passed the check.
    settings = settings_for(tmp_path, api_keys_file=tmp_path / "keys.json")
    with Receiver() as receiver:
        with database.session() as session:
            row = repository.insert_endpoint(
                session,
                project=PROJECT,
                name="rebound",
                url=f"http://localhost:{receiver.port}/hook",
                event_types=[SUCCEEDED],
                signing_secret="whsec_" + "A" * 44,
            )
        emit(database)
        poll(database, settings)
        assert receiver.received == []
        (delivery,) = deliveries(database, row.id)
        assert delivery.status == "pending" and "address refused" in (delivery.last_error or "")

        allowed = settings_for(
            tmp_path, api_keys_file=tmp_path / "keys.json", webhook_allow_private_networks=True
        )
        poll_until_idle(database, allowed)
        assert len(receiver.received) == 1


def test_two_senders_never_lease_the_same_delivery(database: Database, tmp_path: Path) -> None:
    settings = settings_for(tmp_path)
    created = endpoint(database, settings, "http://127.0.0.1:9/hook")
    for i in range(24):
        emit(database, job_id=f"ftjob-{i}")
    won: dict[str, list[str]] = {}
    start = threading.Barrier(2)

    def claim(owner: str) -> None:
        start.wait()
        won[owner] = [
            delivery.id
            for _ in range(2)
            for delivery in operations.claim_due(database, owner=owner, limit=16, timeout_seconds=1)
        ]

    threads = [threading.Thread(target=claim, args=(owner,)) for owner in ("a", "b")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert set(won["a"]).isdisjoint(won["b"])
    assert sorted(won["a"] + won["b"]) == sorted(row.id for row in deliveries(database, created.id))
    # A lease that ended (its sender was killed mid-attempt) can be taken over.
    assert operations.claim_due(database, owner="c", limit=30, timeout_seconds=1) == []
    with database.session() as session:
        session.execute(update(WebhookDeliveryRow).values(lease_until_ms=0))
    assert len(operations.claim_due(database, owner="c", limit=30, timeout_seconds=1)) == 24


def test_a_delivery_is_given_up_after_the_retry_window(database: Database, tmp_path: Path) -> None:
    settings = settings_for(tmp_path, webhook_retry_window_seconds=60)
    with Receiver(default_status=500) as receiver:
        created = endpoint(database, settings, receiver.url)
        emit(database)
        with database.session() as session:
            session.execute(update(WebhookDeliveryRow).values(created_at=1))  # long ago
        poll(database, settings)
    (row,) = deliveries(database, created.id)
    assert (row.status, row.attempts) == ("failed", 1)
    assert poll(database, settings) == 0


def test_a_rotation_that_keeps_the_old_secret_signs_with_both(
    database: Database, tmp_path: Path
) -> None:
    settings = settings_for(tmp_path)
    with Receiver() as receiver:
        created = endpoint(database, settings, receiver.url)
        rotated = operations.rotate_secret(
            database, project=PROJECT, endpoint_id=created.id, keep_old_for_24_hours=True
        )
        emit(database)
        poll(database, settings)
        replaced = operations.rotate_secret(
            database, project=PROJECT, endpoint_id=created.id, keep_old_for_24_hours=False
        )
        emit(database)
        poll(database, settings)
        during, after = receiver.wait_for(lambda seen: len(seen) == 2)
    unwrap(during, created.signing_secret)
    unwrap(during, rotated.signing_secret)
    unwrap(after, replaced.signing_secret)
    with pytest.raises(Exception, match="signature"):
        unwrap(after, rotated.signing_secret)


def test_deleting_an_endpoint_drops_its_pending_deliveries(
    database: Database, tmp_path: Path
) -> None:
    settings = settings_for(tmp_path)
    created = endpoint(database, settings, "http://127.0.0.1:9/hook")
    emit(database)
    operations.delete_endpoint(database, project=PROJECT, endpoint_id=created.id)
    assert deliveries(database, created.id) == []
    assert poll(database, settings) == 0


def test_the_sender_loop_posts_what_the_outbox_holds(database: Database, tmp_path: Path) -> None:
    settings = settings_for(tmp_path)

    async def run(receiver: Receiver) -> None:
        sender = WebhookSender(settings, database, poll_seconds=0.05)
        await sender.start()
        try:
            await asyncio.to_thread(emit, database)
            await asyncio.to_thread(receiver.wait_for, lambda seen: len(seen) == 1, 10)
        finally:
            await sender.stop()

    with Receiver() as receiver:
        endpoint(database, settings, receiver.url)
        asyncio.run(run(receiver))


def test_retry_delays_grow_exponentially_with_jitter_up_to_the_cap() -> None:
    delays = [operations.retry_delay(attempt, initial=10, maximum=3600) for attempt in range(1, 12)]
    for attempt, delay in enumerate(delays, start=1):
        step = min(3600, 10 * 2 ** (attempt - 1))
        assert step / 2 <= delay <= step
    assert len({round(d, 6) for d in delays}) == len(delays)
