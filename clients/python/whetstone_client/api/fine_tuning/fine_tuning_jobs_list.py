from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error_response import ErrorResponse
from ...models.fine_tuning_jobs_list_metadata import FineTuningJobsListMetadata
from ...models.list_paginated_fine_tuning_jobs_response import ListPaginatedFineTuningJobsResponse
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    after: None | str | Unset = UNSET,
    limit: int | Unset = 20,
    metadata: FineTuningJobsListMetadata | Unset = UNSET,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    json_after: None | str | Unset
    if isinstance(after, Unset):
        json_after = UNSET
    else:
        json_after = after
    params["after"] = json_after

    params["limit"] = limit

    json_metadata: dict[str, Any] | Unset = UNSET
    if not isinstance(metadata, Unset):
        json_metadata = metadata.to_dict()
    if not isinstance(json_metadata, Unset):
        params.update(json_metadata)

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/v1/fine_tuning/jobs",
        "params": params,
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> ErrorResponse | ListPaginatedFineTuningJobsResponse | None:
    if response.status_code == 200:
        response_200 = ListPaginatedFineTuningJobsResponse.from_dict(response.json())

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

    if response.status_code == 409:
        response_409 = ErrorResponse.from_dict(response.json())

        return response_409

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[ErrorResponse | ListPaginatedFineTuningJobsResponse]:
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
    metadata: FineTuningJobsListMetadata | Unset = UNSET,
) -> Response[ErrorResponse | ListPaginatedFineTuningJobsResponse]:
    """List fine-tuning jobs, newest first

     One page of the caller's jobs, filtered on metadata when asked.

    Args:
        after (None | str | Unset): Id of the last object of the previous page.
        limit (int | Unset): Page size, 1 to 100. Default: 20.
        metadata (FineTuningJobsListMetadata | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorResponse | ListPaginatedFineTuningJobsResponse]
    """

    kwargs = _get_kwargs(
        after=after,
        limit=limit,
        metadata=metadata,
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
    metadata: FineTuningJobsListMetadata | Unset = UNSET,
) -> ErrorResponse | ListPaginatedFineTuningJobsResponse | None:
    """List fine-tuning jobs, newest first

     One page of the caller's jobs, filtered on metadata when asked.

    Args:
        after (None | str | Unset): Id of the last object of the previous page.
        limit (int | Unset): Page size, 1 to 100. Default: 20.
        metadata (FineTuningJobsListMetadata | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorResponse | ListPaginatedFineTuningJobsResponse
    """

    return sync_detailed(
        client=client,
        after=after,
        limit=limit,
        metadata=metadata,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    after: None | str | Unset = UNSET,
    limit: int | Unset = 20,
    metadata: FineTuningJobsListMetadata | Unset = UNSET,
) -> Response[ErrorResponse | ListPaginatedFineTuningJobsResponse]:
    """List fine-tuning jobs, newest first

     One page of the caller's jobs, filtered on metadata when asked.

    Args:
        after (None | str | Unset): Id of the last object of the previous page.
        limit (int | Unset): Page size, 1 to 100. Default: 20.
        metadata (FineTuningJobsListMetadata | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorResponse | ListPaginatedFineTuningJobsResponse]
    """

    kwargs = _get_kwargs(
        after=after,
        limit=limit,
        metadata=metadata,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient,
    after: None | str | Unset = UNSET,
    limit: int | Unset = 20,
    metadata: FineTuningJobsListMetadata | Unset = UNSET,
) -> ErrorResponse | ListPaginatedFineTuningJobsResponse | None:
    """List fine-tuning jobs, newest first

     One page of the caller's jobs, filtered on metadata when asked.

    Args:
        after (None | str | Unset): Id of the last object of the previous page.
        limit (int | Unset): Page size, 1 to 100. Default: 20.
        metadata (FineTuningJobsListMetadata | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorResponse | ListPaginatedFineTuningJobsResponse
    """

    return (
        await asyncio_detailed(
            client=client,
            after=after,
            limit=limit,
            metadata=metadata,
        )
    ).parsed
