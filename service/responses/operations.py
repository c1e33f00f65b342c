"""The Responses API on the completions engine: input items -> chat messages -> the same
prompt, sampling, grammars and tool parsing as chat completions -> output items.

A response is produced as its stream of events (OpenAI's types and order); the whole object
is the last event's, so a response streamed and one not streamed are the same response.
Stored responses (`store`, default true) keep their conversation as chat messages, which
`previous_response_id` replays (without the earlier `instructions`, as OpenAI documents).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Literal, Required, TypedDict, Unpack

from pydantic import JsonValue

from service.catalog import Catalog, is_reasoning_model
from service.completions.prompting import (
    PreparedCompletion,
    ToolStream,
    fit_context,
    refuse_unsupported,
    start_generation,
    tool_family,
    untrained,
)
from service.completions.schemas import ChoiceDelta
from service.completions.streaming import first_then_rest
from service.completions.structured import format_grammar
from service.completions.tools import (
    FAMILIES,
    ToolPlan,
    forced_grammar,
    parse_tools,
    tool_mode,
)
from service.core.auth import Principal
from service.core.db import Database
from service.core.errors import InvalidRequestError, WhetstoneError
from service.core.ids import new_id, now
from service.core.pagination import split_page
from service.core.wire import JSONObject
from service.inference import InferenceService, SamplingParams
from service.models.operations import resolve_model
from service.responses import repository
from service.responses.schemas import (
    CreateResponseRequest,
    IncompleteDetails,
    InputTokensDetails,
    OutputTokensDetails,
    Reasoning,
    Response,
    ResponseItemList,
    ResponseUsage,
)

logger = logging.getLogger("whetstone.responses")

_TEXT_PARTS = {"input_text": "text", "output_text": "text", "refusal": "refusal"}
_ROLES = ("user", "system", "developer", "assistant")


@dataclass(frozen=True)
class PreparedResponse:
    """A validated request, ready for the engine."""

    completion: PreparedCompletion
    request: CreateResponseRequest
    input_items: list[JSONObject]
    # The conversation without instructions: earlier turns, then this input.
    conversation: list[JSONObject]
    tools: list[JSONObject]


def _check_support(request: CreateResponseRequest) -> None:
    if request.background and request.stream:
        raise refuse_unsupported("background", "a background response is polled, not streamed")
    if request.background and request.store is False:
        raise InvalidRequestError("A background response must be stored.", param="store")
    if request.reasoning is not None and not is_reasoning_model(request.model):
        raise refuse_unsupported(
            "reasoning", f"'{request.model}' is not a reasoning model (the reasoning aliases are)"
        )
    if request.include:
        raise refuse_unsupported(
            "include", "no extra outputs (logprobs, tool results) are produced"
        )
    if request.truncation not in (None, "disabled"):
        raise refuse_unsupported(
            "truncation", "an input over the context is a 400, never truncated"
        )
    if request.conversation is not None:
        raise refuse_unsupported(
            "conversation", "conversations are not stored; use previous_response_id"
        )
    if request.prompt is not None:
        raise refuse_unsupported("prompt", "stored prompt templates are not available")
    if request.context_management is not None:
        raise refuse_unsupported("context_management", "server-side compaction is not available")
    if request.moderation is not None:
        raise refuse_unsupported("moderation", "moderation is not available")
    if request.top_logprobs:
        raise refuse_unsupported("top_logprobs", "logprobs are served by chat completions only")
    if request.service_tier not in (None, "auto", "default"):
        raise refuse_unsupported("service_tier", "only the default tier exists")
    if request.text is not None and request.text.get("verbosity") not in (None, "medium"):
        raise refuse_unsupported("text.verbosity", "output verbosity cannot be controlled")
    if request.input is None and request.previous_response_id is None:
        raise InvalidRequestError("Missing required parameter: 'input'.", param="input")


def _text_of(content: JsonValue, param: str) -> str:
    if isinstance(content, str):
        return content
    if not isinstance(content, list):
        raise InvalidRequestError("Content must be text or a list of parts.", param=param)
    texts = []
    for j, part in enumerate(content):
        kind = part.get("type") if isinstance(part, dict) else None
        key = _TEXT_PARTS.get(kind) if isinstance(kind, str) else None
        text = part.get(key) if key is not None and isinstance(part, dict) else None
        if not isinstance(text, str):
            raise refuse_unsupported(
                f"{param}[{j}]", f"'{kind}' content is not available (text only)"
            )
        texts.append(text)
    return "".join(texts)


def _input(request: CreateResponseRequest) -> tuple[list[JSONObject], list[JSONObject]]:
    """The request's input as stored items (with ids) and as chat messages."""
    raw = request.input
    if raw is None:
        return [], []
    if isinstance(raw, str):
        raw = [{"type": "message", "role": "user", "content": raw}]
    items: list[JSONObject] = []
    messages: list[JSONObject] = []
    for i, item in enumerate(raw):
        kind = item.get("type", "message" if "role" in item else None)
        if kind == "message":
            role = item.get("role")
            if role not in _ROLES:
                raise InvalidRequestError(f"Unknown role {role!r}.", param=f"input[{i}].role")
            text = _text_of(item.get("content"), f"input[{i}].content")
            part: JSONObject = (
                {"type": "output_text", "text": text, "annotations": [], "logprobs": []}
                if role == "assistant"
                else {"type": "input_text", "text": text}
            )
            items.append(
                {
                    "id": item.get("id") or new_id("msg_", 32),
                    "type": "message",
                    "role": role,
                    "status": "completed",
                    "content": [part],
                }
            )
            # Most chat templates know no `developer` role; it is the system prompt's new name.
            messages.append({"role": "system" if role == "developer" else role, "content": text})
        elif kind == "function_call":
            call_id, name = item.get("call_id"), item.get("name")
            arguments = item.get("arguments")
            if not all(isinstance(v, str) for v in (call_id, name, arguments)):
                raise InvalidRequestError(
                    "A function_call item needs call_id, name and arguments.", param=f"input[{i}]"
                )
            items.append(
                {
                    "id": item.get("id") or new_id("fc_", 32),
                    "type": "function_call",
                    "call_id": call_id,
                    "name": name,
                    "arguments": arguments,
                    "status": "completed",
                }
            )
            call: JSONObject = {
                "id": call_id,
                "type": "function",
                "function": {"name": name, "arguments": arguments},
            }
            last = messages[-1] if messages else None
            calls = last.get("tool_calls") if last is not None else None
            if last is not None and last["role"] == "assistant":
                # Consecutive calls are one assistant turn, as chat templates render them.
                last["tool_calls"] = [*calls, call] if isinstance(calls, list) else [call]
            else:
                messages.append({"role": "assistant", "content": "", "tool_calls": [call]})
        elif kind == "function_call_output":
            call_id = item.get("call_id")
            if not isinstance(call_id, str):
                raise InvalidRequestError(
                    "A function_call_output item needs call_id.", param=f"input[{i}].call_id"
                )
            output = _text_of(item.get("output"), f"input[{i}].output")
            items.append(
                {
                    "id": item.get("id") or new_id("fco_", 32),
                    "type": "function_call_output",
                    "call_id": call_id,
                    "output": output,
                    "status": "completed",
                }
            )
            messages.append({"role": "tool", "tool_call_id": call_id, "content": output})
        elif kind == "reasoning":
            # A reasoning item passed back (as clients managing their context do): the
            # reasoning was empty, so the prompt is the same without it.
            items.append({**item, "id": item.get("id") or new_id("rs_", 32)})
        else:
            raise refuse_unsupported(f"input[{i}].type", f"'{kind}' items are not available")
    return items, messages


