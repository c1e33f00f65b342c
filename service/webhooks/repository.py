"""Repository of webhook endpoints and their deliveries (the outbox). Endpoint queries filter
on the caller's project; the sender's queries span every project, as the scheduler's do."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, and_, delete, or_, select, update
from sqlalchemy.orm import Session

from service.core.db import rows_affected
from service.core.errors import NotFoundError
from service.core.ids import new_id, now
from service.core.pagination import cursor_page
from service.core.tables import WebhookDeliveryRow, WebhookEndpointRow

ENDPOINT_ID_PREFIX = "whep_"
DELIVERY_ID_PREFIX = "wh_"
EVENT_ID_PREFIX = "evt_"

PENDING, DELIVERED, FAILED = "pending", "delivered", "failed"


# -- endpoints ---------------------------------------------------------------------------------


def insert_endpoint(
    session: Session,
    *,
    project: str,
    name: str,
    url: str,
    event_types: list[str],
    signing_secret: str,
) -> WebhookEndpointRow:
    """Insert an endpoint row."""
    created = now()
    row = WebhookEndpointRow(
        id=new_id(ENDPOINT_ID_PREFIX),
        project=project,
        name=name,
        url=url,
        event_types=event_types,
        signing_secret=signing_secret,
        created_at=created,
        updated_at=created,
    )
    session.add(row)
    session.flush()
    return row


def get_endpoint(session: Session, *, project: str, endpoint_id: str) -> WebhookEndpointRow:
    """The endpoint `endpoint_id` of `project`; NotFoundError when absent or foreign."""
    row = session.scalar(
        select(WebhookEndpointRow).where(
            WebhookEndpointRow.id == endpoint_id, WebhookEndpointRow.project == project
        )
    )
    if row is None:
        raise NotFoundError(f"No such webhook endpoint: {endpoint_id}", param="webhook_endpoint_id")
    return row


def list_endpoints(
    session: Session, *, project: str, limit: int, after: str | None
) -> tuple[list[WebhookEndpointRow], bool]:
    """One page of the project's endpoints, newest first, and whether more follow."""
    query = select(WebhookEndpointRow).where(WebhookEndpointRow.project == project)
    return cursor_page(
        session,
        query,
        seq=WebhookEndpointRow.seq,
        after=after,
        cursor=select(WebhookEndpointRow.seq).where(
            WebhookEndpointRow.id == after, WebhookEndpointRow.project == project
        ),
        missing=f"No such webhook endpoint for 'after': {after}",
        limit=limit,
    )


def update_endpoint(session: Session, *, endpoint_id: str, values: dict[str, Any]) -> None:
    """Set `values` on the endpoint."""
    session.execute(
        update(WebhookEndpointRow)
        .where(WebhookEndpointRow.id == endpoint_id)
        .values(**values)
        .execution_options(synchronize_session=False)
    )


def delete_endpoint(session: Session, *, project: str, endpoint_id: str) -> None:
    """Remove the endpoint and every delivery of it, pending ones included."""
    row = get_endpoint(session, project=project, endpoint_id=endpoint_id)
    session.execute(delete(WebhookDeliveryRow).where(WebhookDeliveryRow.endpoint_id == row.id))
    session.execute(delete(WebhookEndpointRow).where(WebhookEndpointRow.seq == row.seq))


def subscribed_endpoints(
    session: Session, *, project: str, event_type: str
) -> list[WebhookEndpointRow]:
    """The project's endpoints that subscribe to `event_type`."""
    # A project has a handful of endpoints, and "JSON array contains" is spelled differently
    # by every database: filter here rather than in SQL.
    rows = session.scalars(
        select(WebhookEndpointRow)
        .where(WebhookEndpointRow.project == project)
        .order_by(WebhookEndpointRow.seq)
    )
    return [row for row in rows if event_type in row.event_types]


# -- deliveries --------------------------------------------------------------------------------


