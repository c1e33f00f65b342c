from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error_response import ErrorResponse
from ...models.files_list_order import FilesListOrder
from ...models.list_files_response import ListFilesResponse
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    purpose: None | str | Unset = UNSET,
    limit: int | Unset = 10000,
    order: FilesListOrder | Unset = FilesListOrder.DESC,
    after: None | str | Unset = UNSET,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    json_purpose: None | str | Unset
    if isinstance(purpose, Unset):
        json_purpose = UNSET
    else:
        json_purpose = purpose
    params["purpose"] = json_purpose

    params["limit"] = limit

    json_order: str | Unset = UNSET
    if not isinstance(order, Unset):
        json_order = order.value

    params["order"] = json_order

    json_after: None | str | Unset
    if isinstance(after, Unset):
        json_after = UNSET
    else:
        json_after = after
    params["after"] = json_after

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/v1/files",
        "params": params,
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> ErrorResponse | ListFilesResponse | None:
    if response.status_code == 200:
        response_200 = ListFilesResponse.from_dict(response.json())

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

    if response.status_code == 503:
        response_503 = ErrorResponse.from_dict(response.json())

        return response_503

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[ErrorResponse | ListFilesResponse]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    purpose: None | str | Unset = UNSET,
    limit: int | Unset = 10000,
    order: FilesListOrder | Unset = FilesListOrder.DESC,
    after: None | str | Unset = UNSET,
) -> Response[ErrorResponse | ListFilesResponse]:
    """List files, newest first

     One page of the caller's files.

    Args:
        purpose (None | str | Unset): Only files with this purpose.
        limit (int | Unset): Page size, 1 to 10000. Default: 10000.
        order (FilesListOrder | Unset): Order by creation: `asc` or `desc`. Default:
            FilesListOrder.DESC.
        after (None | str | Unset): Id of the last file of the previous page.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorResponse | ListFilesResponse]
    """

    kwargs = _get_kwargs(
        purpose=purpose,
        limit=limit,
        order=order,
        after=after,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient,
    purpose: None | str | Unset = UNSET,
    limit: int | Unset = 10000,
    order: FilesListOrder | Unset = FilesListOrder.DESC,
    after: None | str | Unset = UNSET,
) -> ErrorResponse | ListFilesResponse | None:
    """List files, newest first

     One page of the caller's files.

    Args:
        purpose (None | str | Unset): Only files with this purpose.
        limit (int | Unset): Page size, 1 to 10000. Default: 10000.
        order (FilesListOrder | Unset): Order by creation: `asc` or `desc`. Default:
            FilesListOrder.DESC.
        after (None | str | Unset): Id of the last file of the previous page.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorResponse | ListFilesResponse
    """

    return sync_detailed(
        client=client,
        purpose=purpose,
        limit=limit,
        order=order,
        after=after,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    purpose: None | str | Unset = UNSET,
    limit: int | Unset = 10000,
    order: FilesListOrder | Unset = FilesListOrder.DESC,
    after: None | str | Unset = UNSET,
) -> Response[ErrorResponse | ListFilesResponse]:
    """List files, newest first

     One page of the caller's files.

    Args:
        purpose (None | str | Unset): Only files with this purpose.
        limit (int | Unset): Page size, 1 to 10000. Default: 10000.
        order (FilesListOrder | Unset): Order by creation: `asc` or `desc`. Default:
            FilesListOrder.DESC.
        after (None | str | Unset): Id of the last file of the previous page.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorResponse | ListFilesResponse]
    """

    kwargs = _get_kwargs(
        purpose=purpose,
        limit=limit,
        order=order,
        after=after,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient,
    purpose: None | str | Unset = UNSET,
    limit: int | Unset = 10000,
    order: FilesListOrder | Unset = FilesListOrder.DESC,
    after: None | str | Unset = UNSET,
) -> ErrorResponse | ListFilesResponse | None:
    """List files, newest first

     One page of the caller's files.

    Args:
        purpose (None | str | Unset): Only files with this purpose.
        limit (int | Unset): Page size, 1 to 10000. Default: 10000.
        order (FilesListOrder | Unset): Order by creation: `asc` or `desc`. Default:
            FilesListOrder.DESC.
        after (None | str | Unset): Id of the last file of the previous page.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorResponse | ListFilesResponse
    """

    return (
        await asyncio_detailed(
            client=client,
            purpose=purpose,
            limit=limit,
            order=order,
            after=after,
        )
    ).parsed
