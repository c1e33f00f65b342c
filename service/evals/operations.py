"""The Evals API: evals, their runs and the runs' output items.

A run is created `queued` with its items resolved (inline content, a JSONL file, or the
project's stored Responses for a `responses` run), then
handed to the EvalRunner (service/evals/runner.py), which samples and grades each item in the
background. Every status change of a run that ends it writes the `eval.run.*` webhook event
in the same transaction.
"""

from __future__ import annotations

import asyncio
import json
from typing import TYPE_CHECKING

from jsonschema import Draft202012Validator
from jsonschema.exceptions import SchemaError
from sqlalchemy import select
from sqlalchemy.orm import Session

from service.catalog import Catalog
from service.completions.schemas import CreateChatCompletionRequest
from service.core.auth import Principal
from service.core.config import Settings
from service.core.db import Database
from service.core.errors import InvalidRequestError, ModelNotFoundError, NotFoundError
from service.core.tables import EvalRow, EvalRunOutputItemRow, EvalRunRow
from service.core.wire import JSONObject, JSONValue, as_object
from service.evals import repository
from service.evals.schemas import (
    CreateEvalCompletionsRunDataSource,
    CreateEvalCustomDataSourceConfig,
    CreateEvalJsonlRunDataSource,
    CreateEvalLogsDataSourceConfig,
    CreateEvalRequest,
    CreateEvalResponsesRunDataSource,
    CreateEvalRunRequest,
    Eval,
    EvalApiError,
    EvalCustomDataSourceConfig,
    EvalDeleted,
    EvalJsonlFileContentSource,
    EvalJsonlFileIdSource,
    EvalList,
    EvalLogsDataSourceConfig,
    EvalResponsesSource,
    EvalRun,
    EvalRunCriterionResult,
    EvalRunDeleted,
    EvalRunList,
    EvalRunModelUsage,
    EvalRunOutputItem,
    EvalRunOutputItemList,
    EvalRunResultCounts,
    RunSamplingParams,
    UpdateEvalRequest,
)
from service.files import operations as files
from service.graders import grading
from service.models.operations import resolve_model
from service.responses import operations as responses
from service.storage import ArtifactStore
from service.webhooks import operations as webhooks

if TYPE_CHECKING:  # the runner imports this module
    from service.evals.runner import EvalRunner

# The `sample` namespace of a custom config with include_sample_schema, as OpenAI writes it.
SAMPLE_SCHEMA: JSONObject = {
    "type": "object",
    "properties": {
        "model": {"type": "string"},
        "choices": {"type": "array"},
        "output_text": {"type": "string"},
        "output_json": {"type": "object"},
        "output_tools": {"type": "array"},
    },
    "required": ["output_text"],
}
# The `item` namespace of a `logs` eval: one stored response, what it was asked. Its `input` is
# the chat the model was given (instructions first, as a system message), so that
# `item_reference: item.input` samples it again and `{{item.input}}` shows it to a grader.
RESPONSE_ITEM_SCHEMA: JSONObject = {
    "type": "object",
    "properties": {
        "id": {"type": "string"},
        "model": {"type": "string"},
        "created_at": {"type": "integer"},
        "instructions": {"type": ["string", "null"]},
        "metadata": {"type": "object"},
        "input": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {"role": {"type": "string"}, "content": {"type": "string"}},
                "required": ["role", "content"],
            },
        },
    },
    "required": ["id", "model", "input"],
}
# A source's filters Whetstone does not apply: refused, never ignored.
UNSUPPORTED_RESPONSE_FILTERS = ("tools",)
# Whetstone's limit on one run's items: they are kept in the run's row.
MAX_RUN_ITEMS = 50_000
FINISHED = {"completed": "succeeded", "failed": "failed", "canceled": "canceled"}


# ----- evals -----


def _refuse(param: str, message: str, code: str = "invalid_value") -> InvalidRequestError:
    return InvalidRequestError(message, param=param, code=code)


async def _check_criteria(
    db: Database,
    catalog: Catalog,
    settings: Settings,
    principal: Principal,
    request: CreateEvalRequest,
) -> None:
    names: set[str] = set()
    for index, criterion in enumerate(request.testing_criteria):
        param = f"testing_criteria[{index}]"
        if criterion.name in names:
            raise _refuse(f"{param}.name", f"Two testing criteria are named '{criterion.name}'.")
        names.add(criterion.name)
        grading.check_grader(criterion, param=param, python_enabled=settings.python_graders_enabled)
        for model_param, model in grading.model_references(criterion, param=param):
            try:
                await resolve_model(db, catalog, principal, model)
            except ModelNotFoundError:
                raise _refuse(
                    model_param,
                    f"The model '{model}' does not exist or you do not have access to it.",
                    code="model_not_found",
                ) from None


