"""Dependencies as `Annotated` aliases."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from service.auth import Principal
from service.services import Services

_bearer = HTTPBearer(auto_error=False, description="An API key, as `Authorization: Bearer <key>`.")


def get_services(request: Request) -> Services:
    """The process's services, opened by the lifespan."""
    return request.app.state.services


def get_principal(
    request: Request,
    _credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal:
    """The caller, from the bearer key; 401 in the envelope when missing or unknown."""
    return get_services(request).keyring.authenticate(request.headers.get("authorization"))


ServicesDep = Annotated[Services, Depends(get_services)]
PrincipalDep = Annotated[Principal, Depends(get_principal)]
