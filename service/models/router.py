"""Router for /v1/models: list, retrieve and delete models."""

from __future__ import annotations

from fastapi import APIRouter

from service.core.openapi import error_responses
from service.deps import CatalogDep, DatabaseDep, InferenceDep, PrincipalDep, StoreDep
from service.models import operations
from service.models.schemas import Model, ModelDeleted, ModelList

router = APIRouter(tags=["models"])

ERRORS = error_responses(
    {
        401: "Missing or unknown API key",
        404: "No such model for the caller (code model_not_found)",
    }
)


@router.get(
    "/models",
    operation_id="models-list",
    summary="List base models, aliases and your fine-tuned models",
    response_model=ModelList,
    responses=ERRORS,
)
async def list_models(db: DatabaseDep, catalog: CatalogDep, principal: PrincipalDep) -> ModelList:
    """Base models and aliases of the catalog, and the caller's fine-tuned models."""
    return await operations.list_models(db, catalog, principal)


# Model ids contain ':' (ft:...:ckpt-step-N), hence the `path` converter.
@router.get(
    "/models/{model:path}",
    operation_id="models-retrieve",
    summary="Retrieve a model, checkpoint models included",
    response_model=Model,
    responses=ERRORS,
)
async def retrieve_model(
    model: str, db: DatabaseDep, catalog: CatalogDep, principal: PrincipalDep
) -> Model:
    """One model, checkpoint models included."""
    return await operations.retrieve_model(db, catalog, principal, model)


@router.delete(
    "/models/{model:path}",
    operation_id="models-delete",
    summary="Delete one of your fine-tuned models",
    response_model=ModelDeleted,
    responses={
        **ERRORS,
        **error_responses(
            {
                400: "A checkpoint model cannot be deleted",
                403: "Base models, and models shared by another project, cannot be deleted",
            }
        ),
    },
)
async def delete_model(
    model: str,
    db: DatabaseDep,
    catalog: CatalogDep,
    store: StoreDep,
    inference: InferenceDep,
    principal: PrincipalDep,
) -> ModelDeleted:
    """Delete one of the caller's fine-tuned models; it stops serving at once."""
    return await operations.delete_model(db, catalog, store, inference, principal, model)
