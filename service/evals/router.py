"""Router for /v1/evals: evals, their runs and the runs' output items."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request

from service.core.openapi import error_responses
from service.deps import (
    CatalogDep,
    DatabaseDep,
    EvalRunnerDep,
    PrincipalDep,
    SettingsDep,
    StoreDep,
)
from service.evals import operations
from service.evals.schemas import (
    CreateEvalRequest,
    CreateEvalRunRequest,
    Eval,
    EvalDeleted,
    EvalList,
    EvalRun,
    EvalRunDeleted,
    EvalRunList,
    EvalRunOutputItem,
    EvalRunOutputItemList,
    RunStatus,
    UpdateEvalRequest,
)

router = APIRouter(tags=["evals"])

ERRORS = error_responses(
    {
        400: "Invalid request: a data source Whetstone cannot serve, a criterion that cannot "
        "run here, a model the caller cannot use",
        401: "Missing or unknown API key",
        404: "No such eval, run or output item in the caller's project",
        413: "Request body over WHETSTONE_MAX_JSON_BODY_BYTES",
    }
)

After = Annotated[str | None, Query(description="Id of the last object of the previous page.")]
Limit = Annotated[int, Query(ge=1, le=100, description="Page size, 1 to 100.")]
Order = Annotated[Literal["asc", "desc"], Query(description="By creation: `asc` or `desc`.")]


def _base_url(request: Request) -> str:
    return str(request.base_url)


@router.post(
    "/evals",
    operation_id="evals-create",
    status_code=201,
    summary="Create an eval",
    response_model=Eval,
    responses=ERRORS,
)
async def create_eval(
    body: CreateEvalRequest,
    db: DatabaseDep,
    catalog: CatalogDep,
    settings: SettingsDep,
    principal: PrincipalDep,
) -> Eval:
    """A new eval: its data source config and testing criteria."""
    return await operations.create_eval(db, catalog, settings, principal, body)


@router.get(
    "/evals",
    operation_id="evals-list",
    summary="List evals",
    response_model=EvalList,
    responses=ERRORS,
)
def list_evals(
    db: DatabaseDep,
    principal: PrincipalDep,
    after: After = None,
    limit: Limit = 20,
    order: Order = "asc",
    order_by: Annotated[
        Literal["created_at", "updated_at"],
        Query(description="`created_at` (evals are ordered by creation either way)."),
    ] = "created_at",
) -> EvalList:
    """A page of the caller's evals."""
    return operations.list_evals(db, principal, after=after, limit=limit, order=order)


@router.get(
    "/evals/{eval_id}",
    operation_id="evals-retrieve",
    summary="Retrieve an eval",
    response_model=Eval,
    responses=ERRORS,
)
def get_eval(eval_id: str, db: DatabaseDep, principal: PrincipalDep) -> Eval:
    """One eval."""
    return operations.get_eval(db, principal, eval_id)


@router.post(
    "/evals/{eval_id}",
    operation_id="evals-update",
    summary="Update an eval",
    response_model=Eval,
    responses=ERRORS,
)
def update_eval(
    eval_id: str, body: UpdateEvalRequest, db: DatabaseDep, principal: PrincipalDep
) -> Eval:
    """Rename an eval or replace its metadata."""
    return operations.update_eval(db, principal, eval_id, body)


@router.delete(
    "/evals/{eval_id}",
    operation_id="evals-delete",
    summary="Delete an eval",
    response_model=EvalDeleted,
    responses=ERRORS,
)
def delete_eval(
    eval_id: str, db: DatabaseDep, principal: PrincipalDep, runner: EvalRunnerDep
) -> EvalDeleted:
    """Delete an eval with its runs and output items."""
    return operations.delete_eval(db, principal, eval_id, runner)


@router.post(
    "/evals/{eval_id}/runs",
    operation_id="evals-runs-create",
    status_code=201,
    summary="Create an eval run",
    response_model=EvalRun,
    responses=ERRORS,
)
async def create_run(
    eval_id: str,
    body: CreateEvalRunRequest,
    request: Request,
    db: DatabaseDep,
    store: StoreDep,
    catalog: CatalogDep,
    principal: PrincipalDep,
    runner: EvalRunnerDep,
) -> EvalRun:
    """A queued run; it samples and grades its items in the background."""
    return await operations.create_run(
        db, store, catalog, principal, runner, eval_id, body, _base_url(request)
    )


