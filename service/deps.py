"""Router dependencies as narrow `Annotated` aliases over the Container."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from service.catalog import Catalog
from service.chaos.rules import FaultRuleStore
from service.container import Container
from service.core.auth import KeyRing, Principal
from service.core.config import Settings
from service.core.db import Database
from service.evals.runner import EvalRunner
from service.graders.model_sampler import ModelSamplers
from service.inference import InferenceService
from service.observability.metrics import Metrics
from service.scheduler import Scheduler
from service.storage import ArtifactStore

_bearer = HTTPBearer(auto_error=False, description="An API key, as `Authorization: Bearer <key>`.")


def _container(request: Request) -> Container:
    container: Container = request.app.state.container
    return container


def get_principal(
    request: Request,
    _credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal:
    """The caller, from the bearer key; 401 in the envelope when missing or unknown."""
    principal = _container(request).keyring.authenticate(request.headers.get("authorization"))
    # Read by the request's log records and access line (service/observability/logs.py).
    request.state.principal = principal
    return principal


def get_keyring(request: Request) -> KeyRing:
    """The keys the process accepts (and so the projects it knows)."""
    return _container(request).keyring


def get_settings(request: Request) -> Settings:
    """The settings the process started with."""
    return _container(request).settings


def get_db(request: Request) -> Database:
    """The database handle."""
    return _container(request).db


def get_store(request: Request) -> ArtifactStore:
    """The artifact store."""
    return _container(request).store


def get_catalog(request: Request) -> Catalog:
    """The catalog of base models."""
    return _container(request).catalog


def get_scheduler(request: Request) -> Scheduler:
    """The training scheduler (its loop runs only where the settings enable it)."""
    return _container(request).scheduler


def get_inference(request: Request) -> InferenceService:
    """The inference engine."""
    return _container(request).inference


def get_eval_runner(request: Request) -> EvalRunner:
    """The executor of eval runs."""
    return _container(request).evals


def get_model_samplers(request: Request) -> ModelSamplers:
    """The served models, as model graders sample them."""
    return _container(request).model_samplers


def get_chaos_rules(request: Request) -> FaultRuleStore:
    """This process's request-fault rules (the chaos API)."""
    return _container(request).chaos


def get_metrics(request: Request) -> Metrics:
    """The app's Prometheus families."""
    return _container(request).metrics


PrincipalDep = Annotated[Principal, Depends(get_principal)]
KeyRingDep = Annotated[KeyRing, Depends(get_keyring)]
SettingsDep = Annotated[Settings, Depends(get_settings)]
DatabaseDep = Annotated[Database, Depends(get_db)]
StoreDep = Annotated[ArtifactStore, Depends(get_store)]
CatalogDep = Annotated[Catalog, Depends(get_catalog)]
SchedulerDep = Annotated[Scheduler, Depends(get_scheduler)]
InferenceDep = Annotated[InferenceService, Depends(get_inference)]
ChaosRulesDep = Annotated[FaultRuleStore, Depends(get_chaos_rules)]
EvalRunnerDep = Annotated[EvalRunner, Depends(get_eval_runner)]
MetricsDep = Annotated[Metrics, Depends(get_metrics)]
ModelSamplersDep = Annotated[ModelSamplers, Depends(get_model_samplers)]