def _template_tool(tool: JSONObject) -> JSONObject:
    """A Responses function tool in chat's `{type, function}` form, the form training files
    (and so the chat template at training) use."""
    function: JSONObject = {
        key: tool[key] for key in ("name", "description", "parameters") if key in tool
    }
    return {"type": "function", "function": function}


async def prepare_response(
    db: Database,
    catalog: Catalog,
    inference: InferenceService,
    principal: Principal,
    request: CreateResponseRequest,
) -> PreparedResponse:
    """Validate a request and render its prompt; every refusal is a 400 or a 404."""
    _check_support(request)
    items, messages = _input(request)
    fmt = (request.text or {}).get("format")
    output_grammar = format_grammar(fmt, param="text.format")
    tools = parse_tools(request.tools or [])
    mode, named = tool_mode(request.tool_choice, tools, param="tool_choice")
    parallel = request.parallel_tool_calls is not False
    if output_grammar is not None and mode != "none":
        raise refuse_unsupported(
            "text.format", "a JSON format together with tools needs tool_choice 'none'"
        )
    earlier: list[JSONObject] = []
    if request.previous_response_id is not None:
        earlier = await asyncio.to_thread(
            _conversation_of, db, principal.project, request.previous_response_id
        )
    conversation = [*earlier, *messages]
    prompt_messages = list(conversation)
    if request.instructions:
        prompt_messages.insert(0, {"role": "system", "content": request.instructions})
    served = await resolve_model(db, catalog, principal, request.model)
    bounded = untrained(served)
    if bounded and output_grammar is not None:
        output_grammar = format_grammar(fmt, param="text.format", bounded=True)
    rendered_tools = [_template_tool(t) for t in request.tools or []] or None
    prompt = await inference.render_chat(served.entry, prompt_messages, tools=rendered_tools)
    max_tokens = fit_context(
        served.entry, len(prompt.token_ids), request.max_output_tokens, "input"
    )
    params = SamplingParams(
        max_tokens=max_tokens,
        temperature=1.0 if request.temperature is None else request.temperature,
        top_p=1.0 if request.top_p is None else request.top_p,
        grammar=output_grammar
        or forced_grammar(mode, tools, named, parallel=parallel, bounded=bounded),
    )
    family = await tool_family(inference, served.entry) if tools else FAMILIES["json"]
    plan = ToolPlan(mode, tools, family, parallel, named)
    completion = PreparedCompletion(served, [prompt], params, 1, False, plan)
    echoed = [
        {**tool, "parameters": tool.get("parameters"), "strict": tool.get("strict")}
        for tool in request.tools or []
    ]
    return PreparedResponse(completion, request, items, conversation, echoed)


