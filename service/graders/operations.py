"""The graders API: validate a grader for the caller, run it on one sample.

Model graders sample through `ModelSamplers` (the caller's own chat completions, as the
Container wires them), so a grader model is any name /v1/chat/completions serves the caller: a
catalog name or alias, or one of the caller's `ft:` models.
"""

from __future__ import annotations

from service.core.auth import Principal
from service.core.config import Settings
from service.core.errors import InvalidRequestError, ModelNotFoundError
from service.graders import grading
from service.graders.model_sampler import ModelSamplers
from service.graders.sandbox import PythonSandbox, sandbox_config
from service.graders.schemas import (
    AnyGrader,
    RunGraderMetadata,
    RunGraderRequest,
    RunGraderResponse,
    ValidateGraderRequest,
    ValidateGraderResponse,
)
from service.graders.templates import Sample


def python_sandbox(settings: Settings) -> PythonSandbox | None:
    """The sandbox for python graders; None where the settings turn them off."""
    config = sandbox_config(settings)
    return PythonSandbox(config) if config is not None else None


async def check_grader(
    models: ModelSamplers, settings: Settings, principal: Principal, grader: AnyGrader
) -> None:
    """400 naming the field when the grader cannot run here or names a model the caller
    cannot use."""
    grading.check_grader(grader, python_enabled=settings.python_graders_enabled)
    for param, model in grading.model_references(grader):
        try:
            await models.check_access(principal, model)
        except ModelNotFoundError:
            raise InvalidRequestError(
                f"The model '{model}' does not exist or you do not have access to it.",
                param=param,
                code="model_not_found",
            ) from None


async def validate_grader(
    models: ModelSamplers,
    settings: Settings,
    principal: Principal,
    request: ValidateGraderRequest,
) -> ValidateGraderResponse:
    """The grader, echoed, once every check passes."""
    await check_grader(models, settings, principal, request.grader)
    return ValidateGraderResponse(grader=request.grader)


async def run_grader(
    models: ModelSamplers,
    settings: Settings,
    principal: Principal,
    request: RunGraderRequest,
) -> RunGraderResponse:
    """The reward of `model_sample` (with `item`), and how it was computed."""
    await check_grader(models, settings, principal, request.grader)
    context = grading.GradingContext(
        sampler=models.for_caller(principal),
        python=python_sandbox(settings),
    )
    sample = Sample.from_text(request.model_sample)
    result = await grading.grade(request.grader, sample, request.item or {}, context)
    return as_run_grader_response(result)


def as_run_grader_response(result: grading.GraderResult) -> RunGraderResponse:
    """The wire object of a grading result."""
    return RunGraderResponse(
        reward=result.reward,
        metadata=RunGraderMetadata(
            name=result.name,
            type=result.type,
            errors=result.errors,
            execution_time=result.execution_time,
            scores=dict(result.sub_rewards),
            token_usage=result.token_usage,
            sampled_model_name=result.sampled_model_name,
        ),
        sub_rewards=dict(result.sub_rewards),
        model_grader_token_usage_per_model={
            model: usage.as_dict() for model, usage in result.usage.items()
        },
    )