def insert_delivery(
    session: Session,
    *,
    endpoint_id: str,
    project: str,
    event_id: str,
    event_type: str,
    payload: str,
    created_at: int,
    next_attempt_ms: int,
) -> WebhookDeliveryRow:
    """Insert a pending delivery, due at `next_attempt_ms`."""
    row = WebhookDeliveryRow(
        id=new_id(DELIVERY_ID_PREFIX, 32),
        endpoint_id=endpoint_id,
        project=project,
        event_id=event_id,
        event_type=event_type,
        payload=payload,
        status=PENDING,
        attempts=0,
        created_at=created_at,
        next_attempt_ms=next_attempt_ms,
    )
    session.add(row)
    session.flush()
    return row


def _due(now_ms: int) -> ColumnElement[bool]:
    return and_(
        WebhookDeliveryRow.status == PENDING,
        WebhookDeliveryRow.next_attempt_ms <= now_ms,
        or_(
            WebhookDeliveryRow.lease_until_ms.is_(None), WebhookDeliveryRow.lease_until_ms <= now_ms
        ),
    )


def due_delivery_ids(session: Session, *, now_ms: int, limit: int) -> list[str]:
    """Ids of pending deliveries due by `now_ms` that no live lease holds, oldest due first."""
    query = (
        select(WebhookDeliveryRow.id)
        .where(_due(now_ms))
        .order_by(WebhookDeliveryRow.next_attempt_ms, WebhookDeliveryRow.seq)
        .limit(limit)
    )
    return list(session.scalars(query))


def claim_delivery(
    session: Session, *, delivery_id: str, owner: str, now_ms: int, lease_until_ms: int
) -> bool:
    """Lease one due delivery to `owner` and count the attempt it is about to make; True when
    this call won it.

    One UPDATE whose WHERE re-checks that the delivery is still due and unleased: of two
    senders racing for it, exactly one matches (SQLite serialises writers; PostgreSQL
    re-evaluates the WHERE on the row the winner committed).
    """
    result = session.execute(
        update(WebhookDeliveryRow)
        .where(WebhookDeliveryRow.id == delivery_id, _due(now_ms))
        .values(
            lease_owner=owner,
            lease_until_ms=lease_until_ms,
            attempts=WebhookDeliveryRow.attempts + 1,
        )
        .execution_options(synchronize_session=False)
    )
    # Session.execute is typed to return a Result; a DML statement's is a CursorResult.
    updated = rows_affected(result)
    return updated == 1


def leased_deliveries(
    session: Session, *, delivery_ids: list[str], owner: str
) -> list[tuple[WebhookDeliveryRow, WebhookEndpointRow]]:
    """The deliveries `owner` holds among `delivery_ids`, each with its endpoint."""
    if not delivery_ids:
        return []
    query = (
        select(WebhookDeliveryRow, WebhookEndpointRow)
        .join(WebhookEndpointRow, WebhookEndpointRow.id == WebhookDeliveryRow.endpoint_id)
        .where(WebhookDeliveryRow.id.in_(delivery_ids), WebhookDeliveryRow.lease_owner == owner)
        .order_by(WebhookDeliveryRow.next_attempt_ms, WebhookDeliveryRow.seq)
    )
    return [(row[0], row[1]) for row in session.execute(query).all()]


def finish_attempt(
    session: Session, *, delivery_id: str, owner: str, values: dict[str, Any]
) -> bool:
    """Record an attempt's outcome and release the lease, if `owner` still holds it."""
    result = session.execute(
        update(WebhookDeliveryRow)
        .where(
            WebhookDeliveryRow.id == delivery_id,
            WebhookDeliveryRow.status == PENDING,
            WebhookDeliveryRow.lease_owner == owner,
        )
        .values(lease_owner=None, lease_until_ms=None, **values)
        .execution_options(synchronize_session=False)
    )
    # Session.execute is typed to return a Result; a DML statement's is a CursorResult.
    updated = rows_affected(result)
    return updated == 1


def deliveries_of_endpoint(session: Session, *, endpoint_id: str) -> list[WebhookDeliveryRow]:
    """Every delivery of an endpoint, oldest first."""
    return list(
        session.scalars(
            select(WebhookDeliveryRow)
            .where(WebhookDeliveryRow.endpoint_id == endpoint_id)
            .order_by(WebhookDeliveryRow.seq)
        )
    )
