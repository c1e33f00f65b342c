from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.create_response_request import CreateResponseRequest
from ...models.error_response import ErrorResponse
from ...models.response import Response
from ...types import Response


def _get_kwargs(
    *,
    body: CreateResponseRequest,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/v1/responses",
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> ErrorResponse | Response | None:
    if response.status_code == 200:
        response_200 = Response.from_dict(response.json())

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

    if response.status_code == 413:
        response_413 = ErrorResponse.from_dict(response.json())

        return response_413

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[ErrorResponse | Response]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    body: CreateResponseRequest,
) -> Response[ErrorResponse | Response]:
    """Create a model response, whole or streamed

     A reply to the input (and the stored conversation it continues), whole or streamed.

    Args:
        body (CreateResponseRequest): POST /v1/responses. Every documented field is accepted; what
            cannot be honoured is a
            400 naming the param, never ignored.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorResponse | Response]
    """

    kwargs = _get_kwargs(
        body=body,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient,
    body: CreateResponseRequest,
) -> ErrorResponse | Response | None:
    """Create a model response, whole or streamed

     A reply to the input (and the stored conversation it continues), whole or streamed.

    Args:
        body (CreateResponseRequest): POST /v1/responses. Every documented field is accepted; what
            cannot be honoured is a
            400 naming the param, never ignored.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorResponse | Response
    """

    return sync_detailed(
        client=client,
        body=body,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    body: CreateResponseRequest,
) -> Response[ErrorResponse | Response]:
    """Create a model response, whole or streamed

     A reply to the input (and the stored conversation it continues), whole or streamed.

    Args:
        body (CreateResponseRequest): POST /v1/responses. Every documented field is accepted; what
            cannot be honoured is a
            400 naming the param, never ignored.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorResponse | Response]
    """

    kwargs = _get_kwargs(
        body=body,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient,
    body: CreateResponseRequest,
) -> ErrorResponse | Response | None:
    """Create a model response, whole or streamed

     A reply to the input (and the stored conversation it continues), whole or streamed.

    Args:
        body (CreateResponseRequest): POST /v1/responses. Every documented field is accepted; what
            cannot be honoured is a
            400 naming the param, never ignored.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorResponse | Response
    """

    return (
        await asyncio_detailed(
            client=client,
            body=body,
        )
    ).parsed
