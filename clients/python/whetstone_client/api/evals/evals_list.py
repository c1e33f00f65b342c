from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error_response import ErrorResponse
from ...models.eval_list import EvalList
from ...models.evals_list_order import EvalsListOrder
from ...models.evals_list_order_by import EvalsListOrderBy
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    after: None | str | Unset = UNSET,
    limit: int | Unset = 20,
    order: EvalsListOrder | Unset = EvalsListOrder.ASC,
    order_by: EvalsListOrderBy | Unset = EvalsListOrderBy.CREATED_AT,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    json_after: None | str | Unset
    if isinstance(after, Unset):
        json_after = UNSET
    else:
        json_after = after
    params["after"] = json_after

    params["limit"] = limit

    json_order: str | Unset = UNSET
    if not isinstance(order, Unset):
        json_order = order.value

    params["order"] = json_order

    json_order_by: str | Unset = UNSET
    if not isinstance(order_by, Unset):
        json_order_by = order_by.value

    params["order_by"] = json_order_by

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/v1/evals",
        "params": params,
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> ErrorResponse | EvalList | None:
    if response.status_code == 200:
        response_200 = EvalList.from_dict(response.json())

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
) -> Response[ErrorResponse | EvalList]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    after: None | str | Unset = UNSET,
    limit: int | Unset = 20,
    order: EvalsListOrder | Unset = EvalsListOrder.ASC,
    order_by: EvalsListOrderBy | Unset = EvalsListOrderBy.CREATED_AT,
) -> Response[ErrorResponse | EvalList]:
    """List evals

     A page of the caller's evals.

    Args:
        after (None | str | Unset): Id of the last object of the previous page.
        limit (int | Unset): Page size, 1 to 100. Default: 20.
        order (EvalsListOrder | Unset): By creation: `asc` or `desc`. Default: EvalsListOrder.ASC.
        order_by (EvalsListOrderBy | Unset): `created_at` (evals are ordered by creation either
            way). Default: EvalsListOrderBy.CREATED_AT.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorResponse | EvalList]
    """

    kwargs = _get_kwargs(
        after=after,
        limit=limit,
        order=order,
        order_by=order_by,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient,
    after: None | str | Unset = UNSET,
    limit: int | Unset = 20,
    order: EvalsListOrder | Unset = EvalsListOrder.ASC,
    order_by: EvalsListOrderBy | Unset = EvalsListOrderBy.CREATED_AT,
) -> ErrorResponse | EvalList | None:
    """List evals

     A page of the caller's evals.

    Args:
        after (None | str | Unset): Id of the last object of the previous page.
        limit (int | Unset): Page size, 1 to 100. Default: 20.
        order (EvalsListOrder | Unset): By creation: `asc` or `desc`. Default: EvalsListOrder.ASC.
        order_by (EvalsListOrderBy | Unset): `created_at` (evals are ordered by creation either
            way). Default: EvalsListOrderBy.CREATED_AT.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorResponse | EvalList
    """

    return sync_detailed(
        client=client,
        after=after,
        limit=limit,
        order=order,
        order_by=order_by,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    after: None | str | Unset = UNSET,
    limit: int | Unset = 20,
    order: EvalsListOrder | Unset = EvalsListOrder.ASC,
    order_by: EvalsListOrderBy | Unset = EvalsListOrderBy.CREATED_AT,
) -> Response[ErrorResponse | EvalList]:
    """List evals

     A page of the caller's evals.

    Args:
        after (None | str | Unset): Id of the last object of the previous page.
        limit (int | Unset): Page size, 1 to 100. Default: 20.
        order (EvalsListOrder | Unset): By creation: `asc` or `desc`. Default: EvalsListOrder.ASC.
        order_by (EvalsListOrderBy | Unset): `created_at` (evals are ordered by creation either
            way). Default: EvalsListOrderBy.CREATED_AT.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorResponse | EvalList]
    """

    kwargs = _get_kwargs(
        after=after,
        limit=limit,
        order=order,
        order_by=order_by,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient,
    after: None | str | Unset = UNSET,
    limit: int | Unset = 20,
    order: EvalsListOrder | Unset = EvalsListOrder.ASC,
    order_by: EvalsListOrderBy | Unset = EvalsListOrderBy.CREATED_AT,
) -> ErrorResponse | EvalList | None:
    """List evals

     A page of the caller's evals.

    Args:
        after (None | str | Unset): Id of the last object of the previous page.
        limit (int | Unset): Page size, 1 to 100. Default: 20.
        order (EvalsListOrder | Unset): By creation: `asc` or `desc`. Default: EvalsListOrder.ASC.
        order_by (EvalsListOrderBy | Unset): `created_at` (evals are ordered by creation either
            way). Default: EvalsListOrderBy.CREATED_AT.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorResponse | EvalList
    """

    return (
        await asyncio_detailed(
            client=client,
            after=after,
            limit=limit,
            order=order,
            order_by=order_by,
        )
    ).parsed
