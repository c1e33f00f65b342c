"""Tinker's front door: the routes the `tinker` SDK (>=0.38.0,<0.39) calls, under `/api/v1`.

Thin: parse the body, authenticate (`X-API-Key`), hand to operations. Every operation is a
future (service/tinker/futures.py): a submit answers `{"request_id", "model_id"?}` at once,
and `retrieve_future` long-polls for the result. The routes stay out of the OpenAPI document;
errors take Tinker's envelope (service/tinker/errors.py).
"""

from __future__ import annotations

from collections.abc import Callable

import zstandard
from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, Response

from service.core.auth import Principal
from service.core.config import Settings
from service.core.db import Database
from service.core.errors import InvalidRequestError, PayloadTooLargeError
from service.deps import CatalogDep, DatabaseDep, SettingsDep
from service.tinker import futures, operations
from service.tinker.deps import TinkerPrincipal
from service.tinker.errors import check_sdk_version
from service.tinker.protobuf import peek_forward_backward
from service.tinker.schemas import (
    ClientConfigRequest,
    ClientConfigResponse,
    ClientDynamicConfigResponse,
    CreateModelRequest,
    CreateSessionRequest,
    CreateSessionResponse,
    FutureRetrieveRequest,
    GetInfoRequest,
    GetInfoResponse,
    GetServerCapabilitiesResponse,
    HealthResponse,
    LoadWeightsRequest,
    OptimStepRequest,
    SaveWeightsRequest,
    SessionHeartbeatRequest,
    SessionHeartbeatResponse,
    TelemetryResponse,
    UnloadModelRequest,
    UntypedAPIFuture,
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
    if state.status in ("pending", "running"):
        queue_state = await run_in_threadpool(operations.queue_state, db, state)
        return JSONResponse(
            {"type": "try_again", "request_id": state.request_id, "queue_state": queue_state}
        )
    return future_response(state)


def future_response(state: futures.FutureState) -> Response:
    """The HTTP answer for an ended future: its result, or Tinker's 200 error body."""
    if state.status != "done" or state.result is None:
        return JSONResponse(state.error or {"error": "The request failed.", "category": "server"})
    if state.result_type == "proto":
        return Response(state.result, media_type=PROTOBUF_MEDIA_TYPE)
    return Response(state.result, media_type="application/json")


async def read_protobuf_body(request: Request, *, limit: int) -> bytes:
    """The protobuf body, zstd removed when Content-Encoding says so; 413 above `limit`."""
    body = await request.body()
    encoding = request.headers.get("content-encoding", "").strip().lower()
    if encoding in ("", "identity"):
        payload = body
    elif encoding == "zstd":
        try:
            payload = await run_in_threadpool(_unzstd, body, limit)
        except zstandard.ZstdError as exc:
            raise InvalidRequestError(
                f"The body is not valid zstd (Content-Encoding: zstd): {exc}."
            ) from exc
    else:
        raise InvalidRequestError(
            f"Content-Encoding {encoding!r} is not supported: send zstd or no encoding.",
            code="unsupported_content_encoding",
        )
    if len(payload) > limit:
        raise PayloadTooLargeError(
            f"The request body is {len(payload)} bytes, above this server's limit of {limit} "
            "(WHETSTONE_TINKER_MAX_REQUEST_BYTES)."
        )
    return payload


def _unzstd(body: bytes, limit: int) -> bytes:
    # Streamed, so that a small body that decompresses into gigabytes stops at the limit.
    reader = zstandard.ZstdDecompressor().stream_reader(body, read_across_frames=True)
    parts: list[bytes] = []
    size = 0
    while size <= limit and (part := reader.read(1024 * 1024)):
        parts.append(part)
        size += len(part)
    return b"".join(parts)


async def _json_body(request: Request) -> bytes:
    """The raw JSON body, stored as the request's payload (the worker reads it)."""
    return await request.body()


@router.post("/create_model")
async def create_model(
    body: CreateModelRequest,
    request: Request,
    principal: TinkerPrincipal,
    db: DatabaseDep,
    catalog: CatalogDep,
) -> UntypedAPIFuture:
    """A LoRA training client's model: a future that ends once a worker has loaded it."""
    payload = await _json_body(request)
    submitted = await run_in_threadpool(
        operations.create_model, db, catalog, principal=principal, request=body, payload=payload
    )
    return UntypedAPIFuture(request_id=submitted.request_id, model_id=submitted.model_id)


@router.post("/get_info")
def get_info(
    body: GetInfoRequest, principal: TinkerPrincipal, db: DatabaseDep, catalog: CatalogDep
) -> GetInfoResponse:
    """A training model's base model and LoRA rank."""
    return operations.get_info(db, catalog, principal=principal, model_id=body.model_id)


@router.post("/unload_model")
def unload_model(
    body: UnloadModelRequest, principal: TinkerPrincipal, db: DatabaseDep
) -> UntypedAPIFuture:
    """Free the model's device after its queued requests."""
    submitted = operations.unload_model(
        db, principal=principal, model_id=body.model_id, seq_id=body.seq_id
    )
    return UntypedAPIFuture(request_id=submitted.request_id, model_id=submitted.model_id)


async def _submit_forward_backward(
    request: Request,
    principal: Principal,
    db: Database,
    settings: Settings,
    *,
    kind: str,
) -> UntypedAPIFuture:
    payload = await read_protobuf_body(request, limit=settings.tinker_max_request_bytes)
    header = await run_in_threadpool(peek_forward_backward, payload)
    submitted = await run_in_threadpool(
        operations.submit_to_model,
        db,
        principal=principal,
        kind="forward" if kind == "forward" or header.forward_only else kind,
        model_id=header.model_id,
        seq_id=header.seq_id,
        payload=payload,
        payload_type="proto",
    )
    return UntypedAPIFuture(request_id=submitted.request_id, model_id=submitted.model_id)


@router.post("/forward_backward")
async def forward_backward(
    request: Request, principal: TinkerPrincipal, db: DatabaseDep, settings: SettingsDep
) -> UntypedAPIFuture:
    """A ForwardBackwardRequest (protobuf, zstd when Content-Encoding says so), queued at its
    seq_id; its future ends with a ForwardBackwardOutput (protobuf)."""
    return await _submit_forward_backward(request, principal, db, settings, kind="forward_backward")


@router.post("/forward")
async def forward(
    request: Request, principal: TinkerPrincipal, db: DatabaseDep, settings: SettingsDep
) -> UntypedAPIFuture:
    """A forward pass only (no gradient): the same body as forward_backward."""
    return await _submit_forward_backward(request, principal, db, settings, kind="forward")


async def _submit_json(
    request: Request,
    principal: Principal,
    db: Database,
    *,
    kind: str,
    model_id: str,
    seq_id: int | None,
) -> UntypedAPIFuture:
    payload = await _json_body(request)
    submitted = await run_in_threadpool(
        operations.submit_to_model,
        db,
        principal=principal,
        kind=kind,
        model_id=model_id,
        seq_id=seq_id,
        payload=payload,
        payload_type="json",
    )
    return UntypedAPIFuture(request_id=submitted.request_id, model_id=submitted.model_id)


@router.post("/optim_step")
async def optim_step(
    body: OptimStepRequest, request: Request, principal: TinkerPrincipal, db: DatabaseDep
) -> UntypedAPIFuture:
    """An Adam step on the gradients accumulated since the last one."""
    return await _submit_json(
        request, principal, db, kind="optim_step", model_id=body.model_id, seq_id=body.seq_id
    )


@router.post("/save_weights")
async def save_weights(
    body: SaveWeightsRequest, request: Request, principal: TinkerPrincipal, db: DatabaseDep
) -> UntypedAPIFuture:
    """Save the LoRA weights and optimizer state: `tinker://{model_id}/weights/{name}`."""
    return await _submit_json(
        request, principal, db, kind="save_weights", model_id=body.model_id, seq_id=body.seq_id
    )


@router.post("/save_weights_for_sampler")
async def save_weights_for_sampler(
    body: SaveWeightsRequest, request: Request, principal: TinkerPrincipal, db: DatabaseDep
) -> UntypedAPIFuture:
    """Save the LoRA weights for sampling: `tinker://{model_id}/sampler_weights/{name}`."""
    return await _submit_json(
        request,
        principal,
        db,
        kind="save_weights_for_sampler",
        model_id=body.model_id,
        seq_id=body.seq_id,
    )


@router.post("/load_weights")
async def load_weights(
    body: LoadWeightsRequest,
    request: Request,
    principal: TinkerPrincipal,
    db: DatabaseDep,
    catalog: CatalogDep,
) -> UntypedAPIFuture:
    """Load a checkpoint into a model (model_id, seq_id), or create a model from it
    (session_id, model_seq_id: create_training_client_from_state)."""
    if body.session_id is not None or body.model_seq_id is not None:
        if body.session_id is None or body.model_seq_id is None or body.model_id is not None:
            raise InvalidRequestError(
                "load_weights takes either model_id and seq_id, or session_id and model_seq_id.",
                param="session_id",
            )
        payload = await _json_body(request)
        submitted = await run_in_threadpool(
            operations.create_model_from_checkpoint,
            db,
            catalog,
            principal=principal,
            request=body,
            payload=payload,
        )
        return UntypedAPIFuture(request_id=submitted.request_id, model_id=submitted.model_id)
    if body.model_id is None:
        raise InvalidRequestError(
            "load_weights takes either model_id and seq_id, or session_id and model_seq_id.",
            param="model_id",
        )
    return await _submit_json(
        request, principal, db, kind="load_weights", model_id=body.model_id, seq_id=body.seq_id
    )


@router.post("/sessions/{session_id}/finish")
def finish_session(session_id: str, principal: TinkerPrincipal, db: DatabaseDep) -> Response:
    """`ServiceClient.close()`: every model of the session is unloaded after the requests it
    has, so its device slot frees now rather than at the idle timeout."""
    operations.finish_session(db, principal=principal, session_id=session_id)
    return Response(status_code=200, content=b"null", media_type="application/json")


# What the SDK may call that Whetstone does not implement: refused by name, never a 404.
_UNSUPPORTED = {
    "/create_custom_loss": (
        "create_custom_loss (server-side custom losses) is not supported by Whetstone's Tinker "
        "API; use one of the built-in losses: cross_entropy, importance_sampling, ppo, cispo, "
        "dro."
    ),
    "/copy_weights": "copy_weights is not supported by Whetstone's Tinker API.",
    "/retrieve_futures": (
        "retrieve_futures is not supported by Whetstone's Tinker API (client/config says "
        "sample_use_retrieve_futures false): poll each request with retrieve_future."
    ),
    "/cancel_future": (
        "cancel_future is not supported by Whetstone's Tinker API (client/dynamic_config says "
        "sample_cancel_enabled false): a submitted request runs to its end."
    ),
    "/auth/token": (
        "JWT exchange (/auth/token) is not supported: this server says pjwt_auth_enabled "
        "false; send the tml- API key as X-API-Key."
    ),
}


def _refuse(message: str) -> Callable[[Principal], Response]:
    def refuse(_principal: TinkerPrincipal) -> Response:
        raise InvalidRequestError(message, code="unsupported")

    return refuse


for _path, _message in _UNSUPPORTED.items():
    router.add_api_route(_path, _refuse(_message), methods=["POST"])
# The admin client's audit log and billing: Tinker's hosted service, none here.
for _path in ("/audit", "/billing/usage/events", "/billing/usage/checkpoints/current"):
    router.add_api_route(
        _path,
        _refuse(f"{_path.lstrip('/')} is part of Tinker's hosted service, not Whetstone's."),
        methods=["GET"],
    )
