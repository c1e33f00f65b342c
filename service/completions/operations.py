"""Chat and legacy completions: validate, render the prompt, run the engine, shape replies.

Each endpoint has a `prepare_*` (every refusal is a 400 or a 404, before any token is
generated), a `create_*` that answers the whole object, and a `stream_*` whose chunks
service/completions/streaming.py frames as server-sent events.
"""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass, field, replace

from pydantic import JsonValue

from service.catalog import BaseModelEntry, Catalog
from service.completions.prompting import (
    PreparedCompletion,
    ToolStream,
    fit_context,
    refuse_unsupported,
    start_generation,
    tool_family,
    untrained,
)
from service.completions.schemas import (
    ChatCompletion,
    ChatCompletionChoice,
    ChatCompletionChunk,
    ChatCompletionChunkChoice,
    ChatCompletionMessage,
    ChatCompletionMessageToolCall,
    ChatCompletionTokenLogprob,
    ChoiceDelta,
    ChoiceLogprobs,
    Completion,
    CompletionChoice,
    CompletionLogprobs,
    CompletionUsage,
    CreateChatCompletionRequest,
    CreateCompletionRequest,
    FunctionCall,
    TopLogprob,
)
from service.completions.streaming import first_then_rest
from service.completions.structured import format_grammar
from service.completions.tools import (
    ToolCall,
    ToolPlan,
    forced_grammar,
    parse_tools,
    tool_mode,
)
from service.core.auth import Principal
from service.core.db import Database
from service.core.errors import InvalidRequestError
from service.core.ids import new_id, now
from service.core.wire import JSONObject
from service.inference import Generation, InferenceService
from service.inference.types import TokenLogprob
from service.models.operations import resolve_model

ENGINE_VERSION = "whetstone-engine-1"
COMPLETIONS_DEFAULT_MAX_TOKENS = 16  # OpenAI's documented default for /v1/completions


def system_fingerprint(entry: BaseModelEntry) -> str:
    """Changes when the base model or the engine that samples from it changes."""
    digest = hashlib.sha256(f"{entry.name}:{ENGINE_VERSION}".encode()).hexdigest()
    return f"fp_{digest[:10]}"


@dataclass
class _ChoiceTotals:
    text: list[str] = field(default_factory=list)
    tokens: list[TokenLogprob] = field(default_factory=list)
    finish_reason: str | None = None
    completion_tokens: int = 0


async def _collect(generation: Generation) -> dict[int, _ChoiceTotals]:
    totals: dict[int, _ChoiceTotals] = {}
    async for event in generation.events():
        choice = totals.setdefault(event.index, _ChoiceTotals())
        choice.text.append(event.text)
        choice.tokens.extend(event.tokens)
        choice.completion_tokens = event.completion_tokens
        if event.finish_reason is not None:
            choice.finish_reason = event.finish_reason
    return totals


# ----- chat completions -----


def _check_chat_support(request: CreateChatCompletionRequest) -> None:
    if request.functions:
        raise refuse_unsupported("functions", "the deprecated functions are not served; use tools")
    if request.function_call not in (None, "none"):
        raise refuse_unsupported(
            "function_call", "the deprecated function_call is not served; use tools"
        )
    if request.audio is not None:
        raise refuse_unsupported("audio", "the models produce text only")
    if request.modalities not in (None, ["text"]):
        raise refuse_unsupported("modalities", "the models produce text only")
    if request.prediction is not None:
        raise refuse_unsupported("prediction", "predicted outputs are not available")
    if request.web_search_options is not None:
        raise refuse_unsupported("web_search_options", "web search is not available")
    if request.reasoning_effort is not None:
        raise refuse_unsupported("reasoning_effort", "the models are not reasoning models")
    if request.verbosity is not None:
        raise refuse_unsupported("verbosity", "output verbosity cannot be controlled")
    if request.moderation is not None:
        raise refuse_unsupported("moderation", "moderation is not available")
    if request.store:
        raise refuse_unsupported("store", "chat completions are not stored")
    if request.top_logprobs is not None and not request.logprobs:
        raise InvalidRequestError(
            "'top_logprobs' requires 'logprobs' to be true.", param="top_logprobs"
        )


