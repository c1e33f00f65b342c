"""Router for /v1/chat/completions."""

from __future__ import annotations

from fastapi import APIRouter
from sse_starlette import EventSourceResponse

from service import serving
from service.api.deps import PrincipalDep, ServicesDep
from service.schemas.chat import ChatCompletion, CreateChatCompletionRequest
from service.schemas.common import error_responses

router = APIRouter(tags=["chat"])

ERRORS = error_responses(
    {
        400: "Invalid request, an unsupported parameter, or over the model's context",
        401: "Missing or unknown API key",
        404: "No such model for the caller (code model_not_found)",
        413: "Request body over WHETSTONE_MAX_JSON_BODY_BYTES",
    }
)

# With `stream: true` the body is server-sent events, one JSON chunk per `data:` line.
STREAM_CONTENT = {
    "content": {
        "text/event-stream": {
            "schema": {
                "type": "string",
                "description": "`data: <chunk JSON>` events, ending with `data: [DONE]`.",
            }
        }
    }
}

# Comment lines (": ping") keep idle proxies from closing a slow stream; SSE clients skip them.
SSE_PING_SECONDS = 15


@router.post(
    "/chat/completions",
    operation_id="chat-completions-create",
    response_model=ChatCompletion,
    summary="Create a chat completion, whole or streamed",
    responses={200: STREAM_CONTENT, **ERRORS},
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
