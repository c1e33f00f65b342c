"""Webhooks domain: endpoints (checked, per project), events written to the outbox in the
caller's transaction, and the bookkeeping of each delivery attempt.

Invariants:
- An event is recorded by `record_event` inside the transaction of the change it reports
  (fine_tuning/transitions.py calls it from `_move`): the change and its deliveries commit
  together or not at all, so a crash can neither lose an event nor invent one.
- A delivery's id is its `webhook-id` on every attempt, and its body never changes, so a
  receiver deduplicates retries (delivery is at-least-once: a sender that dies after the
  receiver answered, before recording it, sends again).
- All delivery state is in the database; a sender holds a delivery only through a lease that
  ends by itself, so a killed process delays a delivery by at most one lease.
"""

from __future__ import annotations

import json
import logging
import random
import time
from dataclasses import dataclass

from sqlalchemy.orm import Session

from service.core.config import Settings
from service.core.db import Database
from service.core.errors import InvalidRequestError
from service.core.ids import new_id, now, random_token
from service.core.tables import WebhookEndpointRow
from service.webhooks import addresses, repository, signing
from service.webhooks.schemas import (
    EMITTED_EVENT_TYPES,
    CreateWebhookEndpointRequest,
    DeletedWebhookEndpoint,
    UpdateWebhookEndpointRequest,
    WebhookEndpoint,
    WebhookEndpointList,
    WebhookEndpointWithSecret,
    WebhookEvent,
    WebhookEventData,
    WebhookEventTypeList,
)

logger = logging.getLogger("whetstone.webhooks")

OLD_SECRET_GRACE_SECONDS = 24 * 3600
# How long past its deadline an attempt's lease lasts: time to record the outcome.
LEASE_MARGIN_SECONDS = 5.0
MAX_ERROR_CHARS = 1000


def now_ms() -> int:
    """Unix milliseconds: the clock of delivery scheduling (retries may be sub-second)."""
    return int(time.time() * 1000)


# -- endpoints ---------------------------------------------------------------------------------


def as_webhook_endpoint(row: WebhookEndpointRow) -> WebhookEndpoint:
    """The wire object for an endpoint row (its secret only as a hint)."""
    return WebhookEndpoint(
        id=row.id,
        created_at=row.created_at,
        updated_at=row.updated_at,
        event_types=list(row.event_types),
        name=row.name,
        url=row.url,
        signing_secret_hint=signing.secret_hint(row.signing_secret),
    )


def as_webhook_endpoint_with_secret(row: WebhookEndpointRow) -> WebhookEndpointWithSecret:
    """The wire object with the secret itself: for create and rotate_secret alone."""
    return WebhookEndpointWithSecret(
        **as_webhook_endpoint(row).model_dump(), signing_secret=row.signing_secret
    )


def event_types() -> WebhookEventTypeList:
    """The event types an endpoint may subscribe to."""
    return WebhookEventTypeList(data=list(EMITTED_EVENT_TYPES))


def check_event_type(event_type: str, *, param: str) -> None:
    """InvalidRequestError unless Whetstone emits `event_type`."""
    if event_type not in EMITTED_EVENT_TYPES:
        raise InvalidRequestError(
            f"Invalid '{param}': {event_type!r} is not an event type Whetstone emits; "
            f"supported: {', '.join(EMITTED_EVENT_TYPES)}.",
            param=param,
            code="invalid_value",
        )


def _event_types(requested: list[str]) -> list[str]:
    for event_type in requested:
        check_event_type(event_type, param="event_types")
    return list(dict.fromkeys(requested))  # duplicates once, in the order given


def check_url(url: str, settings: Settings) -> None:
    """400 (param `url`) for a URL a webhook may not use: not http(s), or, where private
    networks are refused, a host that does not resolve or resolves to a private address.
    Blocking (DNS); routers call it from the threadpool."""
    try:
        target = addresses.parse_target(url)
        if addresses.guarded(settings):
            addresses.resolve(target, guarded=True)
    except (ValueError, addresses.AddressRefused) as exc:
        raise InvalidRequestError(
            f"Invalid 'url': {exc}.", param="url", code="invalid_url"
        ) from exc


def create_endpoint(
    db: Database, settings: Settings, *, project: str, body: CreateWebhookEndpointRequest
) -> WebhookEndpointWithSecret:
    """A new endpoint of `project`, answered with its signing secret (shown this once)."""
    types = _event_types(body.event_types)
    check_url(body.url, settings)
    with db.session() as session:
        row = repository.insert_endpoint(
            session,
            project=project,
            name=body.name,
            url=body.url,
            event_types=types,
            signing_secret=signing.new_secret(),
        )
        return as_webhook_endpoint_with_secret(row)


