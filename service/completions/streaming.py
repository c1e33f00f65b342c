"""Server-sent events for both completion endpoints: payload framing and the one stream end."""

from __future__ import annotations

import json
from collections.abc import AsyncGenerator, AsyncIterator, Mapping

from sse_starlette import EventSourceResponse

from service.core.errors import WhetstoneError
from service.inference import Generation
from service.inference.types import SequenceEvent

DONE = "[DONE]"
# Comment lines (": ping") keep idle proxies from closing a slow stream; SSE clients skip them.
SSE_PING_SECONDS = 15


def sse_data(payload: Mapping[str, object]) -> str:
    """One SSE `data:` payload as compact JSON (sse-starlette adds the framing); `payload` is
    anything json.dumps serializes: a wire model's dump, or an event built as TypedDicts."""
    return json.dumps(payload, separators=(",", ":"), ensure_ascii=False)


async def sse_payloads(chunks: AsyncIterator[Mapping[str, object]]) -> AsyncIterator[str]:
    """Chunks as SSE payloads, `[DONE]` last. A failure once the stream has started can no
    longer be an HTTP status, so it is sent as OpenAI's error envelope and ends the stream."""
    try:
        async for chunk in chunks:
            yield sse_data(chunk)
    except WhetstoneError as exc:
        yield sse_data(exc.envelope())
        return
    yield DONE


def sse_response(chunks: AsyncIterator[Mapping[str, object]]) -> EventSourceResponse:
    """The streamed answer of either endpoint: `sse_payloads` of the chunks, pinged when idle."""
    return EventSourceResponse(sse_payloads(chunks), sep="\n", ping=SSE_PING_SECONDS)


async def first_then_rest(generation: Generation) -> AsyncIterator[SequenceEvent]:
    """The generation's events, with the first one awaited before the stream starts, so that
    a failure to start (an adapter gone missing) is still an HTTP error, not a broken stream."""
    events = generation.events()
    first = await anext(events)

    async def chain() -> AsyncIterator[SequenceEvent]:
        try:
            yield first
            async for event in events:
                yield event
        finally:
            if isinstance(events, AsyncGenerator):
                await events.aclose()

    return chain()
