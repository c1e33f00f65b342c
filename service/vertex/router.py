"""Google's front door: Vertex AI's tuningJobs and generateContent, and the token route.

Mounted under `/v1beta1` (what google-genai and google-cloud-aiplatform call) and `/v1`. The
routes stay out of the OpenAPI document: it describes Whetstone's OpenAI dialect, and the
client of these routes is Google's own SDK. Errors take Google's envelope (the one handler,
service/core/handlers.py, picks it by path).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated
from urllib.parse import parse_qs

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse
from sse_starlette import EventSourceResponse

from service.completions.streaming import SSE_PING_SECONDS, sse_data
from service.core.auth import Principal
from service.core.errors import AuthenticationError, NotFoundError, WhetstoneError
from service.core.wire import JSONObject
from service.deps import (
    CatalogDep,
    DatabaseDep,
    InferenceDep,
    KeyRingDep,
    SchedulerDep,
    SettingsDep,
    StoreDep,
)
from service.vertex import operations
from service.vertex.envelope import google_envelope
from service.vertex.schemas import (
    CreateTuningJobRequest,
    GenerateContentRequest,
    GenerateContentResponse,
    ListTuningJobsResponse,
    StsTokenResponse,
    TuningJob,
)

router = APIRouter(include_in_schema=False)
# The token route sits at the root, where an external_account credentials file's token_url
# points; it is no versioned Vertex AI path.
token_router = APIRouter(include_in_schema=False)

# How long google-auth may keep an exchanged token before asking again.
TOKEN_LIFETIME_SECONDS = 3600
# The OAuth 2.0 token exchange (RFC 8693) google-auth's external_account credentials post.
TOKEN_EXCHANGE_GRANT = "urn:ietf:params:oauth:grant-type:token-exchange"
_JOBS = "/projects/{project}/locations/{location}/tuningJobs"


def google_principal(request: Request, keyring: KeyRingDep) -> Principal:
    """The caller, from `x-goog-api-key` (or `?key=`) or a bearer token, mapped to a project
    as API keys are; 401 in Google's envelope when missing or unknown."""
    api_key = request.headers.get("x-goog-api-key") or request.query_params.get("key")
    authorization = f"Bearer {api_key}" if api_key else request.headers.get("authorization")
    principal = keyring.authenticate(authorization)
    request.state.principal = principal
    return principal


GooglePrincipalDep = Annotated[Principal, Depends(google_principal)]


def _dump(model: TuningJob | ListTuningJobsResponse | GenerateContentResponse) -> JSONResponse:
    return JSONResponse(model.model_dump(mode="json", by_alias=True, exclude_none=True))


@router.post(_JOBS)
def create_tuning_job(
    project: str,
    location: str,
    body: CreateTuningJobRequest,
    principal: GooglePrincipalDep,
    db: DatabaseDep,
    store: StoreDep,
    catalog: CatalogDep,
    scheduler: SchedulerDep,
    settings: SettingsDep,
) -> JSONResponse:
    """Create the tuning job; answered with the TuningJob itself and HTTP 200, as Vertex AI
    does (google-genai treats any other success status as an error)."""
    job = operations.create_tuning_job(
        db,
        store,
        catalog,
        principal=principal,
        parent=operations.parent_name(project, location),
        request=body,
        faults_enabled=settings.resolved_chaos_enabled,
    )
    scheduler.wake()
    return _dump(job)


@router.get(_JOBS)
def list_tuning_jobs(
    project: str,
    location: str,
    principal: GooglePrincipalDep,
    db: DatabaseDep,
    page_size: Annotated[int | None, Query(alias="pageSize")] = None,
    page_token: Annotated[str | None, Query(alias="pageToken")] = None,
    filter_: Annotated[str | None, Query(alias="filter")] = None,
) -> JSONResponse:
    """A page of the caller's tuning jobs, newest first."""
    return _dump(
        operations.list_tuning_jobs(
            db,
            principal=principal,
            parent=operations.parent_name(project, location),
            page_size=page_size,
            page_token=page_token,
            filter_=filter_,
        )
    )


