"""Serving: model names to base model + adapter, the Models API, and completions.

Routers call these functions; they validate what the schemas cannot, hand prompts to the
inference engine, and shape its events into OpenAI's wire objects (whole or as SSE chunks).
"""

from __future__ import annotations

import asyncio
import hashlib
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

from service.auth import Principal
from service.catalog import BaseModelEntry
from service.db import models as model_queries
from service.errors import (
    InvalidRequestError,
    ModelNotFoundError,
    PermissionDeniedError,
    WhetstoneError,
)
from service.ids import new_id, now
from service.inference import AdapterRef, Generation, PreparedPrompt, SamplingParams
from service.inference.types import SequenceEvent, TokenLogprob
from service.schemas.chat import (
    ChatCompletion,
    ChatCompletionChoice,
    ChatCompletionChunk,
    ChatCompletionChunkChoice,
    ChatCompletionMessage,
    ChatCompletionTokenLogprob,
    ChoiceDelta,
    ChoiceLogprobs,
    CreateChatCompletionRequest,
    TopLogprob,
)
from service.schemas.completions import (
    Completion,
    CompletionChoice,
    CompletionLogprobs,
    CompletionUsage,
    CreateCompletionRequest,
)
from service.schemas.models import Model, ModelDeleted, ModelList
from service.services import Services

ENGINE_VERSION = "whetstone-engine-1"
MAX_STOP_SEQUENCES = 4
COMPLETIONS_DEFAULT_MAX_TOKENS = 16  # OpenAI's documented default for /v1/completions
CHECKPOINT_MARKER = ":ckpt-step-"


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


# ----- the Models API -----


async def resolve_model(services: Services, principal: Principal, name: str) -> ServedModel:
    """The caller's model named `name`; ModelNotFoundError (404) otherwise."""
    if not name.startswith("ft:"):
        entry = services.catalog.resolve(name)
        return ServedModel(name, entry, None, entry.created, entry.owned_by)
    return await asyncio.to_thread(_resolve_fine_tuned, services, principal, name)


def _resolve_fine_tuned(services: Services, principal: Principal, name: str) -> ServedModel:
    with services.db.session() as session:
        job = model_queries.find_fine_tuned_model(session, project=principal.project, name=name)
        if job is not None and job.adapter_key:
            return ServedModel(
                name=name,
                entry=_base_of(services, job.model, name),
                adapter=AdapterRef(job.adapter_key),
                created=job.finished_at or job.created_at,
                owned_by=job.organization,
                deletable=True,
            )
        if CHECKPOINT_MARKER in name:
            found = model_queries.find_checkpoint_model(
                session, project=principal.project, name=name
            )
            if found is not None:
                checkpoint, job = found
                return ServedModel(
                    name=name,
                    entry=_base_of(services, job.model, name),
                    adapter=AdapterRef(f"{checkpoint.storage_key}/adapter"),
                    created=checkpoint.created_at,
                    owned_by=job.organization,
                )
    raise _model_not_found(name)


def _base_of(services: Services, base_name: str, name: str) -> BaseModelEntry:
    try:
        return services.catalog.resolve(base_name)
    except ModelNotFoundError as exc:
        # The catalog changed since the job trained: its base model is no longer served.
        raise _model_not_found(name) from exc


def _model_not_found(name: str) -> ModelNotFoundError:
    return ModelNotFoundError(
        f"The model '{name}' does not exist or you do not have access to it.", param="model"
    )


async def list_models(services: Services, principal: Principal) -> ModelList:
    """The catalog's base models and aliases, then the caller's fine-tuned models."""
    models = []
    for name in services.catalog.names():
        entry = services.catalog.resolve(name)
        models.append(Model(id=name, created=entry.created, owned_by=entry.owned_by))
    jobs = await asyncio.to_thread(_fine_tuned_rows, services, principal)
    models.extend(jobs)
    return ModelList(data=models)


