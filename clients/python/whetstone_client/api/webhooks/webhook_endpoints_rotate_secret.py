from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error_response import ErrorResponse
from ...models.rotate_webhook_secret_request import RotateWebhookSecretRequest
from ...models.webhook_endpoint_with_secret import WebhookEndpointWithSecret
from ...types import UNSET, Response, Unset


def _get_kwargs(
    webhook_endpoint_id: str,
    *,
    body: None | RotateWebhookSecretRequest | Unset = UNSET,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/v1/webhook_endpoints/{webhook_endpoint_id}/rotate_secret".format(
            webhook_endpoint_id=quote(str(webhook_endpoint_id), safe=""),
        ),
    }

    if isinstance(body, RotateWebhookSecretRequest):
        _kwargs["json"] = body.to_dict()
    else:
        _kwargs["json"] = body

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> ErrorResponse | WebhookEndpointWithSecret | None:
    if response.status_code == 200:
        response_200 = WebhookEndpointWithSecret.from_dict(response.json())

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
) -> Response[ErrorResponse | WebhookEndpointWithSecret]:
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
    body: None | RotateWebhookSecretRequest | Unset = UNSET,
) -> Response[ErrorResponse | WebhookEndpointWithSecret]:
    """Rotate a webhook endpoint's signing secret

     A new signing secret, returned this once.

    Args:
        webhook_endpoint_id (str):
        body (None | RotateWebhookSecretRequest | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorResponse | WebhookEndpointWithSecret]
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
    body: None | RotateWebhookSecretRequest | Unset = UNSET,
) -> ErrorResponse | WebhookEndpointWithSecret | None:
    """Rotate a webhook endpoint's signing secret

     A new signing secret, returned this once.

    Args:
        webhook_endpoint_id (str):
        body (None | RotateWebhookSecretRequest | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorResponse | WebhookEndpointWithSecret
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
    body: None | RotateWebhookSecretRequest | Unset = UNSET,
) -> Response[ErrorResponse | WebhookEndpointWithSecret]:
    """Rotate a webhook endpoint's signing secret

     A new signing secret, returned this once.

    Args:
        webhook_endpoint_id (str):
        body (None | RotateWebhookSecretRequest | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorResponse | WebhookEndpointWithSecret]
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
    body: None | RotateWebhookSecretRequest | Unset = UNSET,
) -> ErrorResponse | WebhookEndpointWithSecret | None:
    """Rotate a webhook endpoint's signing secret

     A new signing secret, returned this once.

    Args:
        webhook_endpoint_id (str):
        body (None | RotateWebhookSecretRequest | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorResponse | WebhookEndpointWithSecret
    """

    return (
        await asyncio_detailed(
            webhook_endpoint_id=webhook_endpoint_id,
            client=client,
            body=body,
        )
    ).parsed