@router.get(_JOBS + "/{job_id}")
def get_tuning_job(
    project: str, location: str, job_id: str, principal: GooglePrincipalDep, db: DatabaseDep
) -> JSONResponse:
    """The tuning job."""
    return _dump(
        operations.get_tuning_job(
            db,
            principal=principal,
            parent=operations.parent_name(project, location),
            job_id=job_id,
        )
    )


@router.post(_JOBS + "/{job_id}:cancel")
def cancel_tuning_job(
    project: str, location: str, job_id: str, principal: GooglePrincipalDep, db: DatabaseDep
) -> JSONResponse:
    """Cancel the job; answered with google.protobuf.Empty, as Vertex AI does."""
    operations.cancel_tuning_job(db, principal=principal, job_id=job_id)
    return JSONResponse({})


# `{resource:path}` since a publisher model path has slashes; the method follows a colon.
@router.post(
    "/projects/{project}/locations/{location}/{collection}/{resource:path}", response_model=None
)
async def generate(
    project: str,
    location: str,
    collection: str,
    resource: str,
    body: GenerateContentRequest,
    request: Request,
    principal: GooglePrincipalDep,
    db: DatabaseDep,
    catalog: CatalogDep,
    inference: InferenceDep,
) -> JSONResponse | EventSourceResponse:
    """:generateContent and :streamGenerateContent on an endpoint, a tuned model, or a
    publisher model (`publishers/google/models/{name}`)."""
    resource, _, method = resource.rpartition(":")
    if collection == "publishers":
        resource = resource.removeprefix("google/models/")
    if collection not in ("endpoints", "models", "publishers") or method not in (
        "generateContent",
        "streamGenerateContent",
    ):
        raise NotFoundError(
            f"Unknown request URL: POST {request.url.path}. Whetstone serves :generateContent "
            "and :streamGenerateContent on endpoints, models and publisher models.",
            code="unknown_url",
        )
    model = operations.served_model(db, principal, collection, resource)
    if method == "generateContent":
        return _dump(
            await operations.generate_content(
                db, catalog, inference, principal, model=model, request=body
            )
        )
    chunks = await operations.stream_generate_content(
        db, catalog, inference, principal, model=model, request=body
    )
    return EventSourceResponse(_sse(chunks), sep="\n", ping=SSE_PING_SECONDS)


async def _sse(chunks: AsyncIterator[JSONObject]) -> AsyncIterator[str]:
    """`data: <GenerateContentResponse>` per chunk (`?alt=sse`); a failure once the stream has
    started is sent as Google's error envelope, and ends it."""
    try:
        async for chunk in chunks:
            yield sse_data(chunk)
    except WhetstoneError as exc:
        yield sse_data(google_envelope(exc))


@token_router.post("/token")
async def exchange_token(request: Request, keyring: KeyRingDep) -> JSONResponse:
    """Google's STS token exchange, for `external_account` credentials: the subject token (the
    file or URL the credentials name) must be a Whetstone API key, and the access token given
    back is that key, so every replica accepts it without shared state."""
    form = {key: values[0] for key, values in parse_qs((await request.body()).decode()).items()}
    subject = form.get("subject_token", "").strip()
    if form.get("grant_type") != TOKEN_EXCHANGE_GRANT or not subject:
        return _oauth_error(
            "invalid_request",
            f"Expected grant_type={TOKEN_EXCHANGE_GRANT} and a subject_token.",
        )
    try:
        keyring.authenticate(f"Bearer {subject}")
    except AuthenticationError as exc:
        return _oauth_error("invalid_grant", exc.message)
    answer = StsTokenResponse(access_token=subject, expires_in=TOKEN_LIFETIME_SECONDS)
    return JSONResponse(answer.model_dump())


def _oauth_error(error: str, description: str) -> JSONResponse:
    """OAuth 2.0's error answer (RFC 6749 5.2), which google-auth raises as a RefreshError."""
    return JSONResponse({"error": error, "error_description": description}, status_code=400)