def _conversation_of(db: Database, project: str, response_id: str) -> list[JSONObject]:
    with db.session() as session:
        try:
            row = repository.get_response(session, project=project, response_id=response_id)
        except WhetstoneError as exc:
            exc.param = "previous_response_id"
            raise
        return list(row.conversation)


def _response(
    prepared: PreparedResponse,
    *,
    response_id: str,
    created_at: int,
    status: str,
    output: list[OutputItem],
    usage: ResponseUsage | None = None,
) -> JSONObject:
    request = prepared.request
    params = prepared.completion.params
    incomplete = IncompleteDetails(reason="max_output_tokens") if status == "incomplete" else None
    return Response(
        id=response_id,
        created_at=created_at,
        completed_at=now() if status in ("completed", "incomplete") else None,
        status=status,
        incomplete_details=incomplete,
        instructions=request.instructions,
        max_output_tokens=request.max_output_tokens,
        model=request.model,
        output=output,
        reasoning=_reasoning(request),
        parallel_tool_calls=request.parallel_tool_calls is not False,
        previous_response_id=request.previous_response_id,
        store=request.store is not False,
        background=bool(request.background),
        temperature=params.temperature,
        text={"format": (request.text or {}).get("format") or {"type": "text"}},
        tool_choice=request.tool_choice or ("auto" if prepared.tools else "none"),
        tools=prepared.tools,
        top_p=params.top_p,
        usage=usage,
        user=request.user,
        metadata=request.metadata or {},
    ).model_dump(mode="json")


def _reasoning(request: CreateResponseRequest) -> Reasoning | None:
    """The reasoning options a response echoes: a reasoning model's (OpenAI's default effort
    `medium`), None for other models."""
    if not is_reasoning_model(request.model):
        return None
    asked = request.reasoning or Reasoning()
    return asked.model_copy(update={"effort": asked.effort or "medium"})