def _fine_tuned_rows(services: Services, principal: Principal) -> list[Model]:
    with services.db.session() as session:
        rows = model_queries.list_fine_tuned_models(session, project=principal.project)
        return [
            Model(
                id=row.fine_tuned_model or "",
                created=row.finished_at or row.created_at,
                owned_by=row.organization,
            )
            for row in rows
        ]


async def retrieve_model(services: Services, principal: Principal, name: str) -> Model:
    """One model the caller may use, checkpoint names included."""
    served = await resolve_model(services, principal, name)
    return Model(id=served.name, created=served.created, owned_by=served.owned_by)


async def delete_model(services: Services, principal: Principal, name: str) -> ModelDeleted:
    """Delete one of the caller's fine-tuned models: stop serving it, remove its adapters."""
    served = await resolve_model(services, principal, name)
    if not served.deletable:
        if served.adapter is None:
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
    marked = await asyncio.to_thread(_mark_deleted, services, principal, name)
    if marked is None:
        raise _model_not_found(name)
    if services.inference is not None:
        await services.inference.forget_adapters(marked)
    await asyncio.to_thread(_delete_adapters, services, marked)
    return ModelDeleted(id=name, deleted=True)


def _mark_deleted(services: Services, principal: Principal, name: str) -> list[str] | None:
    with services.db.session() as session:
        marked = model_queries.mark_model_deleted(session, project=principal.project, name=name)
        if marked is None:
            return None
        job, checkpoints = marked
        keys = [job.adapter_key] if job.adapter_key else []
        return keys + [f"{c.storage_key}/adapter" for c in checkpoints]


def _delete_adapters(services: Services, keys: list[str]) -> None:
    for key in keys:
        services.store.delete_prefix(key + "/")


# ----- parameters shared by both completion endpoints -----


def _stop_sequences(stop: str | list[str] | None) -> tuple[str, ...]:
    if stop is None:
        return ()
    stops = [stop] if isinstance(stop, str) else list(stop)
    if len(stops) > MAX_STOP_SEQUENCES:
        raise InvalidRequestError(
            f"'stop' may hold at most {MAX_STOP_SEQUENCES} sequences.", param="stop"
        )
    if any(s == "" for s in stops):
        raise InvalidRequestError("Stop sequences must not be empty.", param="stop")
    return tuple(stops)


def _logit_bias(bias: dict[str, int] | None) -> dict[int, float]:
    if not bias:
        return {}
    parsed: dict[int, float] = {}
    for token, value in bias.items():
        if not token.lstrip("-").isdigit() or not -100 <= value <= 100:
            raise InvalidRequestError(
                "'logit_bias' maps token ids (as strings) to integers from -100 to 100.",
                param="logit_bias",
            )
        parsed[int(token)] = float(value)
    return parsed


def _refuse(param: str, what: str) -> InvalidRequestError:
    return InvalidRequestError(
        f"'{param}' is not supported by Whetstone: {what}.",
        param=param,
        code="unsupported_parameter",
    )


def _fit_context(
    entry: BaseModelEntry, prompt_tokens: int, max_tokens: int | None, prompt_param: str
) -> int:
    """The max_tokens to use; 400 when the prompt plus max_tokens exceed the context."""
    limit = entry.context_length
    if prompt_tokens >= limit:
        raise InvalidRequestError(
            f"This model's maximum context length is {limit} tokens. However, your "
            f"{prompt_param} resulted in {prompt_tokens} tokens. Please reduce the length of "
            f"the {prompt_param}.",
            param=prompt_param,
            code="context_length_exceeded",
        )
    if max_tokens is None:
        return limit - prompt_tokens
    if prompt_tokens + max_tokens > limit:
        raise InvalidRequestError(
            f"This model's maximum context length is {limit} tokens. However, you requested "
            f"{prompt_tokens + max_tokens} tokens ({prompt_tokens} in the {prompt_param}, "
            f"{max_tokens} in the completion). Please reduce the length of the {prompt_param} "
            "or completion.",
            param="max_tokens",
            code="context_length_exceeded",
        )
    return max_tokens


