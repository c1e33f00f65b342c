"""Router for /v1/chat/completions and /v1/completions: parse, prepare, answer or stream."""

from __future__ import annotations

from fastapi import APIRouter
from sse_starlette import EventSourceResponse

from service.completions import operations
from service.completions.schemas import (
    ChatCompletion,
    ChatCompletionChunk,
    Completion,
    CreateChatCompletionRequest,
    CreateCompletionRequest,
)
from service.completions.streaming import sse_response
from service.core.openapi import error_responses, event_stream_response
from service.deps import CatalogDep, DatabaseDep, InferenceDep, PrincipalDep

router = APIRouter()

ERRORS = error_responses(
    {
        400: "Invalid request, an unsupported parameter, or over the model's context",
        401: "Missing or unknown API key",
        404: "No such model for the caller (code model_not_found)",
        413: "Request body over WHETSTONE_MAX_JSON_BODY_BYTES",
    }
)


@router.post(
    "/chat/completions",
    operation_id="chat-completions-create",
    response_model=ChatCompletion,
    summary="Create a chat completion, whole or streamed",
    # With `stream: true` the body is server-sent events, one JSON chunk per event.
    responses={200: event_stream_response(ChatCompletionChunk), **ERRORS},
    tags=["chat"],
)
async def create_chat_completion(
    body: CreateChatCompletionRequest,
    db: DatabaseDep,
    catalog: CatalogDep,
    inference: InferenceDep,
    principal: PrincipalDep,
) -> ChatCompletion | EventSourceResponse:
    """A reply to the conversation, whole or streamed as server-sent events."""
    prepared = await operations.prepare_chat(db, catalog, inference, principal, body)
    if body.stream:
        chunks = await operations.stream_chat_completion(inference, prepared, body)
        return sse_response(chunks)
    return await operations.create_chat_completion(inference, prepared, body)


@router.post(
    "/completions",
    operation_id="completions-create",
    response_model=Completion,
    summary="Create a completion (legacy), whole or streamed",
    # Each streamed event of a legacy completion is a Completion, as OpenAI streams them.
    responses={200: event_stream_response(Completion), **ERRORS},
    tags=["completions"],
)
async def create_completion(
    body: CreateCompletionRequest,
    db: DatabaseDep,
    catalog: CatalogDep,
    inference: InferenceDep,
    principal: PrincipalDep,
) -> Completion | EventSourceResponse:
    """Text continuing the prompt(s), whole or streamed as server-sent events."""
    prepared = await operations.prepare_completion(db, catalog, inference, principal, body)
    if body.stream:
        chunks = await operations.stream_completion(inference, prepared, body)
        return sse_response(chunks)
    return await operations.create_completion(inference, prepared, body)