def _chat_messages(request: CreateChatCompletionRequest) -> list[JSONObject]:
    messages: list[JSONObject] = []
    for i, message in enumerate(request.messages):
        if message.audio is not None:
            raise refuse_unsupported(f"messages[{i}].audio", "audio input is not available")
        content = message.content
        if isinstance(content, list):
            texts = []
            for j, part in enumerate(content):
                if part.type == "text" and part.text is not None:
                    texts.append(part.text)
                elif part.type == "refusal" and part.refusal is not None:
                    texts.append(part.refusal)
                else:
                    raise refuse_unsupported(
                        f"messages[{i}].content[{j}]", f"'{part.type}' content is not available"
                    )
            content = "".join(texts)
        rendered: JSONObject = {
            # Most chat templates know no `developer` role; it is the system prompt's new name.
            "role": "system" if message.role == "developer" else message.role,
            "content": content if content is not None else "",
        }
        if message.name is not None:
            rendered["name"] = message.name
        if message.tool_calls:
            calls: list[JsonValue] = list(message.tool_calls)
            rendered["tool_calls"] = calls
        if message.tool_call_id is not None:
            rendered["tool_call_id"] = message.tool_call_id
        messages.append(rendered)
    return messages


async def prepare_chat(
    db: Database,
    catalog: Catalog,
    inference: InferenceService,
    principal: Principal,
    request: CreateChatCompletionRequest,
) -> PreparedCompletion:
    """Validate a chat request and render its prompt; every refusal is a 400 or a 404."""
    _check_chat_support(request)
    messages = _chat_messages(request)
    output_grammar = format_grammar(request.response_format, param="response_format")
    tools = parse_tools(request.tools or [])
    mode, named = tool_mode(request.tool_choice, tools, param="tool_choice")
    parallel = request.parallel_tool_calls is not False
    if output_grammar is not None and mode != "none":
        # One grammar per choice: the reply is either the schema's JSON or a call.
        raise refuse_unsupported(
            "response_format", "a JSON format together with tools needs tool_choice 'none'"
        )
    served = await resolve_model(db, catalog, principal, request.model)
    bounded = untrained(served)
    if bounded and output_grammar is not None:
        # Narrowed only now: the checks above answer for the schema as the caller wrote it.
        output_grammar = format_grammar(
            request.response_format, param="response_format", bounded=True
        )
    tool_grammar = forced_grammar(mode, tools, named, parallel=parallel, bounded=bounded)
    rendered_tools = request.tools or None
    prompt = await inference.render_chat(served.entry, messages, tools=rendered_tools)
    requested = request.max_completion_tokens or request.max_tokens
    max_tokens = fit_context(served.entry, len(prompt.token_ids), requested, "messages")
    params = replace(
        request.to_sampling_params(max_tokens=max_tokens), grammar=output_grammar or tool_grammar
    )
    include_usage = bool(request.stream_options and request.stream_options.include_usage)
    plan = None
    if tools:
        family = await tool_family(inference, served.entry)
        plan = ToolPlan(mode, tools, family, parallel, named)
    return PreparedCompletion(served, [prompt], params, request.n or 1, include_usage, plan)


def _chat_logprobs(tokens: list[TokenLogprob] | tuple[TokenLogprob, ...]) -> ChoiceLogprobs:
    return ChoiceLogprobs(
        content=[
            ChatCompletionTokenLogprob(
                token=t.token,
                logprob=t.logprob,
                bytes=list(t.token.encode()),
                top_logprobs=[
                    TopLogprob(token=token, logprob=lp, bytes=list(token.encode()))
                    for token, lp in t.top
                ],
            )
            for t in tokens
        ],
        refusal=None,
    )


async def create_chat_completion(
    inference: InferenceService, prepared: PreparedCompletion, request: CreateChatCompletionRequest
) -> ChatCompletion:
    """Generate every choice, then answer with the whole ChatCompletion."""
    generation = await start_generation(inference, prepared)
    totals = await _collect(generation)
    choices = []
    for index, choice in sorted(totals.items()):
        text, finish = "".join(choice.text), choice.finish_reason or "length"
        content: str | None = text
        calls: list[ToolCall] = []
        if prepared.tools is not None:
            content, calls = prepared.tools.finish(text, finish == "length")
        choices.append(
            ChatCompletionChoice(
                index=index,
                message=ChatCompletionMessage(
                    content=content, tool_calls=[_wire_call(c) for c in calls] or None
                ),
                logprobs=_chat_logprobs(choice.tokens) if request.logprobs else None,
                finish_reason=_tool_finish(prepared.tools, finish, calls),
            )
        )
    return ChatCompletion(
        id=new_id("chatcmpl-", 29),
        created=now(),
        model=request.model,
        system_fingerprint=system_fingerprint(prepared.served.entry),
        choices=choices,
        usage=_usage(prepared, totals.values()),
        metadata=request.metadata,
    )