def system_fingerprint(entry: BaseModelEntry) -> str:
    """Changes when the base model or the engine that samples from it changes."""
    digest = hashlib.sha256(f"{entry.name}:{ENGINE_VERSION}".encode()).hexdigest()
    return f"fp_{digest[:10]}"


def sse_data(payload: dict[str, Any]) -> str:
    """One SSE `data:` payload as compact JSON (the framing is the router's)."""
    return json.dumps(payload, separators=(",", ":"), ensure_ascii=False)


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


async def _first_then_rest(generation: Generation) -> AsyncIterator[SequenceEvent]:
    """The generation's events, with the first one awaited before the stream starts, so that
    a failure to start (an adapter gone missing) is still an HTTP error, not a broken stream."""
    events = generation.events()
    first = await anext(events)

    async def chain() -> AsyncIterator[SequenceEvent]:
        try:
            yield first
            async for event in events:
                yield event
        finally:
            await events.aclose()

    return chain()


# ----- chat completions -----


@dataclass(frozen=True)
class PreparedCompletion:
    """A validated request, ready for the engine."""

    served: ServedModel
    prompts: list[PreparedPrompt]
    params: SamplingParams
    n: int
    include_usage: bool


def _check_chat_support(request: CreateChatCompletionRequest) -> None:
    if request.tools:
        raise _refuse("tools", "tool calling is not available yet")
    if request.tool_choice not in (None, "none"):
        raise _refuse("tool_choice", "tool calling is not available yet")
    if request.functions:
        raise _refuse("functions", "function calling is not available")
    if request.function_call not in (None, "none"):
        raise _refuse("function_call", "function calling is not available")
    if request.response_format is not None and request.response_format.get("type") != "text":
        raise _refuse("response_format", "only {'type': 'text'} can be honoured")
    if request.audio is not None:
        raise _refuse("audio", "the models produce text only")
    if request.modalities not in (None, ["text"]):
        raise _refuse("modalities", "the models produce text only")
    if request.prediction is not None:
        raise _refuse("prediction", "predicted outputs are not available")
    if request.web_search_options is not None:
        raise _refuse("web_search_options", "web search is not available")
    if request.reasoning_effort is not None:
        raise _refuse("reasoning_effort", "the models are not reasoning models")
    if request.verbosity is not None:
        raise _refuse("verbosity", "output verbosity cannot be controlled")
    if request.moderation is not None:
        raise _refuse("moderation", "moderation is not available")
    if request.store:
        raise _refuse("store", "chat completions are not stored")
    if request.top_logprobs is not None and not request.logprobs:
        raise InvalidRequestError(
            "'top_logprobs' requires 'logprobs' to be true.", param="top_logprobs"
        )


def _chat_messages(request: CreateChatCompletionRequest) -> list[dict[str, Any]]:
    messages: list[dict[str, Any]] = []
    for i, message in enumerate(request.messages):
        if message.audio is not None:
            raise _refuse(f"messages[{i}].audio", "audio input is not available")
        content = message.content
        if isinstance(content, list):
            texts = []
            for j, part in enumerate(content):
                if part.type == "text" and part.text is not None:
                    texts.append(part.text)
                elif part.type == "refusal" and part.refusal is not None:
                    texts.append(part.refusal)
                else:
                    raise _refuse(
                        f"messages[{i}].content[{j}]", f"'{part.type}' content is not available"
                    )
            content = "".join(texts)
        rendered: dict[str, Any] = {
            # Most chat templates know no `developer` role; it is the system prompt's new name.
            "role": "system" if message.role == "developer" else message.role,
            "content": content if content is not None else "",
        }
        if message.name is not None:
            rendered["name"] = message.name
        if message.tool_calls:
            rendered["tool_calls"] = message.tool_calls
        if message.tool_call_id is not None:
            rendered["tool_call_id"] = message.tool_call_id
        messages.append(rendered)
    return messages


