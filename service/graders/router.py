"""Router for /v1/fine_tuning/alpha/graders: run and validate a grader."""

from __future__ import annotations

from fastapi import APIRouter

from service.core.openapi import error_responses
from service.deps import ModelSamplersDep, PrincipalDep, SettingsDep
from service.graders import operations
from service.graders.schemas import (
    RunGraderRequest,
    RunGraderResponse,
    ValidateGraderRequest,
    ValidateGraderResponse,
)

router = APIRouter(tags=["fine-tuning"])

ERRORS = error_responses(
    {
        400: "A malformed grader, one that cannot run here, or a model the caller cannot use",
        401: "Missing or unknown API key",
        413: "Request body over WHETSTONE_MAX_JSON_BODY_BYTES",
    }
)


@router.post(
    "/fine_tuning/alpha/graders/run",
    operation_id="fine_tuning-alpha-graders-run",
    summary="Run a grader on one model sample",
    response_model=RunGraderResponse,
    responses=ERRORS,
)
async def run_grader(
    body: RunGraderRequest,
    models: ModelSamplersDep,
    settings: SettingsDep,
    principal: PrincipalDep,
) -> RunGraderResponse:
    """The reward of the sample, with what happened while grading it."""
    return await operations.run_grader(models, settings, principal, body)


@router.post(
    "/fine_tuning/alpha/graders/validate",
    operation_id="fine_tuning-alpha-graders-validate",
    summary="Validate a grader",
    response_model=ValidateGraderResponse,
    # Optional fields left out are left out of the echo, as OpenAI's schema has no nulls there.
    response_model_exclude_none=True,
    responses=ERRORS,
)
async def validate_grader(
    body: ValidateGraderRequest,
    models: ModelSamplersDep,
    settings: SettingsDep,
    principal: PrincipalDep,
) -> ValidateGraderResponse:
    """The grader, echoed, when it can run here."""
    return await operations.validate_grader(models, settings, principal, body)