class OutputText(TypedDict):
    """The text part of an output message."""

    type: Literal["output_text"]
    annotations: list[JSONObject]
    logprobs: list[JSONObject]
    text: str


class OutputMessage(TypedDict):
    """An assistant message of the output, as it is built."""

    id: str
    type: Literal["message"]
    status: str
    content: list[OutputText]
    role: Literal["assistant"]


class FunctionCallItem(TypedDict):
    """A function call of the output, as it is built."""

    id: str
    type: Literal["function_call"]
    status: str
    arguments: str
    call_id: str
    name: str


class ReasoningItem(TypedDict):
    """The reasoning of a reasoning model: always empty."""

    id: str
    type: Literal["reasoning"]
    summary: list[JSONObject]


OutputItem = OutputMessage | FunctionCallItem | ReasoningItem


class EventFields(TypedDict, total=False):
    """The fields a stream event may carry besides its type and number (OpenAI's events)."""

    response: JSONObject
    item: OutputItem
    item_id: str
    output_index: int
    content_index: int
    part: OutputText
    delta: str
    text: str
    logprobs: list[JSONObject]
    name: str
    arguments: str
    code: str | None
    message: str
    param: str | None


class StreamEvent(EventFields, total=False):
    """One event of a streamed response."""

    type: Required[str]
    sequence_number: Required[int]


class _Events:
    """Numbers the events of one stream and keeps the output items as they are built."""

    def __init__(self) -> None:
        self.sequence = 0
        self.output: list[OutputItem] = []
        self.open: OutputItem | None = None

    def event(self, kind: str, **fields: Unpack[EventFields]) -> StreamEvent:
        payload: StreamEvent = {"type": kind, **fields, "sequence_number": self.sequence}
        self.sequence += 1
        return payload

    def apply(self, delta: ChoiceDelta) -> list[StreamEvent]:
        """The events one delta of the tool stream becomes."""
        events: list[StreamEvent] = []
        if delta.content:
            if self.open is None or self.open["type"] != "message":
                events += self.close(incomplete=False)
                events += self.open_message()
            message = self.open
            assert message is not None and message["type"] == "message"
            message["content"][0]["text"] += delta.content
            events.append(
                self.event(
                    "response.output_text.delta",
                    item_id=message["id"],
                    output_index=len(self.output) - 1,
                    content_index=0,
                    delta=delta.content,
                    logprobs=[],
                )
            )
        for part in delta.tool_calls or []:
            function = part.function
            if part.id is not None:
                events += self.close(incomplete=False)
                call: FunctionCallItem = {
                    "id": new_id("fc_", 32),
                    "type": "function_call",
                    "status": "in_progress",
                    "arguments": "",
                    "call_id": part.id,
                    "name": (function.name or "") if function else "",
                }
                self.output.append(call)
                self.open = call
                events.append(
                    self.event(
                        "response.output_item.added",
                        output_index=len(self.output) - 1,
                        item=call.copy(),
                    )
                )
            opened = self.open
            if (
                function is not None
                and function.arguments
                and opened is not None
                and opened["type"] == "function_call"
            ):
                opened["arguments"] += function.arguments
                events.append(
                    self.event(
                        "response.function_call_arguments.delta",
                        item_id=opened["id"],
                        output_index=len(self.output) - 1,
                        delta=function.arguments,
                    )
                )
        return events

    def reasoning(self) -> list[StreamEvent]:
        """The events of a reasoning model's reasoning item, empty: it is added done."""
        item: ReasoningItem = {"id": new_id("rs_", 32), "type": "reasoning", "summary": []}
        self.output.append(item)
        index = len(self.output) - 1
        return [
            self.event("response.output_item.added", output_index=index, item=item.copy()),
            self.event("response.output_item.done", output_index=index, item=item),
        ]

    def open_message(self) -> list[StreamEvent]:
        """The events that open a new assistant message with one empty text part."""
        message: OutputMessage = {
            "id": new_id("msg_", 32),
            "type": "message",
            "status": "in_progress",
            "content": [],
            "role": "assistant",
        }
        self.output.append(message)
        self.open = message
        index = len(self.output) - 1
        added = self.event("response.output_item.added", output_index=index, item=message.copy())
        part: OutputText = {"type": "output_text", "annotations": [], "logprobs": [], "text": ""}
        message["content"] = [part]
        part_added = self.event(
            "response.content_part.added",
            item_id=message["id"],
            output_index=index,
            content_index=0,
            part=part.copy(),
        )
        return [added, part_added]

    def close(self, *, incomplete: bool) -> list[StreamEvent]:
        """The events that finish the open item, if any."""
        item, self.open = self.open, None
        if item is None or item["type"] == "reasoning":  # a reasoning item is never open
            return []
        index = len(self.output) - 1
        events = []
        item["status"] = "incomplete" if incomplete else "completed"
        if item["type"] == "message":
            part = item["content"][0]
            events.append(
                self.event(
                    "response.output_text.done",
                    item_id=item["id"],
                    output_index=index,
                    content_index=0,
                    text=part["text"],
                    logprobs=[],
                )
            )
            events.append(
                self.event(
                    "response.content_part.done",
                    item_id=item["id"],
                    output_index=index,
                    content_index=0,
                    part=part.copy(),
                )
            )
        elif item["type"] == "function_call":
            events.append(
                self.event(
                    "response.function_call_arguments.done",
                    item_id=item["id"],
                    name=item["name"],
                    output_index=index,
                    arguments=item["arguments"],
                )
            )
        events.append(self.event("response.output_item.done", output_index=index, item=item))
        return events


