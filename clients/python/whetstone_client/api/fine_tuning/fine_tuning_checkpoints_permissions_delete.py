from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.delete_fine_tuning_checkpoint_permission_response import DeleteFineTuningCheckpointPermissionResponse
from ...models.error_response import ErrorResponse
from ...types import Response


def _get_kwargs(
    fine_tuned_model_checkpoint: str,
    permission_id: str,
) -> dict[str, Any]:

    _kwargs: dict[str, Any] = {
        "method": "delete",
        "url": "/v1/fine_tuning/checkpoints/{fine_tuned_model_checkpoint}/permissions/{permission_id}".format(
            fine_tuned_model_checkpoint=quote(str(fine_tuned_model_checkpoint), safe=""),
            permission_id=quote(str(permission_id), safe=""),
        ),
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> DeleteFineTuningCheckpointPermissionResponse | ErrorResponse | None:
    if response.status_code == 200:
        response_200 = DeleteFineTuningCheckpointPermissionResponse.from_dict(response.json())

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
) -> Response[DeleteFineTuningCheckpointPermissionResponse | ErrorResponse]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    fine_tuned_model_checkpoint: str,
    permission_id: str,
    *,
    client: AuthenticatedClient,
) -> Response[DeleteFineTuningCheckpointPermissionResponse | ErrorResponse]:
    """Revoke a permission of a fine-tuned model checkpoint (admin key)

     Revoke the permission; the project loses the checkpoint on its next request.

    Args:
        fine_tuned_model_checkpoint (str):
        permission_id (str):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[DeleteFineTuningCheckpointPermissionResponse | ErrorResponse]
    """

    kwargs = _get_kwargs(
        fine_tuned_model_checkpoint=fine_tuned_model_checkpoint,
        permission_id=permission_id,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    fine_tuned_model_checkpoint: str,
    permission_id: str,
    *,
    client: AuthenticatedClient,
) -> DeleteFineTuningCheckpointPermissionResponse | ErrorResponse | None:
    """Revoke a permission of a fine-tuned model checkpoint (admin key)

     Revoke the permission; the project loses the checkpoint on its next request.

    Args:
        fine_tuned_model_checkpoint (str):
        permission_id (str):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        DeleteFineTuningCheckpointPermissionResponse | ErrorResponse
    """

    return sync_detailed(
        fine_tuned_model_checkpoint=fine_tuned_model_checkpoint,
        permission_id=permission_id,
        client=client,
    ).parsed


async def asyncio_detailed(
    fine_tuned_model_checkpoint: str,
    permission_id: str,
    *,
    client: AuthenticatedClient,
) -> Response[DeleteFineTuningCheckpointPermissionResponse | ErrorResponse]:
    """Revoke a permission of a fine-tuned model checkpoint (admin key)

     Revoke the permission; the project loses the checkpoint on its next request.

    Args:
        fine_tuned_model_checkpoint (str):
        permission_id (str):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[DeleteFineTuningCheckpointPermissionResponse | ErrorResponse]
    """

    kwargs = _get_kwargs(
        fine_tuned_model_checkpoint=fine_tuned_model_checkpoint,
        permission_id=permission_id,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    fine_tuned_model_checkpoint: str,
    permission_id: str,
    *,
    client: AuthenticatedClient,
) -> DeleteFineTuningCheckpointPermissionResponse | ErrorResponse | None:
    """Revoke a permission of a fine-tuned model checkpoint (admin key)

     Revoke the permission; the project loses the checkpoint on its next request.

    Args:
        fine_tuned_model_checkpoint (str):
        permission_id (str):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        DeleteFineTuningCheckpointPermissionResponse | ErrorResponse
    """

    return (
        await asyncio_detailed(
            fine_tuned_model_checkpoint=fine_tuned_model_checkpoint,
            permission_id=permission_id,
            client=client,
        )
    ).parsed
