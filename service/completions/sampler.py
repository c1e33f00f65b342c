"""Grader models sampled through the caller's own chat completions.

The graders package declares what a model grader needs (service/graders/model_sampler.py);
this is the API's implementation, on the completions side, so that graders import neither
completions nor models. The Container builds one `ServedModels` and hands it to the graders
router and the eval runner.
"""

from __future__ import annotations

from pydantic import ValidationError

from service.catalog import Catalog
from service.completions import operations as completions
from service.completions.schemas import CreateChatCompletionRequest
from service.core.auth import Principal
from service.core.db import Database
from service.core.errors import WhetstoneError
from service.graders.model_sampler import ChatReply, ChatRequest, ModelSamplingError
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
            # The request names no tools, so a reply ends on a stop or on the length limit.
            finish_reason="length" if choice.finish_reason == "length" else "stop",
        )


class ServedModels:
    """The models /v1/chat/completions serves, as graders.model_sampler.ModelSamplers."""

    def __init__(self, db: Database, catalog: Catalog, inference: InferenceService):
        self.db, self.catalog, self.inference = db, catalog, inference

    def for_caller(self, principal: Principal) -> ServedModelSampler:
        """A sampler answering as `principal`'s own chat completions."""
        return ServedModelSampler(self.db, self.catalog, self.inference, principal)

    async def check_access(self, principal: Principal, model: str) -> None:
        """ModelNotFoundError when `principal` cannot use `model`."""
        await resolve_model(self.db, self.catalog, principal, model)