async def create_eval(
    db: Database,
    catalog: Catalog,
    settings: Settings,
    principal: Principal,
    request: CreateEvalRequest,
) -> Eval:
    """Store an eval once its config and every testing criterion can run here."""
    config = request.data_source_config
    if isinstance(config, CreateEvalCustomDataSourceConfig):
        try:
            Draft202012Validator.check_schema(config.item_schema)
        except SchemaError as exc:
            raise _refuse(
                "data_source_config.item_schema", f"Invalid JSON schema: {exc.message}."
            ) from None
    elif not isinstance(config, CreateEvalLogsDataSourceConfig):
        raise _refuse(
            "data_source_config.type",
            f"The data source config '{config.type}' is not supported: Whetstone stores no "
            "chat completions. Use 'custom', or 'logs' for stored Responses.",
            code="unsupported_value",
        )
    await _check_criteria(db, catalog, settings, principal, request)
    stored_config = config.model_dump(exclude_none=True)
    criteria = [criterion.model_dump(mode="json") for criterion in request.testing_criteria]
    with db.session() as session:
        row = repository.create_eval(
            session,
            project=principal.project,
            name=request.name or "",
            data_source_config=stored_config,
            testing_criteria=criteria,
            metadata=request.metadata,
        )
        return as_eval(row)


def get_eval(db: Database, principal: Principal, eval_id: str) -> Eval:
    """The caller's eval; 404 otherwise."""
    with db.session() as session:
        return as_eval(repository.get_eval(session, project=principal.project, eval_id=eval_id))


def list_evals(
    db: Database, principal: Principal, *, after: str | None, limit: int, order: repository.Order
) -> EvalList:
    """A page of the caller's evals."""
    with db.session() as session:
        rows, has_more = repository.list_evals(
            session, project=principal.project, after=after, limit=limit, order=order
        )
        return EvalList.page([as_eval(row) for row in rows], has_more=has_more)


def update_eval(
    db: Database, principal: Principal, eval_id: str, request: UpdateEvalRequest
) -> Eval:
    """Rename the eval or replace its metadata."""
    with db.session() as session:
        row = repository.update_eval(
            session,
            project=principal.project,
            eval_id=eval_id,
            name=request.name,
            metadata=request.metadata,
        )
        return as_eval(row)


def delete_eval(
    db: Database, principal: Principal, eval_id: str, runner: EvalRunner
) -> EvalDeleted:
    """Delete the eval, its runs (stopping those that still run) and their output items."""
    with db.session() as session:
        run_ids = [
            run.id
            for run in repository.list_runs(
                session,
                project=principal.project,
                eval_id=eval_id,
                status=None,
                after=None,
                limit=MAX_RUN_ITEMS,
                order="asc",
            )[0]
        ]
        repository.delete_eval(session, project=principal.project, eval_id=eval_id)
    for run_id in run_ids:
        runner.cancel(run_id)
    return EvalDeleted(deleted=True, eval_id=eval_id)


def item_schema(config: JSONObject) -> JSONObject:
    """The schema of an eval's `item` namespace: a custom config's own, or a stored
    response's for a logs config."""
    if config["type"] == "logs":
        return RESPONSE_ITEM_SCHEMA
    return dict(as_object(config["item_schema"]))


def as_eval(row: EvalRow) -> Eval:
    """The wire object of an eval row."""
    config = row.data_source_config
    logs = config["type"] == "logs"
    properties: JSONObject = {"item": item_schema(config)}
    required = ["item"]
    if logs or config.get("include_sample_schema"):
        properties["sample"] = SAMPLE_SCHEMA
        required.append("sample")
    schema = {"type": "object", "properties": properties, "required": required}
    metadata = config.get("metadata")
    return Eval.model_validate(
        {
            "id": row.id,
            "name": row.name,
            "data_source_config": EvalLogsDataSourceConfig(
                schema=schema, metadata=dict(as_object(metadata)) if metadata else None
            )
            if logs
            else EvalCustomDataSourceConfig(schema=schema),
            "testing_criteria": row.testing_criteria,
            "created_at": row.created_at,
            "metadata": row.metadata_,
        }
    )