async def stream_chat_completion(
    inference: InferenceService, prepared: PreparedCompletion, request: CreateChatCompletionRequest
) -> AsyncIterator[JSONObject]:
    """Start generating (failures to start are still HTTP errors), then give the chunks."""
    generation = await start_generation(inference, prepared)
    events = await first_then_rest(generation)
    base = {
        "id": new_id("chatcmpl-", 29),
        "created": now(),
        "model": request.model,
        "system_fingerprint": system_fingerprint(prepared.served.entry),
    }

    def chunk(
        choices: list[ChatCompletionChunkChoice], usage: CompletionUsage | None = None
    ) -> JSONObject:
        payload = ChatCompletionChunk(**base, choices=choices, usage=usage).model_dump(
            exclude_none=False
        )
        for choice in payload["choices"]:
            choice["delta"] = _without_none(choice["delta"])
        if usage is None:
            # OpenAI sends `usage: null` here, but its own schema (a $ref beside `nullable`)
            # rejects null under JSON Schema; leaving the key out satisfies both readings.
            payload.pop("usage")
        return payload

    async def chunks() -> AsyncIterator[JSONObject]:
        totals: dict[int, _ChoiceTotals] = {}
        for index in range(prepared.n):
            # OpenAI opens each choice with the role and an empty content.
            yield chunk(
                [
                    ChatCompletionChunkChoice(
                        index=index, delta=ChoiceDelta(role="assistant", content="")
                    )
                ]
            )
        streams: dict[int, ToolStream] = {}
        async for event in events:
            choice = totals.setdefault(event.index, _ChoiceTotals())
            choice.completion_tokens = event.completion_tokens
            if prepared.tools is not None and prepared.tools.mode != "none":
                stream = streams.setdefault(event.index, ToolStream(prepared.tools))
                for delta in stream.push(event.text):
                    yield chunk([ChatCompletionChunkChoice(index=event.index, delta=delta)])
                if event.finish_reason is not None:
                    for delta in stream.end(event.finish_reason == "length"):
                        yield chunk([ChatCompletionChunkChoice(index=event.index, delta=delta)])
                    finish = _tool_finish(prepared.tools, event.finish_reason, stream.calls)
                    yield chunk(
                        [
                            ChatCompletionChunkChoice(
                                index=event.index,
                                delta=ChoiceDelta(),
                                finish_reason=finish,
                            )
                        ]
                    )
                continue
            if event.text or event.tokens:
                yield chunk(
                    [
                        ChatCompletionChunkChoice(
                            index=event.index,
                            delta=ChoiceDelta(content=event.text),
                            logprobs=_chat_logprobs(event.tokens) if request.logprobs else None,
                        )
                    ]
                )
            if event.finish_reason is not None:
                yield chunk(
                    [
                        ChatCompletionChunkChoice(
                            index=event.index,
                            delta=ChoiceDelta(),
                            finish_reason=event.finish_reason,
                        )
                    ]
                )
        if prepared.include_usage:
            yield chunk([], usage=_usage(prepared, totals.values()))

    return chunks()


