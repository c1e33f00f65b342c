"""Router for /v1/models: list, retrieve and delete models."""

from __future__ import annotations

from fastapi import APIRouter

from service import serving
from service.api.deps import PrincipalDep, ServicesDep
from service.schemas.common import ErrorResponse
from service.schemas.models import Model, ModelDeleted, ModelList

router = APIRouter(tags=["Models"], responses={404: {"model": ErrorResponse}})


@router.get("/models", operation_id="models-list", response_model=ModelList)
async def list_models(services: ServicesDep, principal: PrincipalDep) -> ModelList:
    """Base models and aliases of the catalog, and the caller's fine-tuned models."""
    return await serving.list_models(services, principal)


# Model ids contain ':' (ft:...:ckpt-step-N), hence the `path` converter.
@router.get("/models/{model:path}", operation_id="models-retrieve", response_model=Model)
async def retrieve_model(model: str, services: ServicesDep, principal: PrincipalDep) -> Model:
    """One model, checkpoint models included."""
    return await serving.retrieve_model(services, principal, model)


@router.delete(
    "/models/{model:path}",
    operation_id="models-delete",
    response_model=ModelDeleted,
    responses={400: {"model": ErrorResponse}, 403: {"model": ErrorResponse}},
)
async def delete_model(model: str, services: ServicesDep, principal: PrincipalDep) -> ModelDeleted:
    """Delete one of the caller's fine-tuned models; it stops serving at once."""
    return await serving.delete_model(services, principal, model)