def get_endpoint(db: Database, *, project: str, endpoint_id: str) -> WebhookEndpoint:
    """One endpoint of `project`."""
    with db.session() as session:
        return as_webhook_endpoint(
            repository.get_endpoint(session, project=project, endpoint_id=endpoint_id)
        )


def list_endpoints(
    db: Database, *, project: str, limit: int, after: str | None
) -> WebhookEndpointList:
    """One page of the project's endpoints, newest first."""
    with db.session() as session:
        rows, has_more = repository.list_endpoints(
            session, project=project, limit=limit, after=after
        )
        return WebhookEndpointList.page(
            [as_webhook_endpoint(row) for row in rows], has_more=has_more
        )


def update_endpoint(
    db: Database,
    settings: Settings,
    *,
    project: str,
    endpoint_id: str,
    body: UpdateWebhookEndpointRequest,
) -> WebhookEndpoint:
    """Change the fields given; `updated_at` moves only when something did change."""
    changes: dict[str, object] = {}
    if body.event_types is not None:
        changes["event_types"] = _event_types(body.event_types)
    if body.name is not None:
        changes["name"] = body.name
    if body.url is not None:
        check_url(body.url, settings)
        changes["url"] = body.url
    with db.session() as session:
        row = repository.get_endpoint(session, project=project, endpoint_id=endpoint_id)
        changed = {key: value for key, value in changes.items() if getattr(row, key) != value}
        if changed:
            repository.update_endpoint(
                session, endpoint_id=row.id, values={**changed, "updated_at": now()}
            )
            session.expire(row)
        return as_webhook_endpoint(
            repository.get_endpoint(session, project=project, endpoint_id=endpoint_id)
        )


def delete_endpoint(db: Database, *, project: str, endpoint_id: str) -> DeletedWebhookEndpoint:
    """Delete the endpoint; its pending deliveries are dropped with it."""
    with db.session() as session:
        repository.delete_endpoint(session, project=project, endpoint_id=endpoint_id)
    return DeletedWebhookEndpoint(id=endpoint_id, deleted=True)


def rotate_secret(
    db: Database, *, project: str, endpoint_id: str, keep_old_for_24_hours: bool
) -> WebhookEndpointWithSecret:
    """A new signing secret; the old one stops signing at once, or after 24 hours."""
    with db.session() as session:
        row = repository.get_endpoint(session, project=project, endpoint_id=endpoint_id)
        moment = now()
        repository.update_endpoint(
            session,
            endpoint_id=row.id,
            values={
                "signing_secret": signing.new_secret(),
                "previous_signing_secret": row.signing_secret if keep_old_for_24_hours else None,
                "previous_secret_expires_at": moment + OLD_SECRET_GRACE_SECONDS
                if keep_old_for_24_hours
                else None,
                "updated_at": moment,
            },
        )
        session.expire(row)
        return as_webhook_endpoint_with_secret(
            repository.get_endpoint(session, project=project, endpoint_id=endpoint_id)
        )


def signing_secrets(row: WebhookEndpointRow, *, at: int) -> list[str]:
    """The secrets a delivery is signed with at `at`: the current one, and the previous one
    while a rotation keeps it."""
    keys = [row.signing_secret]
    if (
        row.previous_signing_secret is not None
        and row.previous_secret_expires_at is not None
        and at < row.previous_secret_expires_at
    ):
        keys.append(row.previous_signing_secret)
    return keys


# -- events ------------------------------------------------------------------------------------


def event_body(*, event_id: str, event_type: str, created_at: int, object_id: str) -> str:
    """The JSON body of an event, exactly as delivered (and signed)."""
    event = WebhookEvent(
        id=event_id, created_at=created_at, type=event_type, data=WebhookEventData(id=object_id)
    )
    return json.dumps(event.model_dump(mode="json"), separators=(",", ":"))


def record_event(session: Session, *, project: str, event_type: str, object_id: str) -> int:
    """Write one delivery per subscribed endpoint of `project` into the outbox, in the
    caller's transaction; how many were written. Due at once."""
    if event_type not in EMITTED_EVENT_TYPES:
        raise ValueError(f"{event_type} is not in EMITTED_EVENT_TYPES")
    endpoints = repository.subscribed_endpoints(session, project=project, event_type=event_type)
    if not endpoints:
        return 0
    event_id, created_at, due = new_id("evt_"), now(), now_ms()
    payload = event_body(
        event_id=event_id, event_type=event_type, created_at=created_at, object_id=object_id
    )
    for endpoint in endpoints:
        repository.insert_delivery(
            session,
            endpoint_id=endpoint.id,
            project=project,
            event_id=event_id,
            event_type=event_type,
            payload=payload,
            created_at=created_at,
            next_attempt_ms=due,
        )
    return len(endpoints)