async def stream_response(
    db: Database,
    inference: InferenceService,
    principal: Principal,
    prepared: PreparedResponse,
    *,
    raise_errors: bool = False,
    background: tuple[str, int] | None = None,
) -> AsyncIterator[StreamEvent]:
    """Start generating (a failure to start is still an HTTP error), then give the events;
    the last is `response.completed` (or `.incomplete`), after the response is stored. A
    failure once started is an `error` event (or raised, with `raise_errors`). `background`:
    the (id, created_at) of the stored queued row this run completes, unless cancelled."""
    generation = await start_generation(inference, prepared.completion)
    events = await first_then_rest(generation)
    response_id, created_at = background or (new_id("resp_", 32), now())
    plan = prepared.completion.tools
    assert plan is not None
    project = principal.project

    async def run() -> AsyncIterator[StreamEvent]:
        state = _Events()
        stream = ToolStream(plan)
        skeleton = _response(
            prepared,
            response_id=response_id,
            created_at=created_at,
            status="in_progress",
            output=[],
        )
        yield state.event("response.created", response=skeleton)
        yield state.event("response.in_progress", response=skeleton)
        if is_reasoning_model(prepared.request.model):
            for out in state.reasoning():
                yield out
        completion_tokens, length = 0, False
        checked = time.monotonic()
        try:
            async for event in events:
                if background and time.monotonic() - checked > CANCEL_CHECK_SECONDS:
                    # The row is the one place a cancel is recorded, whichever replica got it.
                    checked = time.monotonic()
                    if await asyncio.to_thread(_status, db, project, response_id) == "cancelled":
                        return  # leaving the loop ends the generation (its ticket is cancelled)
                completion_tokens = event.completion_tokens
                for delta in stream.push(event.text):
                    for out in state.apply(delta):
                        yield out
                if event.finish_reason is not None:
                    length = event.finish_reason == "length"
                    for delta in stream.end(length):
                        for out in state.apply(delta):
                            yield out
        except WhetstoneError as exc:
            if raise_errors:
                raise
            yield state.event("error", code=exc.code, message=exc.message, param=exc.param)
            return
        if all(item["type"] == "reasoning" for item in state.output):
            # An empty reply is still one (empty) message, as OpenAI answers it.
            for out in state.open_message():
                yield out
        for out in state.close(incomplete=length):
            yield out
        prompt_tokens = len(prepared.completion.prompts[0].token_ids)
        usage = ResponseUsage(
            input_tokens=prompt_tokens,
            input_tokens_details=InputTokensDetails(),
            output_tokens=completion_tokens,
            output_tokens_details=OutputTokensDetails(),
            total_tokens=prompt_tokens + completion_tokens,
        )
        status = "incomplete" if length else "completed"
        final = _response(
            prepared,
            response_id=response_id,
            created_at=created_at,
            status=status,
            output=state.output,
            usage=usage,
        )
        if prepared.request.store is not False:
            await asyncio.to_thread(
                _store, db, project, prepared, final, state.output, background is not None
            )
        yield state.event(f"response.{status}", response=final)

    return run()


