"""Tinker sampling routes: sampling sessions and `asample`, under `/api/v1`.

Thin: parse, authenticate (`X-API-Key`), hand to operations. A sample's result comes back
through `retrieve_future` (service/tinker/router.py) as a protobuf SampleResponse.
"""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.concurrency import run_in_threadpool

from service.deps import CatalogDep, DatabaseDep, InferenceDep, SettingsDep
from service.tinker.deps import TinkerPrincipal
from service.tinker.sampling import operations
from service.tinker.sampling.schemas import (
    CreateSamplingSessionRequest,
    CreateSamplingSessionResponse,
    GetSamplerResponse,
    JoinSamplingSessionRequest,
    JoinSamplingSessionResponse,
    SampleFuture,
    SampleRequest,
)

router = APIRouter(include_in_schema=False)


@router.post("/create_sampling_session")
async def create_sampling_session(
    body: CreateSamplingSessionRequest,
    principal: TinkerPrincipal,
    db: DatabaseDep,
    catalog: CatalogDep,
) -> CreateSamplingSessionResponse:
    """A sampler on a base model or on the caller's sampler weights."""
    sampling_session_id = await run_in_threadpool(
        operations.create_sampling_session, db, catalog, project=principal.project, request=body
    )
    return CreateSamplingSessionResponse(sampling_session_id=sampling_session_id)


@router.post("/join_sampling_session")
async def join_sampling_session(
    body: JoinSamplingSessionRequest, principal: TinkerPrincipal, db: DatabaseDep
) -> JoinSamplingSessionResponse:
    """A client id for a new client (an unpickled copy) of a sampling session."""
    counter = await run_in_threadpool(
        operations.join_sampling_session,
        db,
        project=principal.project,
        sampling_session_id=body.sampling_session_id,
    )
    return JoinSamplingSessionResponse(client_counter=counter)


@router.get("/samplers/{sampler_id}")
async def get_sampler(
    sampler_id: str, principal: TinkerPrincipal, db: DatabaseDep
) -> GetSamplerResponse:
    """A sampling session's base model and weights path."""
    return await run_in_threadpool(
        operations.get_sampler, db, project=principal.project, sampler_id=sampler_id
    )


@router.post("/asample")
async def asample(
    body: SampleRequest,
    principal: TinkerPrincipal,
    db: DatabaseDep,
    catalog: CatalogDep,
    inference: InferenceDep,
    settings: SettingsDep,
) -> SampleFuture:
    """Queue a sample on the serving engine; its future resolves to a SampleResponse."""
    answer = await operations.submit_sample(
        db, catalog, inference, settings, project=principal.project, request=body
    )
    return SampleFuture.model_validate(answer)
