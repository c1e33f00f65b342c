"""Tinker's front door: the routes the `tinker` SDK (>=0.38.0,<0.39) calls, under `/api/v1`.

Thin: parse the body, authenticate (`X-API-Key`), hand to operations. Every operation is a
future (service/tinker/futures.py): a submit answers `{"request_id", "model_id"?}` at once,
and `retrieve_future` long-polls for the result. The routes stay out of the OpenAPI document;
errors take Tinker's envelope (service/tinker/errors.py).
"""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, Response

from service.deps import CatalogDep, DatabaseDep, SettingsDep
from service.tinker import futures, operations
from service.tinker.deps import TinkerPrincipal
from service.tinker.errors import check_sdk_version
from service.tinker.schemas import (
    ClientConfigRequest,
    ClientConfigResponse,
    ClientDynamicConfigResponse,
    CreateSessionRequest,
    CreateSessionResponse,
    FutureRetrieveRequest,
    GetServerCapabilitiesResponse,
    HealthResponse,
    SessionHeartbeatRequest,
    SessionHeartbeatResponse,
    TelemetryResponse,
)

router = APIRouter(include_in_schema=False)

PROTOBUF_MEDIA_TYPE = "application/x-protobuf"


@router.get("/healthz")
def healthz() -> HealthResponse:
    """Liveness, as the SDK asks it."""
    return HealthResponse()


@router.post("/client/config")
def client_config(body: ClientConfigRequest, _principal: TinkerPrincipal) -> ClientConfigResponse:
    """The server's feature flags; an unsupported SDK version is refused here first."""
    check_sdk_version(body.sdk_version)
    return ClientConfigResponse()


@router.post("/client/dynamic_config")
def client_dynamic_config(
    body: ClientConfigRequest, _principal: TinkerPrincipal
) -> ClientDynamicConfigResponse:
    """The flags the SDK refreshes while it runs."""
    check_sdk_version(body.sdk_version)
    return ClientDynamicConfigResponse()


@router.get("/get_server_capabilities")
def get_server_capabilities(
    _principal: TinkerPrincipal, catalog: CatalogDep
) -> GetServerCapabilitiesResponse:
    """The base models a LoRA training client may be created on."""
    return operations.server_capabilities(catalog)


@router.post("/create_session")
def create_session(
    body: CreateSessionRequest, principal: TinkerPrincipal, db: DatabaseDep
) -> CreateSessionResponse:
    """A client session; an unsupported SDK version is refused with the supported range."""
    check_sdk_version(body.sdk_version)
    return operations.create_session(db, principal=principal, request=body)


@router.post("/session_heartbeat")
def session_heartbeat(
    body: SessionHeartbeatRequest, principal: TinkerPrincipal, db: DatabaseDep
) -> SessionHeartbeatResponse:
    """Keep a session (and its models) from being reclaimed as idle."""
    operations.session_heartbeat(db, principal=principal, session_id=body.session_id)
    return SessionHeartbeatResponse()


@router.post("/telemetry")
def telemetry(_principal: TinkerPrincipal) -> TelemetryResponse:
    """The SDK's telemetry: accepted and dropped, nothing leaves the deployment."""
    return TelemetryResponse()


@router.post("/retrieve_future")
async def retrieve_future(
    body: FutureRetrieveRequest,
    principal: TinkerPrincipal,
    db: DatabaseDep,
    settings: SettingsDep,
) -> Response:
    """A future's result: JSON or protobuf when done, 200 `{"error", "category"}` when failed,
    `try_again` while still pending after the long poll."""
    state = await futures.wait(
        db,
        project=principal.project,
        request_id=body.request_id,
        timeout_seconds=settings.tinker_long_poll_seconds,
    )
    return future_response(state, await run_in_threadpool(operations.queue_state, db, state))


def future_response(state: futures.FutureState, queue_state: str) -> Response:
    """The HTTP answer for a future's state."""
    if state.status == "failed":
        return JSONResponse(state.error or {"error": "The request failed.", "category": "server"})
    if state.status != "done" or state.result is None:
        return JSONResponse(
            {"type": "try_again", "request_id": state.request_id, "queue_state": queue_state}
        )
    if state.result_type == "proto":
        return Response(state.result, media_type=PROTOBUF_MEDIA_TYPE)
    return Response(state.result, media_type="application/json")