def _without_none(value: JsonValue) -> JsonValue:
    if isinstance(value, dict):
        return {k: _without_none(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_without_none(v) for v in value]
    return value


def _wire_call(call: ToolCall) -> ChatCompletionMessageToolCall:
    return ChatCompletionMessageToolCall(
        id=call.id, function=FunctionCall(name=call.name, arguments=call.arguments)
    )


def _tool_finish(plan: ToolPlan | None, finish: str, calls: list[ToolCall]) -> str:
    """OpenAI ends a reply that calls tools with `tool_calls`, except a forced named call,
    which ends `stop`."""
    if finish == "length" or not calls or plan is None or plan.mode == "named":
        return finish
    return "tool_calls"


# ----- legacy completions -----


def _completion_prompts(request: CreateCompletionRequest) -> list[str | list[int]]:
    prompt = request.prompt
    if prompt is None:
        return [""]
    if isinstance(prompt, str):
        return [prompt]
    if not prompt:
        raise InvalidRequestError("'prompt' must not be an empty list.", param="prompt")
    # One prompt of token ids, or a list of prompts (texts or token-id lists).
    token_ids = [p for p in prompt if isinstance(p, int)]
    if len(token_ids) == len(prompt):
        return [token_ids]
    return [p for p in prompt if not isinstance(p, int)]


def _check_completion_support(request: CreateCompletionRequest) -> None:
    if request.suffix is not None:
        raise refuse_unsupported("suffix", "insertion (fill-in-the-middle) is not available")
    if request.best_of not in (None, 1, request.n or 1):
        raise refuse_unsupported("best_of", "only best_of equal to n is available")
    if request.echo and request.logprobs is not None:
        raise refuse_unsupported("echo", "prompt logprobs (echo with logprobs) are not available")
    if request.max_tokens == 0:
        raise InvalidRequestError("'max_tokens' must be at least 1.", param="max_tokens")


async def prepare_completion(
    db: Database,
    catalog: Catalog,
    inference: InferenceService,
    principal: Principal,
    request: CreateCompletionRequest,
) -> PreparedCompletion:
    """Validate a completions request and tokenize its prompts."""
    _check_completion_support(request)
    texts = _completion_prompts(request)
    served = await resolve_model(db, catalog, principal, request.model)
    prompts = [await inference.encode(served.entry, text) for text in texts]
    requested = COMPLETIONS_DEFAULT_MAX_TOKENS if request.max_tokens is None else request.max_tokens
    longest = max(len(p.token_ids) for p in prompts)
    max_tokens = fit_context(served.entry, longest, requested, "prompt")
    params = request.to_sampling_params(max_tokens=max_tokens)
    include_usage = bool(request.stream_options and request.stream_options.include_usage)
    return PreparedCompletion(served, prompts, params, request.n or 1, include_usage)


def _completion_logprobs(tokens: list[TokenLogprob], shift: int) -> CompletionLogprobs:
    return CompletionLogprobs(
        text_offset=[t.offset + shift for t in tokens],
        token_logprobs=[t.logprob for t in tokens],
        tokens=[t.token for t in tokens],
        top_logprobs=[dict(t.top) for t in tokens],
    )


async def create_completion(
    inference: InferenceService, prepared: PreparedCompletion, request: CreateCompletionRequest
) -> Completion:
    """Generate every choice, then answer with the whole Completion."""
    generation = await start_generation(inference, prepared)
    totals = await _collect(generation)
    choices = []
    for index, choice in sorted(totals.items()):
        echo = prepared.prompts[index // prepared.n].text if request.echo else ""
        choices.append(
            CompletionChoice(
                text=echo + "".join(choice.text),
                index=index,
                logprobs=(
                    _completion_logprobs(choice.tokens, len(echo))
                    if request.logprobs is not None
                    else None
                ),
                finish_reason=choice.finish_reason or "length",
            )
        )
    return Completion(
        id=new_id("cmpl-", 29),
        created=now(),
        model=request.model,
        system_fingerprint=system_fingerprint(prepared.served.entry),
        choices=choices,
        usage=_usage(prepared, totals.values()),
    )


async def stream_completion(
    inference: InferenceService, prepared: PreparedCompletion, request: CreateCompletionRequest
) -> AsyncIterator[JSONObject]:
    """Start generating (failures to start are still HTTP errors), then give Completion-shaped
    chunks."""
    generation = await start_generation(inference, prepared)
    events = await first_then_rest(generation)
    base = {
        "id": new_id("cmpl-", 29),
        "created": now(),
        "model": request.model,
        "system_fingerprint": system_fingerprint(prepared.served.entry),
    }

    def chunk(choices: list[CompletionChoice], usage: CompletionUsage | None = None) -> JSONObject:
        payload = Completion(**base, choices=choices, usage=usage).model_dump()
        if usage is None:
            payload.pop("usage")
        return payload

    async def chunks() -> AsyncIterator[JSONObject]:
        totals: dict[int, _ChoiceTotals] = {}
        shifts: dict[int, int] = {}
        if request.echo:
            for index in range(len(prepared.prompts) * prepared.n):
                echo = prepared.prompts[index // prepared.n].text
                shifts[index] = len(echo)
                yield chunk(
                    [CompletionChoice(text=echo, index=index, logprobs=None, finish_reason=None)]
                )
        async for event in events:
            choice = totals.setdefault(event.index, _ChoiceTotals())
            choice.completion_tokens = event.completion_tokens
            logprobs = (
                _completion_logprobs(list(event.tokens), shifts.get(event.index, 0))
                if request.logprobs is not None
                else None
            )
            yield chunk(
                [
                    CompletionChoice(
                        text=event.text,
                        index=event.index,
                        logprobs=logprobs,
                        finish_reason=event.finish_reason,
                    )
                ]
            )
        if prepared.include_usage:
            yield chunk([], usage=_usage(prepared, totals.values()))

    return chunks()


def _usage(prepared: PreparedCompletion, choices: Iterable[_ChoiceTotals]) -> CompletionUsage:
    prompt_tokens = sum(len(p.token_ids) for p in prepared.prompts)
    completion_tokens = sum(c.completion_tokens for c in choices)
    return CompletionUsage(
        prompt_tokens=prompt_tokens,
        completion_tokens=completion_tokens,
        total_tokens=prompt_tokens + completion_tokens,
    )
