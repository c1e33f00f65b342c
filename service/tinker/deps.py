"""The Tinker caller: `X-API-Key: tml-...` mapped to a project as API keys are."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from service.core.auth import Principal
from service.core.errors import AuthenticationError
from service.deps import KeyRingDep
from service.tinker.errors import check_sdk_version

# The SDK stamps every request with its version (tinker/lib/sdk_method.py).
SDK_VERSION_HEADER = "x-sdk-version"


def tinker_principal(request: Request, keyring: KeyRingDep) -> Principal:
    """The caller, from `X-API-Key` (or a bearer token); 401 when missing or unknown, 400
    when the SDK that sent it is outside the supported range."""
    check_sdk_version(request.headers.get(SDK_VERSION_HEADER))
    api_key = request.headers.get("x-api-key")
    authorization = f"Bearer {api_key}" if api_key else request.headers.get("authorization")
    if not authorization:
        raise AuthenticationError(
            "No API key: the tinker SDK sends it as X-API-Key (TINKER_API_KEY, starting tml-)."
        )
    principal = keyring.authenticate(authorization)
    # Read by the request's log records and access line (service/observability/logs.py).
    request.state.principal = principal
    return principal


TinkerPrincipal = Annotated[Principal, Depends(tinker_principal)]