async def prepare_chat(
    services: Services, principal: Principal, request: CreateChatCompletionRequest
) -> PreparedCompletion:
    """Validate a chat request and render its prompt; every refusal is a 400 or a 404."""
    _check_chat_support(request)
    stop = _stop_sequences(request.stop)
    bias = _logit_bias(request.logit_bias)
    messages = _chat_messages(request)
    served = await resolve_model(services, principal, request.model)
    assert services.inference is not None
    prompt = await services.inference.render_chat(served.entry, messages)
    requested = request.max_completion_tokens or request.max_tokens
    max_tokens = _fit_context(served.entry, len(prompt.token_ids), requested, "messages")
    params = SamplingParams(
        max_tokens=max_tokens,
        temperature=1.0 if request.temperature is None else request.temperature,
        top_p=1.0 if request.top_p is None else request.top_p,
        presence_penalty=request.presence_penalty or 0.0,
        frequency_penalty=request.frequency_penalty or 0.0,
        seed=request.seed,
        logit_bias=bias,
        top_logprobs=(request.top_logprobs or 0) if request.logprobs else None,
        stop=stop,
    )
    include_usage = bool(request.stream_options and request.stream_options.include_usage)
    return PreparedCompletion(served, [prompt], params, request.n or 1, include_usage)


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
    services: Services, prepared: PreparedCompletion, request: CreateChatCompletionRequest
) -> ChatCompletion:
    """Generate every choice, then answer with the whole ChatCompletion."""
    generation = await _start(services, prepared)
    totals = await _collect(generation)
    choices = [
        ChatCompletionChoice(
            index=index,
            message=ChatCompletionMessage(content="".join(choice.text)),
            logprobs=_chat_logprobs(choice.tokens) if request.logprobs else None,
            finish_reason=choice.finish_reason or "length",  # type: ignore[arg-type]
        )
        for index, choice in sorted(totals.items())
    ]
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
    services: Services, prepared: PreparedCompletion, request: CreateChatCompletionRequest
) -> AsyncIterator[str]:
    """Start generating, then give the chunks as SSE payloads, `[DONE]` last."""
    generation = await _start(services, prepared)
    events = await _first_then_rest(generation)
    base = {
        "id": new_id("chatcmpl-", 29),
        "created": now(),
        "model": request.model,
        "system_fingerprint": system_fingerprint(prepared.served.entry),
    }

    def chunk(choices: list[ChatCompletionChunkChoice], usage: Any = None) -> str:
        payload = ChatCompletionChunk(**base, choices=choices, usage=usage).model_dump(
            exclude_none=False
        )
        for choice in payload["choices"]:
            choice["delta"] = {k: v for k, v in choice["delta"].items() if v is not None}
        if usage is None:
            # OpenAI sends `usage: null` here, but its own schema (a $ref beside `nullable`)
            # rejects null under JSON Schema; leaving the key out satisfies both readings.
            payload.pop("usage")
        return sse_data(payload)

    async def chunks() -> AsyncIterator[str]:
        totals: dict[int, _ChoiceTotals] = {}
        try:
            for index in range(prepared.n):
                # OpenAI opens each choice with the role and an empty content.
                yield chunk(
                    [
                        ChatCompletionChunkChoice(
                            index=index, delta=ChoiceDelta(role="assistant", content="")
                        )
                    ]
                )
            async for event in events:
                choice = totals.setdefault(event.index, _ChoiceTotals())
                choice.completion_tokens = event.completion_tokens
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
        except WhetstoneError as exc:
            yield sse_data(exc.envelope())
            return
        yield "[DONE]"

    return chunks()


# ----- legacy completions -----


def _completion_prompts(request: CreateCompletionRequest) -> list[str | list[int]]:
    prompt = request.prompt
    if prompt is None:
        return [""]
    if isinstance(prompt, str):
        return [prompt]
    if not prompt:
        raise InvalidRequestError("'prompt' must not be an empty list.", param="prompt")
    if all(isinstance(p, int) for p in prompt):
        return [list(prompt)]  # type: ignore[arg-type]
    return list(prompt)  # type: ignore[arg-type]


