"""Router for /_whetstone/chaos/faults: GET, POST (replace), PATCH (add), DELETE (remove).

Left out of the OpenAPI document: that document is the OpenAI-shaped contract the clients are
generated from and the fuzzer drives, and a test tool that can fault every other route has no
place in either. docs/ci.md documents it.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Depends, Request

from service.chaos import operations
from service.chaos.schemas import FaultRules
from service.core.errors import NotFoundError
from service.deps import ChaosRulesDep, PrincipalDep, SettingsDep


def _fault_injection_on(request: Request, settings: SettingsDep) -> None:
    """Where fault injection is off the chaos API does not exist: the 404 of an unknown URL."""
    if not settings.resolved_chaos_enabled:
        raise NotFoundError(
            f"Unknown request URL: {request.method} {request.url.path}. "
            "Please check the URL for typos.",
            code="unknown_url",
        )


router = APIRouter(
    prefix="/_whetstone/chaos",
    include_in_schema=False,
    dependencies=[Depends(_fault_injection_on)],
)

RulesBody = Annotated[FaultRules, Body()]


@router.get("/faults", response_model=FaultRules)
def list_faults(principal: PrincipalDep, store: ChaosRulesDep) -> FaultRules:
    """The caller's project's request faults, in matching order."""
    return operations.list_rules(store, principal=principal)


@router.post("/faults", response_model=FaultRules)
def replace_faults(principal: PrincipalDep, store: ChaosRulesDep, body: RulesBody) -> FaultRules:
    """Replace the project's request faults with `body`."""
    return operations.replace_rules(store, principal=principal, rules=body)


@router.patch("/faults", response_model=FaultRules)
def add_faults(principal: PrincipalDep, store: ChaosRulesDep, body: RulesBody) -> FaultRules:
    """Add `body` to the project's request faults."""
    return operations.add_rules(store, principal=principal, rules=body)


@router.delete("/faults", response_model=FaultRules)
def remove_faults(
    principal: PrincipalDep,
    store: ChaosRulesDep,
    body: Annotated[FaultRules | None, Body()] = None,
) -> FaultRules:
    """Remove the rules that fit `body` (each field it sets must match), or all of them."""
    return operations.remove_rules(store, principal=principal, patterns=body)