# ----- runs -----


def _items_of(
    db: Database,
    store: ArtifactStore,
    principal: Principal,
    source: EvalJsonlFileContentSource | EvalJsonlFileIdSource,
    param: str,
) -> list[JSONObject]:
    if isinstance(source, EvalJsonlFileContentSource):
        return [row.model_dump(exclude_none=True) for row in source.content]
    try:
        _, chunks = files.open_content(db, store, project=principal.project, file_id=source.id)
    except NotFoundError:
        # A 400 naming the field that holds the id, as for a job's training file.
        raise _refuse(
            f"{param}.id", f"No such File object: {source.id}", code="file_not_found"
        ) from None
    text = b"".join(chunks).decode("utf-8", errors="replace")
    items: list[JSONObject] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except ValueError:
            raise _refuse(f"{param}.id", f"Line {number} of {source.id} is not JSON.") from None
        if not isinstance(row, dict):
            raise _refuse(f"{param}.id", f"Line {number} of {source.id} is not an object.")
        # OpenAI's lines are {"item": ..., "sample": ...}; a bare object is the item itself.
        if not isinstance(row.get("item"), dict):
            row = {"item": row}
        items.append({key: row[key] for key in ("item", "sample") if key in row})
    return items


def _check_items(items: list[JSONObject], item_schema: JSONObject, param: str) -> None:
    if not items:
        raise _refuse(param, "The data source has no items.")
    if len(items) > MAX_RUN_ITEMS:
        raise _refuse(param, f"A run may grade at most {MAX_RUN_ITEMS} items.")
    validator = Draft202012Validator(item_schema)
    for index, row in enumerate(items):
        try:
            error = next(iter(validator.iter_errors(row["item"])), None)
        except Exception as exc:  # an unresolvable $ref, a pattern Python cannot compile
            raise _refuse(
                param, f"The eval's item_schema cannot be applied to item {index}: {exc}."
            ) from None
        if error is not None:
            raise _refuse(
                param,
                f"Item {index} does not match the eval's item_schema: {error.message}.",
            )


async def create_run(
    db: Database,
    store: ArtifactStore,
    catalog: Catalog,
    principal: Principal,
    runner: EvalRunner,
    eval_id: str,
    request: CreateEvalRunRequest,
    base_url: str,
) -> EvalRun:
    """Store a queued run with its items and start it in the background."""
    with db.session() as session:
        eval_row = repository.get_eval(session, project=principal.project, eval_id=eval_id)
        config = dict(eval_row.data_source_config)
    schema = item_schema(config)
    source_param = "data_source.source"
    data_source = request.data_source
    model = ""
    source: EvalJsonlFileContentSource | EvalJsonlFileIdSource | EvalResponsesSource
    if isinstance(data_source, CreateEvalJsonlRunDataSource):
        source = data_source.source
    elif isinstance(data_source, CreateEvalCompletionsRunDataSource):
        if data_source.source.type == "stored_completions":
            raise _refuse(
                "data_source.source.type",
                "The source 'stored_completions' is not supported: Whetstone stores no chat "
                "completions. Use 'file_content' or 'file_id'.",
                code="unsupported_value",
            )
        source = data_source.source
        await _check_completions(db, catalog, principal, data_source)
        model = data_source.model or ""
    else:
        source = data_source.source
        if data_source.model is not None or data_source.input_messages is not None:
            await _check_completions(db, catalog, principal, data_source)
        model = data_source.model or ""
    if isinstance(source, EvalResponsesSource):
        items = await asyncio.to_thread(_response_items, db, principal, source, config)
    else:
        items = await asyncio.to_thread(_items_of, db, store, principal, source, source_param)
    _check_items(items, schema, source_param)
    with db.session() as session:
        row = repository.create_run(
            session,
            project=principal.project,
            organization=principal.organization,
            eval_id=eval_id,
            name=request.name or f"{model or data_source.type} run",
            model=model,
            data_source=_as_stored(data_source.model_dump(mode="json", exclude_none=True)),
            items=items,
            metadata=request.metadata,
        )
        run = as_eval_run(session, row, base_url)
    runner.submit(row.id)
    return run


