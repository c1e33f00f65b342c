"""Router for /v1/webhook_endpoints and /v1/webhook_event_types: parse, call the slice's
operations, return the wire model."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Query

from service.core.openapi import error_responses
from service.deps import DatabaseDep, PrincipalDep, SettingsDep
from service.webhooks import operations, sender
from service.webhooks.schemas import (
    CreateWebhookEndpointRequest,
    DeletedWebhookEndpoint,
    RotateWebhookSecretRequest,
    TestWebhookEndpointRequest,
    UpdateWebhookEndpointRequest,
    WebhookEndpoint,
    WebhookEndpointList,
    WebhookEndpointTestResult,
    WebhookEndpointWithSecret,
    WebhookEventTypeList,
)

router = APIRouter(tags=["webhooks"])

ERRORS = error_responses(
    {
        400: "Invalid request: an event type Whetstone does not emit, or a URL it may not use",
        401: "Missing or unknown API key",
        404: "No such webhook endpoint in the caller's project",
    }
)


@router.post(
    "/webhook_endpoints",
    operation_id="webhook_endpoints-create",
    summary="Create a webhook endpoint",
    response_model=WebhookEndpointWithSecret,
    responses=ERRORS,
)
def create_webhook_endpoint(
    body: CreateWebhookEndpointRequest,
    principal: PrincipalDep,
    db: DatabaseDep,
    settings: SettingsDep,
) -> WebhookEndpointWithSecret:
    """A new endpoint, with its signing secret (returned only here and by rotate_secret)."""
    # A sync endpoint: the URL check may resolve a name, off the event loop.
    return operations.create_endpoint(db, settings, project=principal.project, body=body)


@router.get(
    "/webhook_endpoints",
    operation_id="webhook_endpoints-list",
    summary="List webhook endpoints, newest first",
    response_model=WebhookEndpointList,
    responses=ERRORS,
)
def list_webhook_endpoints(
    principal: PrincipalDep,
    db: DatabaseDep,
    limit: Annotated[int, Query(ge=1, le=100, description="Page size, 1 to 100.")] = 20,
    after: Annotated[
        str | None, Query(description="ID of the last webhook endpoint of the previous page.")
    ] = None,
) -> WebhookEndpointList:
    """One page of the caller's endpoints."""
    return operations.list_endpoints(db, project=principal.project, limit=limit, after=after)


@router.get(
    "/webhook_endpoints/{webhook_endpoint_id}",
    operation_id="webhook_endpoints-retrieve",
    summary="Retrieve a webhook endpoint",
    response_model=WebhookEndpoint,
    responses=ERRORS,
)
def retrieve_webhook_endpoint(
    principal: PrincipalDep, db: DatabaseDep, webhook_endpoint_id: str
) -> WebhookEndpoint:
    """The endpoint, its secret as a hint."""
    return operations.get_endpoint(db, project=principal.project, endpoint_id=webhook_endpoint_id)


@router.post(
    "/webhook_endpoints/{webhook_endpoint_id}",
    operation_id="webhook_endpoints-update",
    summary="Update a webhook endpoint",
    response_model=WebhookEndpoint,
    responses=ERRORS,
)
def update_webhook_endpoint(
    webhook_endpoint_id: str,
    body: UpdateWebhookEndpointRequest,
    principal: PrincipalDep,
    db: DatabaseDep,
    settings: SettingsDep,
) -> WebhookEndpoint:
    """Change the name, URL or event types given."""
    return operations.update_endpoint(
        db, settings, project=principal.project, endpoint_id=webhook_endpoint_id, body=body
    )


@router.delete(
    "/webhook_endpoints/{webhook_endpoint_id}",
    operation_id="webhook_endpoints-delete",
    summary="Delete a webhook endpoint",
    response_model=DeletedWebhookEndpoint,
    responses=ERRORS,
)
def delete_webhook_endpoint(
    principal: PrincipalDep, db: DatabaseDep, webhook_endpoint_id: str
) -> DeletedWebhookEndpoint:
    """Delete the endpoint and drop its pending deliveries; a second delete answers 404."""
    return operations.delete_endpoint(
        db, project=principal.project, endpoint_id=webhook_endpoint_id
    )


@router.post(
    "/webhook_endpoints/{webhook_endpoint_id}/rotate_secret",
    operation_id="webhook_endpoints-rotate_secret",
    summary="Rotate a webhook endpoint's signing secret",
    response_model=WebhookEndpointWithSecret,
    responses=ERRORS,
)
def rotate_webhook_secret(
    webhook_endpoint_id: str,
    principal: PrincipalDep,
    db: DatabaseDep,
    body: Annotated[RotateWebhookSecretRequest | None, Body()] = None,
) -> WebhookEndpointWithSecret:
    """A new signing secret, returned this once."""
    return operations.rotate_secret(
        db,
        project=principal.project,
        endpoint_id=webhook_endpoint_id,
        keep_old_for_24_hours=body is not None and body.keep_old_secret_active_for_24_hours,
    )


@router.post(
    "/webhook_endpoints/{webhook_endpoint_id}/test",
    operation_id="webhook_endpoints-test",
    summary="Send a sample event to a webhook endpoint now",
    response_model=WebhookEndpointTestResult,
    responses=ERRORS,
)
async def send_webhook_test(
    webhook_endpoint_id: str,
    body: TestWebhookEndpointRequest,
    principal: PrincipalDep,
    db: DatabaseDep,
    settings: SettingsDep,
) -> WebhookEndpointTestResult:
    """The status code the endpoint answered a signed sample event with."""
    return await sender.send_test(
        db,
        settings,
        project=principal.project,
        endpoint_id=webhook_endpoint_id,
        event_type=body.event_type,
    )


@router.get(
    "/webhook_event_types",
    operation_id="webhook_event_types-list",
    summary="List the event types an endpoint may subscribe to",
    response_model=WebhookEventTypeList,
    responses={401: ERRORS[401]},
)
def list_webhook_event_types(principal: PrincipalDep) -> WebhookEventTypeList:
    """The event types Whetstone emits."""
    del principal  # authenticated, as every /v1 route
    return operations.event_types()