def _status(db: Database, project: str, response_id: str) -> str:
    with db.session() as session:
        return repository.get_response(session, project=project, response_id=response_id).status


def _store(
    db: Database,
    project: str,
    prepared: PreparedResponse,
    final: JSONObject,
    output: list[OutputItem],
    update: bool,
) -> None:
    text = "".join(item["content"][0]["text"] for item in output if item["type"] == "message")
    calls: list[JsonValue] = [
        {
            "id": item["call_id"],
            "type": "function",
            "function": {"name": item["name"], "arguments": item["arguments"]},
        }
        for item in output
        if item["type"] == "function_call"
    ]
    reply: JSONObject = {"role": "assistant", "content": text}
    if calls:
        reply["tool_calls"] = calls
    with db.session() as session:
        if update:
            repository.finish_response(
                session,
                project=project,
                response=final,
                conversation=[*prepared.conversation, reply],
            )
            return
        repository.create_response(
            session,
            project=project,
            response=final,
            input_items=prepared.input_items,
            conversation=[*prepared.conversation, reply],
        )


# Background runs are referenced here until they end, so that the event loop cannot drop
# them; their state lives in their rows.
_RUNNING: set[asyncio.Task[None]] = set()
CANCEL_CHECK_SECONDS = 0.5


async def start_background(
    db: Database, inference: InferenceService, principal: Principal, prepared: PreparedResponse
) -> JSONObject:
    """Store the response as queued and generate it in a task; the answer is the queued
    response, which GET polls and `cancel` stops."""
    response_id, created_at = new_id("resp_", 32), now()
    queued = _response(
        prepared, response_id=response_id, created_at=created_at, status="queued", output=[]
    )
    await asyncio.to_thread(_store_queued, db, principal.project, prepared, queued)

    async def run() -> None:
        try:
            stream = await stream_response(
                db,
                inference,
                principal,
                prepared,
                raise_errors=True,
                background=(response_id, created_at),
            )
            running = {**queued, "status": "in_progress"}
            await asyncio.to_thread(_record, db, principal.project, running)
            async for _ in stream:
                pass
        except WhetstoneError as exc:
            failed = {**queued, "status": "failed"}
            failed["error"] = {"code": exc.code or "server_error", "message": exc.message}
            try:
                await asyncio.to_thread(_record, db, principal.project, failed)
            except Exception:  # the server is stopping: the database may be gone already
                logger.warning("response %s failed and could not be recorded", response_id)

    task = asyncio.create_task(run(), name=f"response-{response_id}")
    _RUNNING.add(task)
    task.add_done_callback(_RUNNING.discard)
    return queued


def _store_queued(
    db: Database, project: str, prepared: PreparedResponse, queued: JSONObject
) -> None:
    with db.session() as session:
        repository.create_response(
            session,
            project=project,
            response=queued,
            input_items=prepared.input_items,
            conversation=list(prepared.conversation),
        )


def _record(db: Database, project: str, response: JSONObject) -> None:
    with db.session() as session:
        repository.finish_response(session, project=project, response=response, conversation=None)


async def create_response(
    db: Database, inference: InferenceService, principal: Principal, prepared: PreparedResponse
) -> JSONObject:
    """The whole response: its stream's last event's, so both forms are one response."""
    final: JSONObject | None = None
    stream = await stream_response(db, inference, principal, prepared, raise_errors=True)
    async for event in stream:
        final = event.get("response", final)
    assert final is not None
    return final


def get_response(db: Database, *, project: str, response_id: str) -> JSONObject:
    """The stored response; 404 when absent or another project's."""
    with db.session() as session:
        return dict(
            repository.get_response(session, project=project, response_id=response_id).response
        )


