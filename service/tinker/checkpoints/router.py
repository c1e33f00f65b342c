"""Tinker's REST routes for training runs, checkpoints, downloads and sessions, under `/api/v1`.

Thin: parse, authenticate (`X-API-Key`), hand to operations. A checkpoint id is
`<kind>/<name>` (`weights`, `sampler_weights`, `external_weights`), two path segments. The
signed download routes (`/_downloads/...`) need no key: the URL is the grant. Routes of the SDK
this server does not serve are refused by name, never a bare 404. Whetstone's bridges to the
jobs world (a checkpoint or a PEFT adapter as an `ft:` model) are under `/_whetstone/`.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import RedirectResponse, StreamingResponse

from service.adapters import operations as adapter_archives
from service.core.errors import InvalidRequestError, PayloadTooLargeError
from service.deps import CatalogDep, DatabaseDep, InferenceDep, SettingsDep, StoreDep
from service.fine_tuning.schemas import FineTuningJob
from service.tinker import futures
from service.tinker.checkpoints import bridges, downloads, operations
from service.tinker.checkpoints.schemas import (
    CheckpointsListResponse,
    ExternalWeightsUrlsResponse,
    GetSessionResponse,
    ListSessionsResponse,
    PublishModelRequest,
    SaveWeightsExternalRequest,
    TrainingRun,
    TrainingRunsResponse,
    TtlRequest,
    WeightsInfoRequest,
    WeightsInfoResponse,
)
from service.tinker.deps import TinkerPrincipal
from service.tinker.sampling.schemas import SampleFuture

router = APIRouter(include_in_schema=False)

_CHECKPOINT = "/training_runs/{model_id}/checkpoints/{kind}/{name}"
_TAR_MEDIA_TYPE = "application/x-tar"


def _refuse(what: str) -> InvalidRequestError:
    return InvalidRequestError(f"{what} is not supported by this Whetstone server.")


@router.get("/training_runs")
async def list_training_runs(
    principal: TinkerPrincipal,
    db: DatabaseDep,
    limit: Annotated[int, Query()] = 20,
    offset: Annotated[int, Query()] = 0,
    access_scope: Annotated[str, Query()] = "owned",
    project_id: Annotated[str | None, Query()] = None,
) -> TrainingRunsResponse:
    """A page of the caller's training runs, newest first."""
    if project_id is not None:
        raise _refuse("Listing another Tinker project's runs (project_id)")
    if access_scope not in ("owned", "accessible"):
        raise InvalidRequestError("access_scope must be owned or accessible.", param="access_scope")
    return await run_in_threadpool(
        operations.list_training_runs, db, project=principal.project, limit=limit, offset=offset
    )


@router.get("/training_runs/{model_id}")
async def get_training_run(
    model_id: str, principal: TinkerPrincipal, db: DatabaseDep
) -> TrainingRun:
    """One training run."""
    return await run_in_threadpool(
        operations.get_training_run, db, project=principal.project, model_id=model_id
    )


@router.get("/training_runs/{model_id}/checkpoints")
async def list_run_checkpoints(
    model_id: str, principal: TinkerPrincipal, db: DatabaseDep
) -> CheckpointsListResponse:
    """Every checkpoint of a training run."""
    return await run_in_threadpool(
        operations.list_run_checkpoints, db, project=principal.project, model_id=model_id
    )


@router.get("/checkpoints")
async def list_checkpoints(
    principal: TinkerPrincipal,
    db: DatabaseDep,
    limit: Annotated[int, Query()] = 100,
    offset: Annotated[int, Query()] = 0,
) -> CheckpointsListResponse:
    """A page of every checkpoint of the caller, newest first."""
    return await run_in_threadpool(
        operations.list_checkpoints, db, project=principal.project, limit=limit, offset=offset
    )


@router.delete(_CHECKPOINT, status_code=204)
async def delete_checkpoint(
    model_id: str,
    kind: str,
    name: str,
    principal: TinkerPrincipal,
    db: DatabaseDep,
    store: StoreDep,
    inference: InferenceDep,
) -> None:
    """Delete a checkpoint: its files, its row, and what serves it."""
    key = await run_in_threadpool(
        operations.delete_checkpoint,
        db,
        store,
        project=principal.project,
        model_id=model_id,
        checkpoint_id=f"{kind}/{name}",
    )
    await inference.forget_adapters([key])