@router.get(
    "/evals/{eval_id}/runs",
    operation_id="evals-runs-list",
    summary="List an eval's runs",
    response_model=EvalRunList,
    responses=ERRORS,
)
def list_runs(
    eval_id: str,
    request: Request,
    db: DatabaseDep,
    principal: PrincipalDep,
    after: After = None,
    limit: Limit = 20,
    order: Order = "asc",
    status: Annotated[RunStatus | None, Query(description="Only runs of this status.")] = None,
) -> EvalRunList:
    """A page of the eval's runs."""
    return operations.list_runs(
        db,
        principal,
        eval_id,
        _base_url(request),
        status=status,
        after=after,
        limit=limit,
        order=order,
    )


@router.get(
    "/evals/{eval_id}/runs/{run_id}",
    operation_id="evals-runs-retrieve",
    summary="Retrieve an eval run",
    response_model=EvalRun,
    responses=ERRORS,
)
def get_run(
    eval_id: str, run_id: str, request: Request, db: DatabaseDep, principal: PrincipalDep
) -> EvalRun:
    """One run, with its counters so far."""
    return operations.get_run(db, principal, eval_id, run_id, _base_url(request))


# OpenAI's description cancels with a POST on the run; its SDKs post to `.../cancel`. Both work.
@router.post(
    "/evals/{eval_id}/runs/{run_id}/cancel",
    operation_id="evals-runs-cancel",
    summary="Cancel an eval run",
    response_model=EvalRun,
    responses=ERRORS,
)
@router.post(
    "/evals/{eval_id}/runs/{run_id}",
    operation_id="evals-runs-cancel_on_run",
    summary="Cancel an eval run (OpenAI's description's path)",
    response_model=EvalRun,
    responses=ERRORS,
)
def cancel_run(
    eval_id: str,
    run_id: str,
    request: Request,
    db: DatabaseDep,
    principal: PrincipalDep,
    runner: EvalRunnerDep,
) -> EvalRun:
    """Cancel a queued or running run."""
    return operations.cancel_run(db, principal, runner, eval_id, run_id, _base_url(request))


@router.delete(
    "/evals/{eval_id}/runs/{run_id}",
    operation_id="evals-runs-delete",
    summary="Delete an eval run",
    response_model=EvalRunDeleted,
    responses=ERRORS,
)
def delete_run(
    eval_id: str, run_id: str, db: DatabaseDep, principal: PrincipalDep, runner: EvalRunnerDep
) -> EvalRunDeleted:
    """Delete a run and its output items."""
    return operations.delete_run(db, principal, runner, eval_id, run_id)


@router.get(
    "/evals/{eval_id}/runs/{run_id}/output_items",
    operation_id="evals-runs-output_items-list",
    summary="List a run's output items",
    response_model=EvalRunOutputItemList,
    responses=ERRORS,
)
def list_output_items(
    eval_id: str,
    run_id: str,
    db: DatabaseDep,
    principal: PrincipalDep,
    after: After = None,
    limit: Limit = 20,
    order: Order = "asc",
    status: Annotated[
        Literal["pass", "fail", "error"] | None, Query(description="Only items of this status.")
    ] = None,
) -> EvalRunOutputItemList:
    """A page of the run's graded items."""
    return operations.list_output_items(
        db, principal, eval_id, run_id, status=status, after=after, limit=limit, order=order
    )


@router.get(
    "/evals/{eval_id}/runs/{run_id}/output_items/{output_item_id}",
    operation_id="evals-runs-output_items-retrieve",
    summary="Retrieve an output item",
    response_model=EvalRunOutputItem,
    responses=ERRORS,
)
def get_output_item(
    eval_id: str, run_id: str, output_item_id: str, db: DatabaseDep, principal: PrincipalDep
) -> EvalRunOutputItem:
    """One graded item."""
    return operations.get_output_item(db, principal, eval_id, run_id, output_item_id)
