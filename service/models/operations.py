"""What a model name means for a caller, and the Models API: list, retrieve, delete.

A name is a catalog base model or alias, or one of the caller's `ft:` models or checkpoints,
or one another project granted the caller (service/fine_tuning owns those names, their rows
and the grants), or a Tinker sampler checkpoint, `tinker://<run>/sampler_weights/<name>`, the
caller owns or that was published (service/tinker/sampling owns those). A granted model is
listed, served and fine-tuned from like the caller's own, `owned_by` its owner's organization;
only its owner may delete it.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, replace

from service.catalog import BaseModelEntry, Catalog
from service.core.auth import Principal
from service.core.db import Database
from service.core.errors import InvalidRequestError, ModelNotFoundError, PermissionDeniedError
from service.fine_tuning import operations as fine_tuning
from service.inference import AdapterRef, InferenceService
from service.models.schemas import Model, ModelDeleted, ModelList
from service.storage import ArtifactStore
from service.tinker.sampling import operations as tinker_sampling


@dataclass(frozen=True)
class ServedModel:
    """What a model name means for the caller: a base model, maybe with an adapter."""

    name: str
    entry: BaseModelEntry
    adapter: AdapterRef | None
    created: int
    owned_by: str
    # True for an `ft:` model the caller may delete (not a base model, not a checkpoint).
    deletable: bool = False
    # True for a model another project granted the caller.
    shared: bool = False


async def resolve_model(
    db: Database, catalog: Catalog, principal: Principal, name: str
) -> ServedModel:
    """The caller's model named `name`; ModelNotFoundError (404) otherwise."""
    if tinker_sampling.is_tinker_path(name):
        return await _tinker_sampler(db, catalog, principal, name)
    if not fine_tuning.is_fine_tuned_name(name):
        entry = catalog.resolve(name)
        return ServedModel(name, entry, None, entry.created, entry.owned_by)
    trained = await asyncio.to_thread(
        fine_tuning.find_trained_model, db, project=principal.project, name=name
    )
    if trained is None:
        raise model_not_found(name)
    try:
        entry = catalog.resolve(trained.base_model)
    except ModelNotFoundError as exc:
        # The catalog changed since the job trained: its base model is no longer served.
        raise model_not_found(name) from exc
    if trained.full:
        # A model of its own (its own engine, no adapter); it keeps its base's context length,
        # chat template family and tool parser, which full training does not change.
        entry = replace(
            entry,
            name=name,
            emulator=False,
            path=None,
            hub_id=None,
            revision=None,
            weights_key=trained.adapter_key,
        )
    return ServedModel(
        name=name,
        entry=entry,
        adapter=None if trained.full else AdapterRef(trained.adapter_key),
        created=trained.created,
        owned_by=trained.owned_by,
        deletable=not trained.is_checkpoint and trained.shared_by is None,
        shared=trained.shared_by is not None,
    )


async def _tinker_sampler(
    db: Database, catalog: Catalog, principal: Principal, name: str
) -> ServedModel:
    """A Tinker sampler checkpoint served like an `ft:` adapter; never deletable here (the
    Tinker checkpoints API deletes it)."""
    try:
        weights = await asyncio.to_thread(
            tinker_sampling.find_sampler_weights, db, project=principal.project, path=name
        )
        entry = catalog.resolve(weights.base_model)
    except InvalidRequestError as exc:
        raise InvalidRequestError(exc.message, param="model") from exc
    except ModelNotFoundError as exc:
        raise model_not_found(name) from exc
    return ServedModel(
        name=name,
        entry=entry,
        adapter=AdapterRef(weights.storage_key),
        created=weights.created,
        owned_by=weights.owner,
        shared=weights.owner != principal.project,
    )


def model_not_found(name: str) -> ModelNotFoundError:
    """The 404 for a model the caller cannot see."""
    return ModelNotFoundError(
        f"The model '{name}' does not exist or you do not have access to it.", param="model"
    )


async def list_models(db: Database, catalog: Catalog, principal: Principal) -> ModelList:
    """The catalog's base models and aliases, then the caller's fine-tuned models, then the
    models and checkpoints granted to the caller, then the caller's named Tinker sampler
    checkpoints (their tinker:// paths)."""
    models = []
    for name in catalog.names():
        entry = catalog.resolve(name)
        models.append(Model(id=name, created=entry.created, owned_by=entry.owned_by))
    trained = await asyncio.to_thread(
        fine_tuning.list_trained_models, db, project=principal.project
    )
    models.extend(Model(id=t.name, created=t.created, owned_by=t.owned_by) for t in trained)
    samplers = await asyncio.to_thread(
        tinker_sampling.list_sampler_weights, db, project=principal.project
    )
    models.extend(Model(id=w.tinker_path, created=w.created, owned_by=w.owner) for w in samplers)
    return ModelList(data=models)


async def retrieve_model(db: Database, catalog: Catalog, principal: Principal, name: str) -> Model:
    """One model the caller may use, checkpoint names included."""
    served = await resolve_model(db, catalog, principal, name)
    return Model(id=served.name, created=served.created, owned_by=served.owned_by)


async def delete_model(
    db: Database,
    catalog: Catalog,
    store: ArtifactStore,
    inference: InferenceService,
    principal: Principal,
    name: str,
) -> ModelDeleted:
    """Delete one of the caller's fine-tuned models: stop serving it, remove its adapters (or
    a full job's models) from storage and every cache."""
    served = await resolve_model(db, catalog, principal, name)
    if not served.deletable:
        if served.shared:
            raise PermissionDeniedError(
                f"The model '{name}' was shared with your project; only its owner can delete it.",
                param="model",
                code="model_not_deletable",
            )
        if tinker_sampling.is_tinker_path(name):
            raise InvalidRequestError(
                f"'{name}' is a Tinker checkpoint; delete it with the Tinker checkpoints API "
                "(RestClient.delete_checkpoint_from_tinker_path).",
                param="model",
                code="model_not_deletable",
            )
        if not fine_tuning.is_fine_tuned_name(name):
            raise PermissionDeniedError(
                f"The model '{name}' is a base model and cannot be deleted.",
                param="model",
                code="model_not_deletable",
            )
        raise InvalidRequestError(
            f"'{name}' is a checkpoint; delete its fine-tuned model instead.",
            param="model",
            code="model_not_deletable",
        )
    keys = await asyncio.to_thread(
        fine_tuning.delete_trained_model, db, project=principal.project, name=name
    )
    if keys is None:
        raise model_not_found(name)
    await inference.forget_adapters(keys)
    await asyncio.to_thread(_delete_adapters, store, keys)
    return ModelDeleted(id=name, deleted=True)


def _delete_adapters(store: ArtifactStore, keys: list[str]) -> None:
    for key in keys:
        store.delete_prefix(key + "/")
