from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error_response import ErrorResponse
from ...models.eval_ import Eval
from ...types import Response


def _get_kwargs(
    eval_id: str,
) -> dict[str, Any]:

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/v1/evals/{eval_id}".format(
            eval_id=quote(str(eval_id), safe=""),
        ),
    }

    return _kwargs


def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> ErrorResponse | Eval | None:
    if response.status_code == 200:
        response_200 = Eval.from_dict(response.json())

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
) -> Response[ErrorResponse | Eval]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    eval_id: str,
    *,
    client: AuthenticatedClient,
) -> Response[ErrorResponse | Eval]:
    """Retrieve an eval

     One eval.

    Args:
        eval_id (str):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorResponse | Eval]
    """

    kwargs = _get_kwargs(
        eval_id=eval_id,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    eval_id: str,
    *,
    client: AuthenticatedClient,
) -> ErrorResponse | Eval | None:
    """Retrieve an eval

     One eval.

    Args:
        eval_id (str):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorResponse | Eval
    """

    return sync_detailed(
        eval_id=eval_id,
        client=client,
    ).parsed


async def asyncio_detailed(
    eval_id: str,
    *,
    client: AuthenticatedClient,
) -> Response[ErrorResponse | Eval]:
    """Retrieve an eval

     One eval.

    Args:
        eval_id (str):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorResponse | Eval]
    """

    kwargs = _get_kwargs(
        eval_id=eval_id,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    eval_id: str,
    *,
    client: AuthenticatedClient,
) -> ErrorResponse | Eval | None:
    """Retrieve an eval

     One eval.

    Args:
        eval_id (str):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorResponse | Eval
    """

    return (
        await asyncio_detailed(
            eval_id=eval_id,
            client=client,
        )
    ).parsed