def delete_response(db: Database, *, project: str, response_id: str) -> None:
    """Delete a stored response; later `previous_response_id`s naming it are a 404."""
    with db.session() as session:
        repository.delete_response(session, project=project, response_id=response_id)


def cancel_response(db: Database, *, project: str, response_id: str) -> JSONObject:
    """Cancel a queued or running background response (its run stops at its next check); one
    that already ended is answered as it is. A response not created in background is a 400."""
    with db.session() as session:
        row = repository.get_response(session, project=project, response_id=response_id)
        if not row.response.get("background"):
            raise InvalidRequestError(
                "Only responses created with background=true can be cancelled.",
                param="response_id",
            )
        if row.status in ("queued", "in_progress"):
            cancelled = {**row.response, "status": "cancelled"}
            repository.finish_response(
                session, project=project, response=cancelled, conversation=None
            )
            return cancelled
        return dict(row.response)


def list_input_items(
    db: Database,
    *,
    project: str,
    response_id: str,
    limit: int,
    order: str,
    after: str | None,
) -> ResponseItemList:
    """A page of the response's own input items (desc, as OpenAI, unless `order=asc`)."""
    with db.session() as session:
        row = repository.get_response(session, project=project, response_id=response_id)
        items = list(row.input_items)
    if order == "desc":
        items.reverse()
    if after is not None:
        ids = [item["id"] for item in items]
        if after not in ids:
            raise InvalidRequestError(f"No input item '{after}' in this response.", param="after")
        items = items[ids.index(after) + 1 :]
    page, has_more = split_page(items, limit)
    return ResponseItemList(
        data=page,
        first_id=page[0]["id"] if page else None,
        last_id=page[-1]["id"] if page else None,
        has_more=has_more,
    )


@dataclass(frozen=True)
class ResponseFilter:
    """Which stored responses an eval grades (the filters of OpenAI's EvalResponsesSource)."""

    limit: int
    model: str | None = None
    metadata: JSONObject | None = None
    created_after: int | None = None
    created_before: int | None = None
    instructions_search: str | None = None
    users: list[str] | None = None
    temperature: float | None = None
    top_p: float | None = None
    reasoning_effort: str | None = None

    def matches(self, response: JSONObject) -> bool:
        """Whether the stored response passes every filter given."""
        metadata = response.get("metadata") or {}
        reasoning = response.get("reasoning")
        instructions = response.get("instructions")
        return (
            (self.model is None or response.get("model") == self.model)
            and (
                self.metadata is None
                or (
                    isinstance(metadata, dict)
                    and all(metadata.get(key) == value for key, value in self.metadata.items())
                )
            )
            and (
                self.instructions_search is None
                or (isinstance(instructions, str) and self.instructions_search in instructions)
            )
            and (self.users is None or response.get("user") in self.users)
            and (self.temperature is None or response.get("temperature") == self.temperature)
            and (self.top_p is None or response.get("top_p") == self.top_p)
            and (
                self.reasoning_effort is None
                or (
                    isinstance(reasoning, dict) and reasoning.get("effort") == self.reasoning_effort
                )
            )
        )


@dataclass(frozen=True)
class StoredResponse:
    """A finished stored response and the chat it answered."""

    response: JSONObject
    # The messages the model was given (its instructions first, as a system message), then
    # its reply: the conversation a `previous_response_id` replays.
    messages: list[JSONObject]


def stored_responses(db: Database, *, project: str, where: ResponseFilter) -> list[StoredResponse]:
    """The project's newest completed or incomplete stored responses that pass `where`, at
    most `where.limit` of them."""
    found: list[StoredResponse] = []
    with db.session() as session:
        for row in repository.iter_finished_responses(
            session,
            project=project,
            created_after=where.created_after,
            created_before=where.created_before,
        ):
            if not where.matches(row.response):
                continue
            instructions = row.response.get("instructions")
            system: list[JSONObject] = (
                [{"role": "system", "content": instructions}] if instructions else []
            )
            found.append(StoredResponse(dict(row.response), [*system, *row.conversation]))
            if len(found) >= where.limit:
                break
    return found
