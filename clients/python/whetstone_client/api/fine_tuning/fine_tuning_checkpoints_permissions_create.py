from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.create_fine_tuning_checkpoint_permission_request import CreateFineTuningCheckpointPermissionRequest
from ...models.error_response import ErrorResponse
from ...models.list_fine_tuning_checkpoint_permission_response import ListFineTuningCheckpointPermissionResponse
from ...types import Response


def _get_kwargs(
    fine_tuned_model_checkpoint: str,
    *,
    body: CreateFineTuningCheckpointPermissionRequest,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/v1/fine_tuning/checkpoints/{fine_tuned_model_checkpoint}/permissions".format(
            fine_tuned_model_checkpoint=quote(str(fine_tuned_model_checkpoint), safe=""),
        ),
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> ErrorResponse | ListFineTuningCheckpointPermissionResponse | None:
    if response.status_code == 200:
        response_200 = ListFineTuningCheckpointPermissionResponse.from_dict(response.json())

        return response_200

    if response.status_code == 400:
        response_400 = ErrorResponse.from_dict(response.json())

        return response_400

    if response.status_code == 401:
        response_401 = ErrorResponse.from_dict(response.json())

        return response_401

    if response.status_code == 403:
        response_403 = ErrorResponse.from_dict(response.json())

        return response_403

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
) -> Response[ErrorResponse | ListFineTuningCheckpointPermissionResponse]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    fine_tuned_model_checkpoint: str,
    *,
    client: AuthenticatedClient,
    body: CreateFineTuningCheckpointPermissionRequest,
) -> Response[ErrorResponse | ListFineTuningCheckpointPermissionResponse]:
    """Grant a fine-tuned model checkpoint to other projects (admin key)

     Let each project serve, fine-tune from and list the checkpoint (or `ft:` model).

    Args:
        fine_tuned_model_checkpoint (str):
        body (CreateFineTuningCheckpointPermissionRequest): Grant a fine-tuned model checkpoint to
            other projects.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorResponse | ListFineTuningCheckpointPermissionResponse]
    """

    kwargs = _get_kwargs(
        fine_tuned_model_checkpoint=fine_tuned_model_checkpoint,
        body=body,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    fine_tuned_model_checkpoint: str,
    *,
    client: AuthenticatedClient,
    body: CreateFineTuningCheckpointPermissionRequest,
) -> ErrorResponse | ListFineTuningCheckpointPermissionResponse | None:
    """Grant a fine-tuned model checkpoint to other projects (admin key)

     Let each project serve, fine-tune from and list the checkpoint (or `ft:` model).

    Args:
        fine_tuned_model_checkpoint (str):
        body (CreateFineTuningCheckpointPermissionRequest): Grant a fine-tuned model checkpoint to
            other projects.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorResponse | ListFineTuningCheckpointPermissionResponse
    """

    return sync_detailed(
        fine_tuned_model_checkpoint=fine_tuned_model_checkpoint,
        client=client,
        body=body,
    ).parsed


async def asyncio_detailed(
    fine_tuned_model_checkpoint: str,
    *,
    client: AuthenticatedClient,
    body: CreateFineTuningCheckpointPermissionRequest,
) -> Response[ErrorResponse | ListFineTuningCheckpointPermissionResponse]:
    """Grant a fine-tuned model checkpoint to other projects (admin key)

     Let each project serve, fine-tune from and list the checkpoint (or `ft:` model).

    Args:
        fine_tuned_model_checkpoint (str):
        body (CreateFineTuningCheckpointPermissionRequest): Grant a fine-tuned model checkpoint to
            other projects.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorResponse | ListFineTuningCheckpointPermissionResponse]
    """

    kwargs = _get_kwargs(
        fine_tuned_model_checkpoint=fine_tuned_model_checkpoint,
        body=body,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    fine_tuned_model_checkpoint: str,
    *,
    client: AuthenticatedClient,
    body: CreateFineTuningCheckpointPermissionRequest,
) -> ErrorResponse | ListFineTuningCheckpointPermissionResponse | None:
    """Grant a fine-tuned model checkpoint to other projects (admin key)

     Let each project serve, fine-tune from and list the checkpoint (or `ft:` model).

    Args:
        fine_tuned_model_checkpoint (str):
        body (CreateFineTuningCheckpointPermissionRequest): Grant a fine-tuned model checkpoint to
            other projects.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorResponse | ListFineTuningCheckpointPermissionResponse
    """

    return (
        await asyncio_detailed(
            fine_tuned_model_checkpoint=fine_tuned_model_checkpoint,
            client=client,
            body=body,
        )
    ).parsed
