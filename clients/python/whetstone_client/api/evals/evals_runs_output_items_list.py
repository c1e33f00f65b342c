from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error_response import ErrorResponse
from ...models.eval_run_output_item_list import EvalRunOutputItemList
from ...models.evals_runs_output_items_list_order import EvalsRunsOutputItemsListOrder
from ...models.evals_runs_output_items_list_status_type_0 import EvalsRunsOutputItemsListStatusType0
from ...types import UNSET, Response, Unset


def _get_kwargs(
    eval_id: str,
    run_id: str,
    *,
    after: None | str | Unset = UNSET,
    limit: int | Unset = 20,
    order: EvalsRunsOutputItemsListOrder | Unset = EvalsRunsOutputItemsListOrder.ASC,
    status: EvalsRunsOutputItemsListStatusType0 | None | Unset = UNSET,
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

    json_status: None | str | Unset
    if isinstance(status, Unset):
        json_status = UNSET
    elif isinstance(status, EvalsRunsOutputItemsListStatusType0):
        json_status = status.value
    else:
        json_status = status
    params["status"] = json_status

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/v1/evals/{eval_id}/runs/{run_id}/output_items".format(
            eval_id=quote(str(eval_id), safe=""),
            run_id=quote(str(run_id), safe=""),
        ),
        "params": params,
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> ErrorResponse | EvalRunOutputItemList | None:
    if response.status_code == 200:
        response_200 = EvalRunOutputItemList.from_dict(response.json())

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
) -> Response[ErrorResponse | EvalRunOutputItemList]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    eval_id: str,
    run_id: str,
    *,
    client: AuthenticatedClient,
    after: None | str | Unset = UNSET,
    limit: int | Unset = 20,
    order: EvalsRunsOutputItemsListOrder | Unset = EvalsRunsOutputItemsListOrder.ASC,
    status: EvalsRunsOutputItemsListStatusType0 | None | Unset = UNSET,
) -> Response[ErrorResponse | EvalRunOutputItemList]:
    """List a run's output items

     A page of the run's graded items.

    Args:
        eval_id (str):
        run_id (str):
        after (None | str | Unset): Id of the last object of the previous page.
        limit (int | Unset): Page size, 1 to 100. Default: 20.
        order (EvalsRunsOutputItemsListOrder | Unset): By creation: `asc` or `desc`. Default:
            EvalsRunsOutputItemsListOrder.ASC.
        status (EvalsRunsOutputItemsListStatusType0 | None | Unset): Only items of this status.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorResponse | EvalRunOutputItemList]
    """

    kwargs = _get_kwargs(
        eval_id=eval_id,
        run_id=run_id,
        after=after,
        limit=limit,
        order=order,
        status=status,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    eval_id: str,
    run_id: str,
    *,
    client: AuthenticatedClient,
    after: None | str | Unset = UNSET,
    limit: int | Unset = 20,
    order: EvalsRunsOutputItemsListOrder | Unset = EvalsRunsOutputItemsListOrder.ASC,
    status: EvalsRunsOutputItemsListStatusType0 | None | Unset = UNSET,
) -> ErrorResponse | EvalRunOutputItemList | None:
    """List a run's output items

     A page of the run's graded items.

    Args:
        eval_id (str):
        run_id (str):
        after (None | str | Unset): Id of the last object of the previous page.
        limit (int | Unset): Page size, 1 to 100. Default: 20.
        order (EvalsRunsOutputItemsListOrder | Unset): By creation: `asc` or `desc`. Default:
            EvalsRunsOutputItemsListOrder.ASC.
        status (EvalsRunsOutputItemsListStatusType0 | None | Unset): Only items of this status.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorResponse | EvalRunOutputItemList
    """

    return sync_detailed(
        eval_id=eval_id,
        run_id=run_id,
        client=client,
        after=after,
        limit=limit,
        order=order,
        status=status,
    ).parsed


async def asyncio_detailed(
    eval_id: str,
    run_id: str,
    *,
    client: AuthenticatedClient,
    after: None | str | Unset = UNSET,
    limit: int | Unset = 20,
    order: EvalsRunsOutputItemsListOrder | Unset = EvalsRunsOutputItemsListOrder.ASC,
    status: EvalsRunsOutputItemsListStatusType0 | None | Unset = UNSET,
) -> Response[ErrorResponse | EvalRunOutputItemList]:
    """List a run's output items

     A page of the run's graded items.

    Args:
        eval_id (str):
        run_id (str):
        after (None | str | Unset): Id of the last object of the previous page.
        limit (int | Unset): Page size, 1 to 100. Default: 20.
        order (EvalsRunsOutputItemsListOrder | Unset): By creation: `asc` or `desc`. Default:
            EvalsRunsOutputItemsListOrder.ASC.
        status (EvalsRunsOutputItemsListStatusType0 | None | Unset): Only items of this status.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorResponse | EvalRunOutputItemList]
    """

    kwargs = _get_kwargs(
        eval_id=eval_id,
        run_id=run_id,
        after=after,
        limit=limit,
        order=order,
        status=status,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    eval_id: str,
    run_id: str,
    *,
    client: AuthenticatedClient,
    after: None | str | Unset = UNSET,
    limit: int | Unset = 20,
    order: EvalsRunsOutputItemsListOrder | Unset = EvalsRunsOutputItemsListOrder.ASC,
    status: EvalsRunsOutputItemsListStatusType0 | None | Unset = UNSET,
) -> ErrorResponse | EvalRunOutputItemList | None:
    """List a run's output items

     A page of the run's graded items.

    Args:
        eval_id (str):
        run_id (str):
        after (None | str | Unset): Id of the last object of the previous page.
        limit (int | Unset): Page size, 1 to 100. Default: 20.
        order (EvalsRunsOutputItemsListOrder | Unset): By creation: `asc` or `desc`. Default:
            EvalsRunsOutputItemsListOrder.ASC.
        status (EvalsRunsOutputItemsListStatusType0 | None | Unset): Only items of this status.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorResponse | EvalRunOutputItemList
    """

    return (
        await asyncio_detailed(
            eval_id=eval_id,
            run_id=run_id,
            client=client,
            after=after,
            limit=limit,
            order=order,
            status=status,
        )
    ).parsed
