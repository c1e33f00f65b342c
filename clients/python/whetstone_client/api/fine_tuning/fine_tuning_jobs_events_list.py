from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error_response import ErrorResponse
from ...models.list_fine_tuning_job_events_response import ListFineTuningJobEventsResponse
from ...types import UNSET, Response, Unset


def _get_kwargs(
    fine_tuning_job_id: str,
    *,
    after: None | str | Unset = UNSET,
    limit: int | Unset = 20,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    json_after: None | str | Unset
    if isinstance(after, Unset):
        json_after = UNSET
    else:
        json_after = after
    params["after"] = json_after

    params["limit"] = limit

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/v1/fine_tuning/jobs/{fine_tuning_job_id}/events".format(
            fine_tuning_job_id=quote(str(fine_tuning_job_id), safe=""),
        ),
        "params": params,
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> ErrorResponse | ListFineTuningJobEventsResponse | None:
    if response.status_code == 200:
        response_200 = ListFineTuningJobEventsResponse.from_dict(response.json())

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
) -> Response[ErrorResponse | ListFineTuningJobEventsResponse]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    fine_tuning_job_id: str,
    *,
    client: AuthenticatedClient,
    after: None | str | Unset = UNSET,
    limit: int | Unset = 20,
) -> Response[ErrorResponse | ListFineTuningJobEventsResponse]:
    """List a job's events, newest first

     One page of the job's events.

    Args:
        fine_tuning_job_id (str):
        after (None | str | Unset): Id of the last object of the previous page.
        limit (int | Unset): Page size, 1 to 1000. Default: 20.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorResponse | ListFineTuningJobEventsResponse]
    """

    kwargs = _get_kwargs(
        fine_tuning_job_id=fine_tuning_job_id,
        after=after,
        limit=limit,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    fine_tuning_job_id: str,
    *,
    client: AuthenticatedClient,
    after: None | str | Unset = UNSET,
    limit: int | Unset = 20,
) -> ErrorResponse | ListFineTuningJobEventsResponse | None:
    """List a job's events, newest first

     One page of the job's events.

    Args:
        fine_tuning_job_id (str):
        after (None | str | Unset): Id of the last object of the previous page.
        limit (int | Unset): Page size, 1 to 1000. Default: 20.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorResponse | ListFineTuningJobEventsResponse
    """

    return sync_detailed(
        fine_tuning_job_id=fine_tuning_job_id,
        client=client,
        after=after,
        limit=limit,
    ).parsed


async def asyncio_detailed(
    fine_tuning_job_id: str,
    *,
    client: AuthenticatedClient,
    after: None | str | Unset = UNSET,
    limit: int | Unset = 20,
) -> Response[ErrorResponse | ListFineTuningJobEventsResponse]:
    """List a job's events, newest first

     One page of the job's events.

    Args:
        fine_tuning_job_id (str):
        after (None | str | Unset): Id of the last object of the previous page.
        limit (int | Unset): Page size, 1 to 1000. Default: 20.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorResponse | ListFineTuningJobEventsResponse]
    """

    kwargs = _get_kwargs(
        fine_tuning_job_id=fine_tuning_job_id,
        after=after,
        limit=limit,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    fine_tuning_job_id: str,
    *,
    client: AuthenticatedClient,
    after: None | str | Unset = UNSET,
    limit: int | Unset = 20,
) -> ErrorResponse | ListFineTuningJobEventsResponse | None:
    """List a job's events, newest first

     One page of the job's events.

    Args:
        fine_tuning_job_id (str):
        after (None | str | Unset): Id of the last object of the previous page.
        limit (int | Unset): Page size, 1 to 1000. Default: 20.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorResponse | ListFineTuningJobEventsResponse
    """

    return (
        await asyncio_detailed(
            fine_tuning_job_id=fine_tuning_job_id,
            client=client,
            after=after,
            limit=limit,
        )
    ).parsed