@router.post(_CHECKPOINT + "/publish", status_code=204)
async def publish_checkpoint(
    model_id: str, kind: str, name: str, principal: TinkerPrincipal, db: DatabaseDep
) -> None:
    """Make a checkpoint readable (and samplable) by every project."""
    await run_in_threadpool(
        operations.set_published,
        db,
        project=principal.project,
        model_id=model_id,
        checkpoint_id=f"{kind}/{name}",
        public=True,
    )


@router.delete(_CHECKPOINT + "/publish", status_code=204)
async def unpublish_checkpoint(
    model_id: str, kind: str, name: str, principal: TinkerPrincipal, db: DatabaseDep
) -> None:
    """Make a checkpoint private to its project again."""
    await run_in_threadpool(
        operations.set_published,
        db,
        project=principal.project,
        model_id=model_id,
        checkpoint_id=f"{kind}/{name}",
        public=False,
    )


@router.put(_CHECKPOINT + "/ttl", status_code=204)
async def set_checkpoint_ttl(
    model_id: str,
    kind: str,
    name: str,
    body: TtlRequest,
    principal: TinkerPrincipal,
    db: DatabaseDep,
) -> None:
    """Record when a checkpoint expires."""
    await run_in_threadpool(
        operations.set_ttl,
        db,
        project=principal.project,
        model_id=model_id,
        checkpoint_id=f"{kind}/{name}",
        ttl_seconds=body.ttl_seconds,
    )


@router.get(_CHECKPOINT + "/external_weights_urls")
async def external_weights_urls(
    model_id: str,
    kind: str,
    name: str,
    request: Request,
    principal: TinkerPrincipal,
    db: DatabaseDep,
    store: StoreDep,
    settings: SettingsDep,
) -> ExternalWeightsUrlsResponse:
    """Signed download URLs, one per file of the checkpoint."""
    token, expires = await run_in_threadpool(
        operations.signed_grant,
        db,
        project=principal.project,
        model_id=model_id,
        checkpoint_id=f"{kind}/{name}",
        secret=settings.internal_token.get_secret_value(),
    )
    grant = downloads.verify(settings.internal_token.get_secret_value(), token)
    names = await run_in_threadpool(downloads.checkpoint_files, store, grant.prefix)
    base = str(request.url_for("download_file", token=token, name="_")).removesuffix("_")
    return ExternalWeightsUrlsResponse(
        urls={file: base + file for file in names}, expires=datetime.fromtimestamp(expires, UTC)
    )


@router.get(_CHECKPOINT + "/archive")
async def checkpoint_archive(
    model_id: str,
    kind: str,
    name: str,
    request: Request,
    principal: TinkerPrincipal,
    db: DatabaseDep,
    settings: SettingsDep,
) -> RedirectResponse:
    """A redirect to a signed URL of the checkpoint as a tar of its PEFT adapter files."""
    token, _ = await run_in_threadpool(
        operations.signed_grant,
        db,
        project=principal.project,
        model_id=model_id,
        checkpoint_id=f"{kind}/{name}",
        secret=settings.internal_token.get_secret_value(),
    )
    return RedirectResponse(str(request.url_for("download_archive", token=token)), status_code=302)


@router.get("/_downloads/{token}/archive.tar", name="download_archive")
async def download_archive(token: str, store: StoreDep, settings: SettingsDep) -> StreamingResponse:
    """The checkpoint a signed token grants, as a tar."""
    grant = downloads.verify(settings.internal_token.get_secret_value(), token)
    # Listed before the answer starts, so a missing checkpoint is a status, not a broken stream.
    members = await run_in_threadpool(downloads.archive_members, store, grant.prefix)
    # A sync iterator: Starlette runs each step on a worker thread, off the event loop.
    return StreamingResponse(
        adapter_archives.archive_chunks(store, grant.prefix, members),
        media_type=_TAR_MEDIA_TYPE,
        headers={"content-length": str(adapter_archives.archive_size(members))},
    )


@router.get("/_downloads/{token}/files/{name:path}", name="download_file")
async def download_file(
    token: str, name: str, store: StoreDep, settings: SettingsDep
) -> StreamingResponse:
    """One file of the checkpoint a signed token grants."""
    grant = downloads.verify(settings.internal_token.get_secret_value(), token)
    key = await run_in_threadpool(downloads.file_key, store, grant, name)
    return StreamingResponse(store.iter_chunks(key), media_type="application/octet-stream")


