"""Router for /v1/completions (legacy)."""

from __future__ import annotations

from fastapi import APIRouter
from sse_starlette import EventSourceResponse

from service import serving
from service.api.chat import ERRORS, SSE_PING_SECONDS, STREAM_CONTENT
from service.api.deps import PrincipalDep, ServicesDep
from service.schemas.completions import Completion, CreateCompletionRequest

router = APIRouter(tags=["completions"])


@router.post(
    "/completions",
    operation_id="completions-create",
    response_model=Completion,
    summary="Create a completion (legacy), whole or streamed",
    responses={200: STREAM_CONTENT, **ERRORS},
)
async def create_completion(
    body: CreateCompletionRequest, services: ServicesDep, principal: PrincipalDep
) -> Completion | EventSourceResponse:
    """Text continuing the prompt(s), whole or streamed as server-sent events."""
    prepared = await serving.prepare_completion(services, principal, body)
    if body.stream:
        chunks = await serving.stream_completion(services, prepared, body)
        return EventSourceResponse(chunks, sep="\n", ping=SSE_PING_SECONDS)
    return await serving.create_completion(services, prepared, body)
