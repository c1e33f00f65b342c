from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error_response import ErrorResponse
from ...models.fine_tuning_job import FineTuningJob
from ...types import Response


def _get_kwargs(
    fine_tuning_job_id: str,
) -> dict[str, Any]:

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/v1/fine_tuning/jobs/{fine_tuning_job_id}/resume".format(
            fine_tuning_job_id=quote(str(fine_tuning_job_id), safe=""),
        ),
    }

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
    fine_tuning_job_id: str,
    *,
    client: AuthenticatedClient,
) -> Response[ErrorResponse | FineTuningJob]:
    """Resume a paused fine-tuning job

     Re-queue the paused job; it continues from its latest checkpoint.

    Args:
        fine_tuning_job_id (str):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorResponse | FineTuningJob]
    """

    kwargs = _get_kwargs(
        fine_tuning_job_id=fine_tuning_job_id,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    fine_tuning_job_id: str,
    *,
    client: AuthenticatedClient,
) -> ErrorResponse | FineTuningJob | None:
    """Resume a paused fine-tuning job

     Re-queue the paused job; it continues from its latest checkpoint.

    Args:
        fine_tuning_job_id (str):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorResponse | FineTuningJob
    """

    return sync_detailed(
        fine_tuning_job_id=fine_tuning_job_id,
        client=client,
    ).parsed


async def asyncio_detailed(
    fine_tuning_job_id: str,
    *,
    client: AuthenticatedClient,
) -> Response[ErrorResponse | FineTuningJob]:
    """Resume a paused fine-tuning job

     Re-queue the paused job; it continues from its latest checkpoint.

    Args:
        fine_tuning_job_id (str):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorResponse | FineTuningJob]
    """

    kwargs = _get_kwargs(
        fine_tuning_job_id=fine_tuning_job_id,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    fine_tuning_job_id: str,
    *,
    client: AuthenticatedClient,
) -> ErrorResponse | FineTuningJob | None:
    """Resume a paused fine-tuning job

     Re-queue the paused job; it continues from its latest checkpoint.

    Args:
        fine_tuning_job_id (str):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorResponse | FineTuningJob
    """

    return (
        await asyncio_detailed(
            fine_tuning_job_id=fine_tuning_job_id,
            client=client,
        )
    ).parsed