def _as_stored(data_source: JSONObject) -> JSONObject:
    """The data source as runs echo it: template messages in the eval message form, a text
    content as one `input_text` part, as OpenAI echoes them (a plain `{role, content}` message
    matches two branches of its description's oneOf, so it would validate as neither)."""
    input_messages = data_source.get("input_messages")
    messages = input_messages.get("template") if isinstance(input_messages, dict) else None
    for message in messages if isinstance(messages, list) else []:
        message = as_object(message)
        message["type"] = "message"
        if isinstance(message["content"], str):
            message["content"] = {"type": "input_text", "text": message["content"]}
    return data_source


def _response_items(
    db: Database, principal: Principal, source: EvalResponsesSource, config: JSONObject
) -> list[JSONObject]:
    """The run's items from the project's stored Responses: each its item (what it was
    asked) and its ready-made sample (what it answered); the newest first."""
    param = "data_source.source"
    for name in UNSUPPORTED_RESPONSE_FILTERS:
        if getattr(source, name) is not None:
            raise _refuse(
                f"{param}.{name}",
                f"The responses filter '{name}' is not supported; filter by model, metadata, "
                "created_after, created_before, instructions_search, users, temperature, top_p "
                "or reasoning_effort.",
                code="unsupported_parameter",
            )
    # The eval's own metadata filter applies to every run; the source's adds to it.
    eval_metadata = config.get("metadata")
    metadata: JSONObject = {
        **(dict(as_object(eval_metadata)) if eval_metadata else {}),
        **(source.metadata or {}),
    }
    where = responses.ResponseFilter(
        limit=min(source.limit or MAX_RUN_ITEMS, MAX_RUN_ITEMS),
        model=source.model,
        metadata=metadata or None,
        created_after=source.created_after,
        created_before=source.created_before,
        instructions_search=source.instructions_search,
        users=source.users,
        temperature=source.temperature,
        top_p=source.top_p,
        reasoning_effort=source.reasoning_effort,
    )
    found = responses.stored_responses(db, project=principal.project, where=where)
    if not found:
        raise _refuse(param, "No stored response matches the source's filters.")
    return [_response_item(stored) for stored in found]


def _response_item(stored: responses.StoredResponse) -> JSONObject:
    response = stored.response
    *asked, reply = stored.messages
    chat: list[JSONValue] = [
        {"role": str(m["role"]), "content": m["content"] if isinstance(m["content"], str) else ""}
        for m in asked
    ]
    item: JSONObject = {
        "id": response["id"],
        "model": response["model"],
        "created_at": response["created_at"],
        "instructions": response.get("instructions"),
        "metadata": response.get("metadata") or {},
        "input": chat,
    }
    usage = response.get("usage")
    tokens = as_object(usage) if isinstance(usage, dict) else {}
    sample: JSONObject = {
        "input": chat,
        "output_text": reply["content"] if isinstance(reply["content"], str) else "",
        "output_tools": reply.get("tool_calls") or [],
        "model": response["model"],
        "finish_reason": "length" if response["status"] == "incomplete" else "stop",
        "usage": {
            "prompt_tokens": tokens.get("input_tokens", 0),
            "completion_tokens": tokens.get("output_tokens", 0),
        },
        "temperature": response.get("temperature"),
        "top_p": response.get("top_p"),
        "max_completion_tokens": response.get("max_output_tokens"),
    }
    return {"item": item, "sample": sample}


def chat_sampling_fields(params: JSONObject, *, responses_form: bool) -> JSONObject:
    """A run's `response_format` and `tools` as chat completions take them; a `responses` run
    gives them in the Responses form (`text.format`, flat function tools), translated here."""
    if not responses_form:
        return {key: params[key] for key in ("response_format", "tools") if params.get(key)}
    fields: JSONObject = {}
    text = params.get("text")
    fmt = text.get("format") if isinstance(text, dict) else None
    if isinstance(fmt, dict) and fmt.get("type") == "json_schema":
        fields["response_format"] = {
            "type": "json_schema",
            "json_schema": {key: value for key, value in fmt.items() if key != "type"},
        }
    elif isinstance(fmt, dict) and fmt.get("type") != "text":
        fields["response_format"] = fmt
    tools = params.get("tools")
    if isinstance(tools, list) and tools:
        fields["tools"] = [
            {
                "type": "function",
                "function": {key: value for key, value in tool.items() if key != "type"},
            }
            if isinstance(tool, dict) and tool.get("type") == "function"
            else tool
            for tool in tools
        ]
    return fields


