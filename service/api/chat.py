"""Router for /v1/chat/completions."""

from __future__ import annotations

from fastapi import APIRouter
from sse_starlette import EventSourceResponse

from service import serving
from service.api.deps import PrincipalDep, ServicesDep
from service.schemas.chat import ChatCompletion, CreateChatCompletionRequest
from service.schemas.common import ErrorResponse

router = APIRouter(tags=["Chat"])

# Comment lines (": ping") keep idle proxies from closing a slow stream; SSE clients skip them.
SSE_PING_SECONDS = 15


@router.post(
    "/chat/completions",
    operation_id="chat-completions-create",
    response_model=ChatCompletion,
    responses={
        200: {"content": {"text/event-stream": {}}},
        400: {"model": ErrorResponse},
        404: {"model": ErrorResponse},
    },
)
async def create_chat_completion(
    body: CreateChatCompletionRequest, services: ServicesDep, principal: PrincipalDep
) -> ChatCompletion | EventSourceResponse:
    """A reply to the conversation, whole or streamed as server-sent events."""
    prepared = await serving.prepare_chat(services, principal, body)
    if body.stream:
        chunks = await serving.stream_chat_completion(services, prepared, body)
        return EventSourceResponse(chunks, sep="\n", ping=SSE_PING_SECONDS)
    return await serving.create_chat_completion(services, prepared, body)
