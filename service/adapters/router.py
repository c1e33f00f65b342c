"""Router for GET /_whetstone/internal/adapters/{key}: an adapter's files as a tar, for vLLM.

vLLM servers on other hosts have no access to Whetstone's data directory; Whetstone's LoRA
resolver plugin (deploy/vllm-plugin) fetches each adapter here by its storage key. The caller
is a vLLM server, not a client: it presents WHETSTONE_INTERNAL_TOKEN instead of an API key,
and the route stays out of the OpenAPI document.
"""

from __future__ import annotations

import asyncio

from fastapi import APIRouter, Request
from fastapi.responses import StreamingResponse

from service.adapters import operations
from service.deps import SettingsDep, StoreDep

router = APIRouter(prefix="/_whetstone/internal", tags=["internal"], include_in_schema=False)


@router.get("/adapters/{key:path}")
async def adapter_archive(
    key: str, request: Request, settings: SettingsDep, store: StoreDep
) -> StreamingResponse:
    """The tar of the adapter or model stored under `key`; 401 without the internal token,
    404 for any other key."""
    operations.authenticate_internal(request.headers.get("authorization"), settings.internal_token)
    # Listed before the answer starts, so that a missing key or a store outage is an error
    # status, not a broken stream; the store blocks, hence a thread.
    members = await asyncio.to_thread(operations.archive_members, store, key)
    # A sync iterator: Starlette runs each step on a worker thread, off the event loop.
    return StreamingResponse(
        operations.archive_chunks(store, key, members),
        media_type="application/x-tar",
        headers={"content-length": str(operations.archive_size(members))},
    )
