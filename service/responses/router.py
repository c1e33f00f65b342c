"""Router for /v1/responses: create (whole or streamed), retrieve, delete, cancel, input items."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from sse_starlette import EventSourceResponse

from service.completions.streaming import SSE_PING_SECONDS, sse_data
from service.core.openapi import error_responses, event_stream_response
from service.core.wire import JSONObject
from service.deps import CatalogDep, DatabaseDep, InferenceDep, PrincipalDep
from service.responses import operations
from service.responses.operations import StreamEvent
from service.responses.schemas import (
    CreateResponseRequest,
    Response,
    ResponseDeleted,
    ResponseItemList,
    ResponseStreamEvent,
)

router = APIRouter(tags=["responses"])

ERRORS = error_responses(
    {
        400: "Invalid request, an unsupported parameter, or over the model's context",
        401: "Missing or unknown API key",
        404: "No such model, or no such stored response for the caller",
        413: "Request body over WHETSTONE_MAX_JSON_BODY_BYTES",
    }
)
RESPONSE_ID = Annotated[str, "The id of a stored response (`resp_...`)."]


def _stream_doc() -> dict[str, Any]:
    """Responses stream as named events (`event: <type>`), with no `[DONE]`, as OpenAI does."""
    doc = event_stream_response(ResponseStreamEvent)  # registers the event model's schema
    doc["content"]["text/event-stream"]["schema"] = {
        "type": "object",
        "description": "One server-sent event per ResponseStreamEvent, its `event:` field the "
        "event's type; the stream ends after `response.completed`, `response.incomplete` or "
        "`error`. The `: ping` comment lines of a quiet stream are not events.",
        "required": ["data"],
        "properties": {
            "data": {
                "type": "string",
                "contentMediaType": "application/json",
                "contentSchema": {"$ref": "#/components/schemas/ResponseStreamEvent"},
            },
            "event": {"type": "string", "description": "The event's `type`."},
        },
    }
    return doc


async def _named_events(events: AsyncIterator[StreamEvent]) -> AsyncIterator[dict[str, str]]:
    async for event in events:
        yield {"event": event["type"], "data": sse_data(event)}


@router.post(
    "/responses",
    operation_id="responses-create",
    response_model=Response,
    summary="Create a model response, whole or streamed",
    responses={200: _stream_doc(), **ERRORS},
)
async def create_response(
    body: CreateResponseRequest,
    db: DatabaseDep,
    catalog: CatalogDep,
    inference: InferenceDep,
    principal: PrincipalDep,
) -> JSONObject | EventSourceResponse:
    """A reply to the input (and the stored conversation it continues), whole or streamed."""
    prepared = await operations.prepare_response(db, catalog, inference, principal, body)
    if body.background:
        return await operations.start_background(db, inference, principal, prepared)
    if body.stream:
        events = await operations.stream_response(db, inference, principal, prepared)
        return EventSourceResponse(_named_events(events), sep="\n", ping=SSE_PING_SECONDS)
    return await operations.create_response(db, inference, principal, prepared)


@router.get(
    "/responses/{response_id}",
    operation_id="responses-retrieve",
    response_model=Response,
    summary="Retrieve a stored response",
    responses=ERRORS,
)
async def retrieve_response(
    response_id: RESPONSE_ID, db: DatabaseDep, principal: PrincipalDep
) -> JSONObject:
    """The stored response, as it was answered."""
    return await asyncio.to_thread(
        operations.get_response, db, project=principal.project, response_id=response_id
    )


@router.delete(
    "/responses/{response_id}",
    operation_id="responses-delete",
    response_model=ResponseDeleted,
    summary="Delete a stored response",
    responses=ERRORS,
)
async def delete_response(
    response_id: RESPONSE_ID, db: DatabaseDep, principal: PrincipalDep
) -> ResponseDeleted:
    """Forget the stored response; it can no longer be continued."""
    await asyncio.to_thread(
        operations.delete_response, db, project=principal.project, response_id=response_id
    )
    # OpenAI's description documents this 200 with no body; its API answers this object.
    return ResponseDeleted(id=response_id)


@router.post(
    "/responses/{response_id}/cancel",
    operation_id="responses-cancel",
    response_model=Response,
    summary="Cancel a background response",
    responses=ERRORS,
)
async def cancel_response(
    response_id: RESPONSE_ID, db: DatabaseDep, principal: PrincipalDep
) -> JSONObject:
    """Stop a queued or running background response; a 400 for one not created in
    background."""
    return await asyncio.to_thread(
        operations.cancel_response, db, project=principal.project, response_id=response_id
    )


@router.get(
    "/responses/{response_id}/input_items",
    operation_id="responses-input-items-list",
    response_model=ResponseItemList,
    summary="List a stored response's input items",
    responses=ERRORS,
)
async def list_input_items(
    response_id: RESPONSE_ID,
    db: DatabaseDep,
    principal: PrincipalDep,
    after: Annotated[
        str | None, Query(description="Id of the last item of the previous page.")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=100, description="Page size, 1 to 100.")] = 20,
    order: Annotated[
        Literal["asc", "desc"], Query(description="`desc` (default, newest first) or `asc`.")
    ] = "desc",
) -> ResponseItemList:
    """The input items the response was created from (its own, not earlier turns')."""
    return await asyncio.to_thread(
        operations.list_input_items,
        db,
        project=principal.project,
        response_id=response_id,
        limit=limit,
        order=order,
        after=after,
    )
