from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.create_fine_tuning_job_request import CreateFineTuningJobRequest
from ...models.error_response import ErrorResponse
from ...models.fine_tuning_job import FineTuningJob
from ...types import Response


def _get_kwargs(
    *,
    body: CreateFineTuningJobRequest,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/v1/fine_tuning/jobs",
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> ErrorResponse | FineTuningJob | None:
    if response.status_code == 200:
        response_200 = FineTuningJob.from_dict(response.json())

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
) -> Response[ErrorResponse | FineTuningJob]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    body: CreateFineTuningJobRequest,
) -> Response[ErrorResponse | FineTuningJob]:
    """Create a fine-tuning job

     Store the job in `validating_files`; the scheduler validates its files and trains it.

    Args:
        body (CreateFineTuningJobRequest): The body of POST /v1/fine_tuning/jobs.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorResponse | FineTuningJob]
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
    body: CreateFineTuningJobRequest,
) -> ErrorResponse | FineTuningJob | None:
    """Create a fine-tuning job

     Store the job in `validating_files`; the scheduler validates its files and trains it.

    Args:
        body (CreateFineTuningJobRequest): The body of POST /v1/fine_tuning/jobs.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorResponse | FineTuningJob
    """

    return sync_detailed(
        client=client,
        body=body,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    body: CreateFineTuningJobRequest,
) -> Response[ErrorResponse | FineTuningJob]:
    """Create a fine-tuning job

     Store the job in `validating_files`; the scheduler validates its files and trains it.

    Args:
        body (CreateFineTuningJobRequest): The body of POST /v1/fine_tuning/jobs.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorResponse | FineTuningJob]
    """

    kwargs = _get_kwargs(
        body=body,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient,
    body: CreateFineTuningJobRequest,
) -> ErrorResponse | FineTuningJob | None:
    """Create a fine-tuning job

     Store the job in `validating_files`; the scheduler validates its files and trains it.

    Args:
        body (CreateFineTuningJobRequest): The body of POST /v1/fine_tuning/jobs.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorResponse | FineTuningJob
    """

    return (
        await asyncio_detailed(
            client=client,
            body=body,
        )
    ).parsed
