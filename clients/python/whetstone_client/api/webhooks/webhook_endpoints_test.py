from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error_response import ErrorResponse
from ...models.test_webhook_endpoint_request import TestWebhookEndpointRequest
from ...models.webhook_endpoint_test_result import WebhookEndpointTestResult
from ...types import Response


def _get_kwargs(
    webhook_endpoint_id: str,
    *,
    body: TestWebhookEndpointRequest,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/v1/webhook_endpoints/{webhook_endpoint_id}/test".format(
            webhook_endpoint_id=quote(str(webhook_endpoint_id), safe=""),
        ),
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> ErrorResponse | WebhookEndpointTestResult | None:
    if response.status_code == 200:
        response_200 = WebhookEndpointTestResult.from_dict(response.json())

        return response_200

    if response.status_code == 400:
        response_400 = ErrorResponse.from_dict(response.json())

        return response_400

    if response.status_code == 401:
        response_401 = ErrorResponse.from_dict(response.json())

        return response_401

    if response.status_code == 404:
        response_404 = ErrorResponse.from_dict(response.json())

        return response_404

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[ErrorResponse | WebhookEndpointTestResult]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    webhook_endpoint_id: str,
    *,
    client: AuthenticatedClient,
    body: TestWebhookEndpointRequest,
) -> Response[ErrorResponse | WebhookEndpointTestResult]:
    """Send a sample event to a webhook endpoint now

     The status code the endpoint answered a signed sample event with.

    Args:
        webhook_endpoint_id (str):
        body (TestWebhookEndpointRequest): The body of POST /v1/webhook_endpoints/{id}/test (the
            SDK's `WebhookTestParams`).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorResponse | WebhookEndpointTestResult]
    """

    kwargs = _get_kwargs(
        webhook_endpoint_id=webhook_endpoint_id,
        body=body,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    webhook_endpoint_id: str,
    *,
    client: AuthenticatedClient,
    body: TestWebhookEndpointRequest,
) -> ErrorResponse | WebhookEndpointTestResult | None:
    """Send a sample event to a webhook endpoint now

     The status code the endpoint answered a signed sample event with.

    Args:
        webhook_endpoint_id (str):
        body (TestWebhookEndpointRequest): The body of POST /v1/webhook_endpoints/{id}/test (the
            SDK's `WebhookTestParams`).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorResponse | WebhookEndpointTestResult
    """

    return sync_detailed(
        webhook_endpoint_id=webhook_endpoint_id,
        client=client,
        body=body,
    ).parsed


async def asyncio_detailed(
    webhook_endpoint_id: str,
    *,
    client: AuthenticatedClient,
    body: TestWebhookEndpointRequest,
) -> Response[ErrorResponse | WebhookEndpointTestResult]:
    """Send a sample event to a webhook endpoint now

     The status code the endpoint answered a signed sample event with.

    Args:
        webhook_endpoint_id (str):
        body (TestWebhookEndpointRequest): The body of POST /v1/webhook_endpoints/{id}/test (the
            SDK's `WebhookTestParams`).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorResponse | WebhookEndpointTestResult]
    """

    kwargs = _get_kwargs(
        webhook_endpoint_id=webhook_endpoint_id,
        body=body,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    webhook_endpoint_id: str,
    *,
    client: AuthenticatedClient,
    body: TestWebhookEndpointRequest,
) -> ErrorResponse | WebhookEndpointTestResult | None:
    """Send a sample event to a webhook endpoint now

     The status code the endpoint answered a signed sample event with.

    Args:
        webhook_endpoint_id (str):
        body (TestWebhookEndpointRequest): The body of POST /v1/webhook_endpoints/{id}/test (the
            SDK's `WebhookTestParams`).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorResponse | WebhookEndpointTestResult
    """

    return (
        await asyncio_detailed(
            webhook_endpoint_id=webhook_endpoint_id,
            client=client,
            body=body,
        )
    ).parsed