def sample_event(event_type: str) -> tuple[str, str]:
    """A sample event of `event_type` for the `test` call: its webhook-id and body."""
    body = event_body(
        event_id=new_id("evt_"),
        event_type=event_type,
        created_at=now(),
        object_id=f"ftjob-test{random_token(20)}",
    )
    return new_id(repository.DELIVERY_ID_PREFIX, 32), body


def endpoint_for_test(
    db: Database, *, project: str, endpoint_id: str, event_type: str
) -> WebhookEndpointRow:
    """The endpoint a test event goes to, after checking the event type."""
    check_event_type(event_type, param="event_type")
    with db.session() as session:
        return repository.get_endpoint(session, project=project, endpoint_id=endpoint_id)


# -- delivery attempts (the sender) ------------------------------------------------------------


@dataclass(frozen=True)
class LeasedDelivery:
    """A delivery a sender holds for one attempt, with what the attempt needs."""

    id: str
    endpoint_id: str
    event_type: str
    url: str
    payload: str
    secrets: list[str]
    attempt: int
    created_at: int


def claim_due(
    db: Database, *, owner: str, limit: int, timeout_seconds: float
) -> list[LeasedDelivery]:
    """Lease up to `limit` due deliveries to `owner`, each for one attempt of at most
    `timeout_seconds`; safe with any number of senders on one database."""
    moment = now_ms()
    lease_until = moment + int((timeout_seconds + LEASE_MARGIN_SECONDS) * 1000)
    with db.session() as session:
        candidates = repository.due_delivery_ids(session, now_ms=moment, limit=limit)
        won = [
            delivery_id
            for delivery_id in candidates
            if repository.claim_delivery(
                session,
                delivery_id=delivery_id,
                owner=owner,
                now_ms=moment,
                lease_until_ms=lease_until,
            )
        ]
        held = repository.leased_deliveries(session, delivery_ids=won, owner=owner)
        at = now()
        return [
            LeasedDelivery(
                id=delivery.id,
                endpoint_id=endpoint.id,
                event_type=delivery.event_type,
                url=endpoint.url,
                payload=delivery.payload,
                secrets=signing_secrets(endpoint, at=at),
                attempt=delivery.attempts,
                created_at=delivery.created_at,
            )
            for delivery, endpoint in held
        ]


def retry_delay(
    attempt: int, *, initial: float, maximum: float, rng: random.Random | None = None
) -> float:
    """Seconds to wait after failed attempt number `attempt` (1-based): exponential, capped,
    with jitter (between half and all of the step) so that many failed deliveries to one
    receiver coming back do not retry in lockstep."""
    # typeshed leaves `2 ** n` untyped (a negative n would make it a float).
    step: float = min(maximum, initial * 2 ** min(attempt - 1, 62))
    return step / 2 + (rng or random).random() * step / 2


def record_attempt(
    db: Database,
    settings: Settings,
    delivery: LeasedDelivery,
    *,
    owner: str,
    status_code: int | None,
    error: str | None,
) -> str:
    """Record one attempt's outcome and log it; the delivery's status afterwards
    (`delivered`, `pending` for a retry, `failed` once the retry window is spent)."""
    moment = now()
    values: dict[str, object] = {
        "last_attempt_at": moment,
        "last_status_code": status_code,
        "last_error": error[:MAX_ERROR_CHARS] if error else None,
    }
    what = "; ".join(part for part in (status_code and f"HTTP {status_code}", error) if part)
    delay: float | None = None
    if error is None and status_code is not None and 200 <= status_code < 300:
        outcome = repository.DELIVERED
        values.update(status=outcome, finished_at=moment)
    else:
        delay = retry_delay(
            delivery.attempt,
            initial=settings.webhook_retry_initial_seconds,
            maximum=settings.webhook_retry_max_seconds,
        )
        if moment + delay > delivery.created_at + settings.webhook_retry_window_seconds:
            outcome = repository.FAILED
            values.update(status=outcome, finished_at=moment)
        else:
            outcome = repository.PENDING
            values["next_attempt_ms"] = now_ms() + int(delay * 1000)
    with db.session() as session:
        recorded = repository.finish_attempt(
            session, delivery_id=delivery.id, owner=owner, values=values
        )
    where = f"webhook {delivery.id} ({delivery.event_type}) to {delivery.url}"
    if outcome == repository.DELIVERED:
        logger.info("%s: attempt %d delivered (%s)", where, delivery.attempt, what)
    elif outcome == repository.PENDING:
        logger.warning(
            "%s: attempt %d failed (%s); retrying in %.1f s",
            where,
            delivery.attempt,
            what,
            delay,
        )
    else:
        logger.error(
            "%s: attempt %d failed (%s); giving up after %d attempts over the retry window",
            where,
            delivery.attempt,
            what,
            delivery.attempt,
        )
    if not recorded:
        logger.warning(
            "%s: the lease ended before attempt %d was recorded", where, delivery.attempt
        )
    return outcome
