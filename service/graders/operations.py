"""The graders API: validate a grader for the caller, run it on one sample.

Model graders sample through the caller's own chat completions (ServedModelSampler), so a
grader model is any name /v1/chat/completions serves the caller: a catalog name or alias, or
one of the caller's `ft:` models.
"""

from __future__ import annotations

from pydantic import ValidationError

from service.catalog import Catalog
from service.completions import operations as completions
from service.completions.schemas import CreateChatCompletionRequest
from service.core.auth import Principal
from service.core.config import Settings
from service.core.db import Database
from service.core.errors import InvalidRequestError, ModelNotFoundError, WhetstoneError
from service.graders import grading
from service.graders.model_sampler import ChatReply, ChatRequest, ModelSamplingError
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
from service.inference import InferenceService
from service.models.operations import resolve_model


class ServedModelSampler:
    """Grader models answered by the inference engine, as the caller's chat completions."""

    def __init__(
        self, db: Database, catalog: Catalog, inference: InferenceService, principal: Principal
    ):
        self.db, self.catalog, self.inference, self.principal = db, catalog, inference, principal

    async def chat(self, request: ChatRequest) -> ChatReply:
        """One greedy (or sampled, if asked) chat completion of the grader model."""
        try:
            body = CreateChatCompletionRequest.model_validate(
                {
                    "model": request.model,
                    "messages": request.messages,
                    "max_completion_tokens": request.max_tokens,
                    "temperature": request.temperature,
                    "top_p": request.top_p,
                    "seed": request.seed,
                }
            )
            prepared = await completions.prepare_chat(
                self.db, self.catalog, self.inference, self.principal, body
            )
            completion = await completions.create_chat_completion(self.inference, prepared, body)
        except (WhetstoneError, ValidationError) as exc:
            message = exc.message if isinstance(exc, WhetstoneError) else str(exc)
            raise ModelSamplingError(message) from exc
        choice = completion.choices[0]
        return ChatReply(
            text=choice.message.content or "",
            prompt_tokens=completion.usage.prompt_tokens,
            completion_tokens=completion.usage.completion_tokens,
            finish_reason=choice.finish_reason,
        )


def python_sandbox(settings: Settings) -> PythonSandbox | None:
    """The sandbox for python graders; None where the settings turn them off."""
    config = sandbox_config(settings)
    return PythonSandbox(config) if config is not None else None


async def check_grader(
    db: Database, catalog: Catalog, settings: Settings, principal: Principal, grader: AnyGrader
) -> None:
    """400 naming the field when the grader cannot run here or names a model the caller
    cannot use."""
    grading.check_grader(grader, python_enabled=settings.python_graders_enabled)
    for param, model in grading.model_references(grader):
        try:
            await resolve_model(db, catalog, principal, model)
        except ModelNotFoundError:
            raise InvalidRequestError(
                f"The model '{model}' does not exist or you do not have access to it.",
                param=param,
                code="model_not_found",
            ) from None


async def validate_grader(
    db: Database,
    catalog: Catalog,
    settings: Settings,
    principal: Principal,
    request: ValidateGraderRequest,
) -> ValidateGraderResponse:
    """The grader, echoed, once every check passes."""
    await check_grader(db, catalog, settings, principal, request.grader)
    return ValidateGraderResponse(grader=request.grader)


async def run_grader(
    db: Database,
    catalog: Catalog,
    inference: InferenceService,
    settings: Settings,
    principal: Principal,
    request: RunGraderRequest,
) -> RunGraderResponse:
    """The reward of `model_sample` (with `item`), and how it was computed."""
    await check_grader(db, catalog, settings, principal, request.grader)
    context = grading.GradingContext(
        sampler=ServedModelSampler(db, catalog, inference, principal),
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