@router.post("/weights_info")
async def weights_info(
    body: WeightsInfoRequest, principal: TinkerPrincipal, db: DatabaseDep
) -> WeightsInfoResponse:
    """A checkpoint's base model and LoRA shape."""
    return await run_in_threadpool(
        operations.weights_info, db, project=principal.project, path=body.tinker_path
    )


@router.post("/save_weights_external")
async def save_weights_external(
    body: SaveWeightsExternalRequest, principal: TinkerPrincipal, db: DatabaseDep
) -> SampleFuture:
    """Queue an external-format save in the model's seq order, so later requests keep their
    place; the model's worker answers it (or refuses it by name)."""
    if body.age_encryption_recipients:
        raise _refuse("Encrypting external weights (age_encryption_recipients)")
    if body.seq_id is None:
        raise InvalidRequestError("save_weights_external needs a seq_id.", param="seq_id")
    request_id = await run_in_threadpool(
        futures.submit,
        db,
        project=principal.project,
        kind="save_weights_external",
        model_id=body.model_id,
        seq_id=body.seq_id,
        payload=body.model_dump_json().encode(),
        payload_type="json",
    )
    return SampleFuture.model_validate(futures.future_answer(request_id, body.model_id))


@router.get("/sessions")
async def list_sessions(
    principal: TinkerPrincipal,
    db: DatabaseDep,
    limit: Annotated[int, Query()] = 20,
    offset: Annotated[int, Query()] = 0,
    access_scope: Annotated[str, Query()] = "owned",
) -> ListSessionsResponse:
    """A page of the caller's client sessions."""
    return await run_in_threadpool(
        operations.list_sessions, db, project=principal.project, limit=limit, offset=offset
    )


@router.get("/sessions/{session_id}")
async def get_session(
    session_id: str, principal: TinkerPrincipal, db: DatabaseDep
) -> GetSessionResponse:
    """What a client session made: its training runs and samplers."""
    return await run_in_threadpool(
        operations.get_session, db, project=principal.project, session_id=session_id
    )


@router.put("/sessions/{session_id}/project")
async def assign_session_project(session_id: str, _principal: TinkerPrincipal) -> None:
    """Refused: a session's project is its API key's."""
    raise _refuse("Assigning a session to another project (sessions/{id}/project)")


@router.get("/sessions/{session_id}/trace_export")
async def export_session_trace(session_id: str, _principal: TinkerPrincipal) -> None:
    """Refused by name."""
    raise _refuse("Exporting a session trace (sessions/{id}/trace_export)")


@router.post("/sessions/search")
async def search_sessions(_principal: TinkerPrincipal) -> None:
    """Refused by name."""
    raise _refuse("Searching sessions (sessions/search)")


@router.post("/_whetstone/publish_model")
async def publish_model(
    body: PublishModelRequest,
    principal: TinkerPrincipal,
    db: DatabaseDep,
    store: StoreDep,
    catalog: CatalogDep,
) -> FineTuningJob:
    """Whetstone's bridge: a Tinker checkpoint as an `ft:` model (a succeeded job)."""
    return await run_in_threadpool(
        bridges.publish_as_model,
        db,
        store,
        catalog,
        principal=principal,
        tinker_path=body.tinker_path,
        suffix=body.suffix,
    )


@router.post("/_whetstone/import_adapter")
async def import_adapter(
    request: Request,
    principal: TinkerPrincipal,
    db: DatabaseDep,
    store: StoreDep,
    catalog: CatalogDep,
    settings: SettingsDep,
    base_model: Annotated[str, Query()],
    suffix: Annotated[str | None, Query()] = None,
) -> FineTuningJob:
    """Whetstone's bridge: a tar of a PEFT LoRA adapter (the body) as an `ft:` model."""
    archive = bytearray()
    async for chunk in request.stream():
        archive.extend(chunk)
        if len(archive) > settings.tinker_max_request_bytes:
            raise PayloadTooLargeError(
                f"The adapter archive is over {settings.tinker_max_request_bytes} bytes."
            )
    return await run_in_threadpool(
        bridges.import_adapter,
        db,
        store,
        catalog,
        principal=principal,
        base_model=base_model,
        suffix=suffix,
        archive=bytes(archive),
    )
