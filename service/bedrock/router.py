"""Routers of Bedrock's two services on one app: the control plane (`bedrock`) and the runtime
(`bedrock-runtime`). Their paths do not collide with each other or with /v1.

Identifiers are `{...:path}` parameters: ARNs arrive percent-encoded and Starlette decodes
`%2F`. The routes stay out of our OpenAPI document: their contract is botocore's service
model, which boto3 already carries.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.responses import StreamingResponse

from service.bedrock import operations, runtime
from service.bedrock.arns import Scope, account_of
from service.bedrock.schemas import (
    ConverseRequest,
    ConverseResponse,
    CreateCustomModelDeploymentRequest,
    CreateCustomModelDeploymentResponse,
    CreateModelCustomizationJobRequest,
    CreateModelCustomizationJobResponse,
    GetCustomModelDeploymentResponse,
    GetCustomModelResponse,
    GetModelCustomizationJobResponse,
    ListCustomModelDeploymentsResponse,
    ListCustomModelsResponse,
    ListModelCustomizationJobsResponse,
)
from service.bedrock.sigv4 import AccessDenied, parse_authorization, verify
from service.core.auth import Principal
from service.deps import (
    CatalogDep,
    DatabaseDep,
    InferenceDep,
    KeyRingDep,
    SettingsDep,
    StoreDep,
)

# Path prefixes of Bedrock's routes: the error handler answers them in AWS's envelope.
PATH_PREFIXES = ("/model-customization", "/custom-models", "/model/")
EVENT_STREAM = "application/vnd.amazon.eventstream"


@dataclass(frozen=True)
class AwsCaller:
    """Who signed the request, and where their ARNs live."""

    principal: Principal
    scope: Scope


async def aws_caller(request: Request, keyring: KeyRingDep) -> AwsCaller:
    """The signer of a SigV4 request; 403 AccessDeniedException for a bad signature or an
    unknown access key id. With no keys file any key is accepted, unchecked."""
    signed = parse_authorization(request.headers.get("authorization"))
    signer = keyring.aws_signer(signed.access_key_id)
    if signer is None:
        raise AccessDenied("The security token included in the request is invalid.")
    principal, secret = signer
    if secret is not None:
        raw_path = request.scope.get("raw_path") or request.url.path.encode()
        query = request.scope.get("query_string", b"")
        host = request.headers.get("host", "")
        url = f"{request.url.scheme}://{host}{raw_path.decode('latin-1')}"
        if query:
            url += "?" + query.decode("latin-1")
        verify(
            signed,
            secret=secret,
            method=request.method,
            url=url,
            headers=request.headers,
            body=await request.body(),
        )
    # Read by the request's log records and access line (service/observability/logs.py).
    request.state.principal = principal
    return AwsCaller(principal, Scope(signed.region, account_of(principal.project)))


AwsCallerDep = Annotated[AwsCaller, Depends(aws_caller)]

router = APIRouter(tags=["bedrock"], include_in_schema=False)
runtime_router = APIRouter(tags=["bedrock-runtime"], include_in_schema=False)

JOBS = "/model-customization-jobs"
MODELS = "/custom-models"
DEPLOYMENTS = "/model-customization/custom-model-deployments"


@router.post(JOBS, status_code=201, response_model_exclude_none=True)
def create_model_customization_job(
    body: CreateModelCustomizationJobRequest,
    caller: AwsCallerDep,
    db: DatabaseDep,
    store: StoreDep,
    catalog: CatalogDep,
    settings: SettingsDep,
) -> CreateModelCustomizationJobResponse:
    """CreateModelCustomizationJob: an ordinary job, from data read out of S3."""
    return operations.create_job(
        db,
        store,
        catalog,
        principal=caller.principal,
        scope=caller.scope,
        request=body,
        faults_enabled=settings.resolved_chaos_enabled,
        python_graders=settings.python_graders_enabled,
    )


@router.get(JOBS, response_model_exclude_none=True)
def list_model_customization_jobs(
    caller: AwsCallerDep,
    db: DatabaseDep,
    status_equals: Annotated[str | None, Query(alias="statusEquals")] = None,
    name_contains: Annotated[str | None, Query(alias="nameContains")] = None,
) -> ListModelCustomizationJobsResponse:
    """ListModelCustomizationJobs."""
    return operations.list_jobs(
        db,
        principal=caller.principal,
        scope=caller.scope,
        status_equals=status_equals,
        name_contains=name_contains,
    )


@router.post(JOBS + "/{job_identifier:path}/stop")
def stop_model_customization_job(
    job_identifier: str, caller: AwsCallerDep, db: DatabaseDep
) -> dict[str, str]:
    """StopModelCustomizationJob."""
    operations.stop_job(db, principal=caller.principal, identifier=job_identifier)
    return {}


@router.get(JOBS + "/{job_identifier:path}", response_model_exclude_none=True)
def get_model_customization_job(
    job_identifier: str, caller: AwsCallerDep, db: DatabaseDep, store: StoreDep
) -> GetModelCustomizationJobResponse:
    """GetModelCustomizationJob."""
    return operations.get_job(
        db, store, principal=caller.principal, scope=caller.scope, identifier=job_identifier
    )


@router.get(MODELS, response_model_exclude_none=True)
def list_custom_models(
    caller: AwsCallerDep,
    db: DatabaseDep,
    name_contains: Annotated[str | None, Query(alias="nameContains")] = None,
) -> ListCustomModelsResponse:
    """ListCustomModels."""
    return operations.list_custom_models(
        db, principal=caller.principal, scope=caller.scope, name_contains=name_contains
    )


@router.get(MODELS + "/{model_identifier:path}", response_model_exclude_none=True)
def get_custom_model(
    model_identifier: str, caller: AwsCallerDep, db: DatabaseDep
) -> GetCustomModelResponse:
    """GetCustomModel."""
    return operations.get_custom_model(
        db, principal=caller.principal, scope=caller.scope, identifier=model_identifier
    )


@router.delete(MODELS + "/{model_identifier:path}")
async def delete_custom_model(
    model_identifier: str,
    caller: AwsCallerDep,
    db: DatabaseDep,
    store: StoreDep,
    catalog: CatalogDep,
    inference: InferenceDep,
) -> dict[str, str]:
    """DeleteCustomModel."""
    await operations.delete_custom_model(
        db, store, catalog, inference, principal=caller.principal, identifier=model_identifier
    )
    return {}


@router.post(DEPLOYMENTS, status_code=202, response_model_exclude_none=True)
def create_custom_model_deployment(
    body: CreateCustomModelDeploymentRequest, caller: AwsCallerDep, db: DatabaseDep
) -> CreateCustomModelDeploymentResponse:
    """CreateCustomModelDeployment."""
    return operations.create_deployment(
        db, principal=caller.principal, scope=caller.scope, request=body
    )


@router.get(DEPLOYMENTS, response_model_exclude_none=True)
def list_custom_model_deployments(
    caller: AwsCallerDep, db: DatabaseDep
) -> ListCustomModelDeploymentsResponse:
    """ListCustomModelDeployments."""
    return operations.list_deployments(db, principal=caller.principal, scope=caller.scope)


@router.get(DEPLOYMENTS + "/{deployment_identifier:path}", response_model_exclude_none=True)
def get_custom_model_deployment(
    deployment_identifier: str, caller: AwsCallerDep, db: DatabaseDep
) -> GetCustomModelDeploymentResponse:
    """GetCustomModelDeployment."""
    return operations.get_deployment(
        db, principal=caller.principal, scope=caller.scope, identifier=deployment_identifier
    )


@router.delete(DEPLOYMENTS + "/{deployment_identifier:path}")
def delete_custom_model_deployment(
    deployment_identifier: str, caller: AwsCallerDep, db: DatabaseDep
) -> dict[str, str]:
    """DeleteCustomModelDeployment."""
    operations.delete_deployment(db, principal=caller.principal, identifier=deployment_identifier)
    return {}


# -- runtime -----------------------------------------------------------------------------------


@runtime_router.post("/model/{model_id:path}/converse", response_model_exclude_none=True)
async def converse(
    model_id: str,
    body: ConverseRequest,
    caller: AwsCallerDep,
    db: DatabaseDep,
    catalog: CatalogDep,
    inference: InferenceDep,
) -> ConverseResponse:
    """Converse: a reply from a deployment, a custom model or a base model."""
    return await runtime.converse(
        db, catalog, inference, caller.principal, model_id=model_id, body=body
    )


@runtime_router.post("/model/{model_id:path}/converse-stream")
async def converse_stream(
    model_id: str,
    body: ConverseRequest,
    caller: AwsCallerDep,
    db: DatabaseDep,
    catalog: CatalogDep,
    inference: InferenceDep,
) -> StreamingResponse:
    """ConverseStream: the reply as event-stream frames."""
    frames = await runtime.converse_stream(
        db, catalog, inference, caller.principal, model_id=model_id, body=body
    )
    return StreamingResponse(frames, media_type=EVENT_STREAM)


@runtime_router.post("/model/{model_id:path}/invoke")
async def invoke_model(
    model_id: str,
    request: Request,
    caller: AwsCallerDep,
    db: DatabaseDep,
    catalog: CatalogDep,
    inference: InferenceDep,
) -> Response:
    """InvokeModel with Amazon Nova's messages body."""
    body = await request.body()
    answer = await runtime.invoke_model(
        db, catalog, inference, caller.principal, model_id=model_id, body=body
    )
    return Response(answer, media_type="application/json")