async def _check_completions(
    db: Database,
    catalog: Catalog,
    principal: Principal,
    data_source: CreateEvalCompletionsRunDataSource | CreateEvalResponsesRunDataSource,
) -> None:
    if data_source.model is None:
        raise _refuse(
            "data_source.model",
            "Missing required parameter: 'data_source.model'.",
            code="missing_required_parameter",
        )
    if data_source.input_messages is None:
        raise _refuse(
            "data_source.input_messages",
            "Missing required parameter: 'data_source.input_messages'.",
            code="missing_required_parameter",
        )
    try:
        await resolve_model(db, catalog, principal, data_source.model)
    except ModelNotFoundError:
        raise _refuse(
            "data_source.model",
            f"The model '{data_source.model}' does not exist or you do not have access to it.",
            code="model_not_found",
        ) from None
    params = data_source.sampling_params
    if params is not None and params.reasoning_effort is not None:
        raise _refuse(
            "data_source.sampling_params.reasoning_effort",
            "reasoning_effort is not supported: the served models are not reasoning models.",
            code="unsupported_value",
        )
    fields = chat_sampling_fields(
        params.model_dump(mode="json", exclude_none=True) if params is not None else {},
        responses_form=not isinstance(params, RunSamplingParams),
    )
    if fields:
        # The chat request's own validation, with the field named as this request has it.
        try:
            CreateChatCompletionRequest.model_validate(
                {
                    "model": data_source.model,
                    "messages": [{"role": "user", "content": "x"}],
                    **fields,
                }
            )
        except ValueError as exc:
            message = f"Invalid sampling_params: {exc}"
            raise _refuse("data_source.sampling_params", message) from None
    if data_source.input_messages.type == "item_reference":
        reference = data_source.input_messages.item_reference
        if not reference.startswith("item."):
            raise _refuse(
                "data_source.input_messages.item_reference",
                f"'{reference}' is no variable of the item namespace (item.x).",
            )


def get_run(
    db: Database, principal: Principal, eval_id: str, run_id: str, base_url: str
) -> EvalRun:
    """The caller's run; 404 otherwise."""
    with db.session() as session:
        row = repository.get_run(session, project=principal.project, eval_id=eval_id, run_id=run_id)
        return as_eval_run(session, row, base_url)


def list_runs(
    db: Database,
    principal: Principal,
    eval_id: str,
    base_url: str,
    *,
    status: str | None,
    after: str | None,
    limit: int,
    order: repository.Order,
) -> EvalRunList:
    """A page of the eval's runs."""
    with db.session() as session:
        repository.get_eval(session, project=principal.project, eval_id=eval_id)
        rows, has_more = repository.list_runs(
            session,
            project=principal.project,
            eval_id=eval_id,
            status=status,
            after=after,
            limit=limit,
            order=order,
        )
        return EvalRunList.page(
            [as_eval_run(session, row, base_url) for row in rows], has_more=has_more
        )


def finish_run(
    session: Session,
    run: EvalRunRow,
    status: str,
    *,
    sources: tuple[str, ...] = repository.UNFINISHED,
    error: dict[str, str] | None = None,
) -> bool:
    """End the run as `status` and write its webhook event, in the caller's transaction;
    False when it had ended already."""
    won = repository.set_run_status(
        session, run_id=run.id, status=status, sources=sources, error=error
    )
    if won:
        # The outbox row commits with the status or not at all.
        webhooks.record_event(
            session,
            project=run.project,
            event_type=f"eval.run.{FINISHED[status]}",
            object_id=run.id,
        )
    return won


def cancel_run(
    db: Database, principal: Principal, runner: EvalRunner, eval_id: str, run_id: str, base_url: str
) -> EvalRun:
    """Cancel a queued or running run (its items in flight stop too); a finished run is a
    400 naming `run_id`."""
    with db.session() as session:
        row = repository.get_run(session, project=principal.project, eval_id=eval_id, run_id=run_id)
        if not finish_run(session, row, "canceled"):
            session.refresh(row)
            raise InvalidRequestError(
                f"The run {run_id} is {row.status}; only a queued or running run can be canceled.",
                param="run_id",
                code="invalid_state",
            )
    runner.cancel(run_id)
    with db.session() as session:
        row = repository.get_run(session, project=principal.project, eval_id=eval_id, run_id=run_id)
        return as_eval_run(session, row, base_url)