def _check_completion_support(request: CreateCompletionRequest) -> None:
    if request.suffix is not None:
        raise _refuse("suffix", "insertion (fill-in-the-middle) is not available")
    if request.best_of not in (None, 1, request.n or 1):
        raise _refuse("best_of", "only best_of equal to n is available")
    if request.echo and request.logprobs is not None:
        raise _refuse("echo", "prompt logprobs (echo with logprobs) are not available")
    if request.max_tokens == 0:
        raise InvalidRequestError("'max_tokens' must be at least 1.", param="max_tokens")


async def prepare_completion(
    services: Services, principal: Principal, request: CreateCompletionRequest
) -> PreparedCompletion:
    """Validate a completions request and tokenize its prompts."""
    _check_completion_support(request)
    stop = _stop_sequences(request.stop)
    bias = _logit_bias(request.logit_bias)
    texts = _completion_prompts(request)
    served = await resolve_model(services, principal, request.model)
    assert services.inference is not None
    prompts = [await services.inference.encode(served.entry, text) for text in texts]
    requested = COMPLETIONS_DEFAULT_MAX_TOKENS if request.max_tokens is None else request.max_tokens
    longest = max(len(p.token_ids) for p in prompts)
    max_tokens = _fit_context(served.entry, longest, requested, "prompt")
    params = SamplingParams(
        max_tokens=max_tokens,
        temperature=1.0 if request.temperature is None else request.temperature,
        top_p=1.0 if request.top_p is None else request.top_p,
        presence_penalty=request.presence_penalty or 0.0,
        frequency_penalty=request.frequency_penalty or 0.0,
        seed=request.seed,
        logit_bias=bias,
        top_logprobs=request.logprobs,
        stop=stop,
    )
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
    services: Services, prepared: PreparedCompletion, request: CreateCompletionRequest
) -> Completion:
    """Generate every choice, then answer with the whole Completion."""
    generation = await _start(services, prepared)
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
                finish_reason=choice.finish_reason or "length",  # type: ignore[arg-type]
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
    services: Services, prepared: PreparedCompletion, request: CreateCompletionRequest
) -> AsyncIterator[str]:
    """Start generating, then give Completion-shaped chunks as SSE payloads, `[DONE]` last."""
    generation = await _start(services, prepared)
    events = await _first_then_rest(generation)
    base = {
        "id": new_id("cmpl-", 29),
        "created": now(),
        "model": request.model,
        "system_fingerprint": system_fingerprint(prepared.served.entry),
    }

    def chunk(choices: list[CompletionChoice], usage: CompletionUsage | None = None) -> str:
        payload = Completion(**base, choices=choices, usage=usage).model_dump()
        if usage is None:
            payload.pop("usage")
        return sse_data(payload)

    async def chunks() -> AsyncIterator[str]:
        totals: dict[int, _ChoiceTotals] = {}
        shifts: dict[int, int] = {}
        try:
            if request.echo:
                for index in range(len(prepared.prompts) * prepared.n):
                    echo = prepared.prompts[index // prepared.n].text
                    shifts[index] = len(echo)
                    yield chunk(
                        [
                            CompletionChoice(
                                text=echo, index=index, logprobs=None, finish_reason=None
                            )
                        ]
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
        except WhetstoneError as exc:
            yield sse_data(exc.envelope())
            return
        yield "[DONE]"

    return chunks()


async def _start(services: Services, prepared: PreparedCompletion) -> Generation:
    assert services.inference is not None
    return await services.inference.generate(
        prepared.served.entry,
        prepared.served.adapter,
        prepared.prompts,
        prepared.params,
        n=prepared.n,
    )


def _usage(prepared: PreparedCompletion, choices: Any) -> CompletionUsage:
    prompt_tokens = sum(len(p.token_ids) for p in prepared.prompts)
    completion_tokens = sum(c.completion_tokens for c in choices)
    return CompletionUsage(
        prompt_tokens=prompt_tokens,
        completion_tokens=completion_tokens,
        total_tokens=prompt_tokens + completion_tokens,
    )