def delete_run(
    db: Database, principal: Principal, runner: EvalRunner, eval_id: str, run_id: str
) -> EvalRunDeleted:
    """Delete the run (stopping it if it runs) and its output items."""
    with db.session() as session:
        repository.delete_run(session, project=principal.project, eval_id=eval_id, run_id=run_id)
    runner.cancel(run_id)
    return EvalRunDeleted(deleted=True, run_id=run_id)


def report_url(base_url: str, eval_id: str, run_id: str) -> str:
    """The run's page on this server's dashboard (docs/dashboard.md)."""
    return f"{base_url.rstrip('/')}/dashboard/evals/{eval_id}/runs/{run_id}"


def as_eval_run(session: Session, row: EvalRunRow, base_url: str) -> EvalRun:
    """The wire object of a run, its counters summed over the output items written so far."""
    counts = {"pass": 0, "fail": 0, "error": 0}
    per_criterion: dict[str, list[int]] = {}
    usage: dict[str, dict[str, int]] = {}
    for status, results, item_usage in repository.output_item_summaries(session, run_id=row.id):
        counts[status] = counts.get(status, 0) + 1
        for result in results:
            tally = per_criterion.setdefault(str(result["name"]), [0, 0])
            tally[0 if result["passed"] else 1] += 1
        for model, figures in item_usage.items():
            total = usage.setdefault(model, {})
            for key, value in figures.items():
                total[key] = total.get(key, 0) + value
    criteria_names = _criteria_names(session, row.eval_id)
    return EvalRun(
        id=row.id,
        eval_id=row.eval_id,
        status=row.status,
        model=row.model or None,
        name=row.name,
        created_at=row.created_at,
        report_url=report_url(base_url, row.eval_id, row.id),
        result_counts=EvalRunResultCounts(
            total=sum(counts.values()),
            errored=counts["error"],
            failed=counts["fail"],
            passed=counts["pass"],
        ),
        per_model_usage=[
            EvalRunModelUsage(
                model_name=model,
                invocation_count=figures.get("invocation_count", 0),
                prompt_tokens=figures.get("prompt_tokens", 0),
                completion_tokens=figures.get("completion_tokens", 0),
                total_tokens=figures.get("prompt_tokens", 0) + figures.get("completion_tokens", 0),
            )
            for model, figures in usage.items()
        ],
        per_testing_criteria_results=[
            EvalRunCriterionResult(
                testing_criteria=name,
                passed=per_criterion.get(name, [0, 0])[0],
                failed=per_criterion.get(name, [0, 0])[1],
            )
            for name in criteria_names
        ],
        data_source=row.data_source,
        metadata=row.metadata_,
        error=EvalApiError(**row.error) if row.error else None,
    )


def _criteria_names(session: Session, eval_id: str) -> list[str]:
    criteria = session.scalar(select(EvalRow.testing_criteria).where(EvalRow.id == eval_id))
    return [str(criterion["name"]) for criterion in criteria or []]


# ----- output items -----


def list_output_items(
    db: Database,
    principal: Principal,
    eval_id: str,
    run_id: str,
    *,
    status: str | None,
    after: str | None,
    limit: int,
    order: repository.Order,
) -> EvalRunOutputItemList:
    """A page of the run's output items."""
    with db.session() as session:
        repository.get_run(session, project=principal.project, eval_id=eval_id, run_id=run_id)
        rows, has_more = repository.list_output_items(
            session,
            project=principal.project,
            run_id=run_id,
            status=status,
            after=after,
            limit=limit,
            order=order,
        )
        return EvalRunOutputItemList.page([as_output_item(row) for row in rows], has_more=has_more)


def get_output_item(
    db: Database, principal: Principal, eval_id: str, run_id: str, output_item_id: str
) -> EvalRunOutputItem:
    """One output item of the caller's run; 404 otherwise."""
    with db.session() as session:
        repository.get_run(session, project=principal.project, eval_id=eval_id, run_id=run_id)
        return as_output_item(
            repository.get_output_item(
                session, project=principal.project, run_id=run_id, output_item_id=output_item_id
            )
        )


def as_output_item(row: EvalRunOutputItemRow) -> EvalRunOutputItem:
    """The wire object of an output item row."""
    return EvalRunOutputItem.model_validate(
        {
            "id": row.id,
            "run_id": row.run_id,
            "eval_id": row.eval_id,
            "created_at": row.created_at,
            "status": row.status,
            "datasource_item_id": row.datasource_item_id,
            "datasource_item": row.datasource_item,
            "results": row.results,
            "sample": row.sample,
        }
    )
