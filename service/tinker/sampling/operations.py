"""Tinker sampling: sampling sessions, and `asample` on the serving engines (service/inference).

A sample runs in the API process: the route validates it, queues it on the base model's engine
(with the sampler checkpoint's adapter, `AdapterRef(storage_key)`, the way an `ft:` model is
served), records its future, and a task of the event loop collects the engine's events and
finishes the future with a protobuf SampleResponse. Too many samples in flight answer 429,
on which the SDK backs off and resubmits.
"""

from __future__ import annotations

import asyncio
import json
import logging
import secrets
from dataclasses import dataclass, field

from service.catalog import BaseModelEntry, Catalog
from service.core.config import Settings
from service.core.db import Database
from service.core.errors import (
    InvalidRequestError,
    ModelNotFoundError,
    NotFoundError,
    WhetstoneError,
)
from service.inference import AdapterRef, Generation, InferenceService, PreparedPrompt
from service.inference import SamplingParams as EngineParams
from service.tinker import futures, protobuf
from service.tinker.sampling import repository
from service.tinker.sampling.schemas import (
    CreateSamplingSessionRequest,
    GetSamplerResponse,
    SampleRequest,
)

logger = logging.getLogger("whetstone.tinker")

TINKER_SCHEME = "tinker://"
SAMPLER_KIND = "sampler_weights"
TRAINING_KIND = "weights"
# Samples in flight per engine batch place before `asample` answers 429: the engine's queue
# holds this many batches' worth, beyond which a sample would wait past its deadline anyway.
_QUEUED_BATCHES = 8
# The futures being collected, held so that the event loop does not drop a running task.
_collecting: set[asyncio.Task[None]] = set()


class SamplerBusyError(WhetstoneError):
    """Too many samples in flight: 429, on which the SDK backs off and resubmits."""

    status_code = 429
    default_code = "sampler_busy"
    retry_after_seconds = 1


@dataclass(frozen=True)
class SamplerWeights:
    """A sampler checkpoint the caller may sample: its base model and its adapter's key."""

    tinker_path: str
    base_model: str
    storage_key: str
    created: int
    owner: str


@dataclass(frozen=True)
class SamplerTarget:
    """What a sample runs on: a base model, through sampler weights or not."""

    base_model: str
    model_path: str | None
    adapter: AdapterRef | None


@dataclass
class _Choice:
    """One sampled sequence as its events arrive."""

    tokens: list[int] = field(default_factory=list)
    logprobs: list[float] = field(default_factory=list)
    stop_reason: str = "length"


def is_tinker_path(name: str) -> bool:
    """Whether `name` is a `tinker://` checkpoint path."""
    return name.startswith(TINKER_SCHEME)


def split_tinker_path(path: str) -> tuple[str, str, str]:
    """`tinker://{model_id}/{kind}/{name}` as (model_id, kind, name); InvalidRequestError when
    it is not one."""
    rest = path[len(TINKER_SCHEME) :] if is_tinker_path(path) else ""
    parts = rest.split("/", 2)
    if len(parts) != 3 or not all(parts) or parts[1] not in (SAMPLER_KIND, TRAINING_KIND):
        raise InvalidRequestError(
            f"{path!r} is not a Tinker checkpoint path: expected "
            "tinker://<training run id>/sampler_weights/<name> or .../weights/<name>.",
            param="model_path",
        )
    return parts[0], parts[1], parts[2]


def find_sampler_weights(db: Database, *, project: str, path: str) -> SamplerWeights:
    """The sampler checkpoint at `path` that the project owns (or that is published);
    ModelNotFoundError otherwise, InvalidRequestError for a training checkpoint. Blocking."""
    _, kind, _ = split_tinker_path(path)
    if kind != SAMPLER_KIND:
        raise InvalidRequestError(
            f"{path} holds training state, which is not served: save it with "
            "save_weights_for_sampler and sample the sampler_weights path.",
            param="model_path",
        )
    with db.session() as session:
        row = repository.get_readable_checkpoint(session, project=project, tinker_path=path)
        if row is None:
            raise ModelNotFoundError(
                f"The sampler weights {path} do not exist or you do not have access to them.",
                param="model_path",
            )
        return SamplerWeights(
            tinker_path=row.tinker_path,
            base_model=row.base_model,
            storage_key=row.storage_key,
            created=row.created_at,
            owner=row.project,
        )


def list_sampler_weights(db: Database, *, project: str) -> list[SamplerWeights]:
    """The project's named sampler checkpoints, newest first: what the Models API lists
    (ephemeral ones, a sampling client per RL step, are left out). Blocking."""
    with db.session() as session:
        return [
            SamplerWeights(
                tinker_path=row.tinker_path,
                base_model=row.base_model,
                storage_key=row.storage_key,
                created=row.created_at,
                owner=row.project,
            )
            for row in repository.list_named_sampler_checkpoints(session, project=project)
        ]


def sampling_session_id(session_id: str, sampling_session_seq_id: int) -> str:
    """The id of a session's `sampling_session_seq_id`-th sampling client: the same on a
    retried create."""
    return f"{session_id}:sample:{sampling_session_seq_id}"


def record_sampling_session(
    db: Database,
    *,
    project: str,
    session_id: str,
    sampling_session_seq_id: int,
    base_model: str,
    model_path: str | None,
) -> str:
    """Record a sampling client of a client session and return its id (also what the worker
    calls for `save_weights_for_sampler` with a `sampling_session_seq_id`). Blocking."""
    with db.session() as session:
        row = repository.insert_sampling_session(
            session,
            sampling_session_id=sampling_session_id(session_id, sampling_session_seq_id),
            project=project,
            session_id=session_id,
            base_model=base_model,
            model_path=model_path,
        )
        return row.id


def create_sampling_session(
    db: Database, catalog: Catalog, *, project: str, request: CreateSamplingSessionRequest
) -> str:
    """A sampling client on a base model or on the caller's sampler weights. Blocking."""
    with db.session() as session:
        if not repository.session_exists(session, project=project, session_id=request.session_id):
            raise NotFoundError(
                f"No Tinker session {request.session_id!r} in this project.", param="session_id"
            )
    target = _target(
        db, catalog, project=project, base_model=request.base_model, model_path=request.model_path
    )
    return record_sampling_session(
        db,
        project=project,
        session_id=request.session_id,
        sampling_session_seq_id=request.sampling_session_seq_id,
        base_model=target.base_model,
        model_path=target.model_path,
    )


def join_sampling_session(db: Database, *, project: str, sampling_session_id: str) -> int:
    """A client id for a new client of the sampling session (the original client is 0): random
    in the SDK's range, as the SDK picks one itself when the server does not. Blocking."""
    get_sampler(db, project=project, sampler_id=sampling_session_id)
    return secrets.randbelow(999_999_999) + 1


def get_sampler(db: Database, *, project: str, sampler_id: str) -> GetSamplerResponse:
    """The sampling session's base model and weights path. Blocking."""
    with db.session() as session:
        row = repository.get_sampling_session(
            session, project=project, sampling_session_id=sampler_id
        )
        if row is None:
            raise NotFoundError(
                f"No Tinker sampling session {sampler_id!r} in this project.",
                param="sampling_session_id",
            )
        return GetSamplerResponse(
            sampler_id=row.id, base_model=row.base_model, model_path=row.model_path
        )


def _target(
    db: Database,
    catalog: Catalog,
    *,
    project: str,
    base_model: str | None,
    model_path: str | None,
) -> SamplerTarget:
    """The base model and adapter a sampler with these fields runs on."""
    if model_path is not None:
        weights = find_sampler_weights(db, project=project, path=model_path)
        if base_model is not None and base_model != weights.base_model:
            raise InvalidRequestError(
                f"base_model {base_model!r} is not the base of {model_path} "
                f"({weights.base_model}); send one or the other.",
                param="base_model",
            )
        return SamplerTarget(
            base_model=weights.base_model,
            model_path=model_path,
            adapter=AdapterRef(weights.storage_key),
        )
    if base_model is None:
        raise InvalidRequestError(
            "A sampler needs base_model or model_path (a tinker://.../sampler_weights/... path).",
            param="base_model",
        )
    catalog.resolve(base_model)
    return SamplerTarget(base_model=base_model, model_path=None, adapter=None)


# Fields of SampleRequest this server does not serve, refused by name when set.
def _refused_fields(request: SampleRequest) -> list[str]:
    refused = []
    if request.topk_prompt_logprobs:
        refused.append("topk_prompt_logprobs")
    if request.topk_sample_logprobs:
        refused.append("topk_sample_logprobs")
    if request.target_prompt_logprobs is not None:
        refused.append("target_prompt_logprobs")
    if request.prompt_alt_tokens_k:
        refused.append("prompt_alt_tokens_k")
    if request.prompt_logprobs_last_n is not None:
        refused.append("prompt_logprobs_last_n")
    if request.record_stability_info:
        refused.append("record_stability_info")
    return refused


def _prompt_tokens(request: SampleRequest, vocab: int) -> tuple[int, ...]:
    tokens: list[int] = []
    for chunk in request.prompt.chunks:
        kind = chunk.get("type", "encoded_text")
        if kind != "encoded_text":
            raise InvalidRequestError(
                f"Prompt chunks of type {kind!r} are not supported: send encoded_text chunks "
                "(token ids).",
                param="prompt",
            )
        ids = chunk.get("tokens")
        if not isinstance(ids, list) or not all(isinstance(t, int) for t in ids):
            raise InvalidRequestError(
                "An encoded_text chunk needs `tokens`, a list of token ids.", param="prompt"
            )
        tokens.extend(ids)
    if not tokens:
        raise InvalidRequestError("The prompt has no tokens.", param="prompt")
    if any(not 0 <= t < vocab for t in tokens):
        raise InvalidRequestError(
            f"Prompt token ids must be between 0 and {vocab - 1}.", param="prompt"
        )
    return tuple(tokens)


def _engine_params(
    request: SampleRequest, *, prompt_length: int, context_length: int
) -> EngineParams:
    """Tinker's SamplingParams as the engine's."""
    params = request.sampling_params
    left = context_length - prompt_length
    if left < 1:
        raise InvalidRequestError(
            f"The prompt has {prompt_length} tokens: the model's context holds {context_length}.",
            param="prompt",
        )
    if params.max_tokens is not None and params.max_tokens < 1:
        raise InvalidRequestError("max_tokens must be at least 1.", param="max_tokens")
    if params.temperature < 0:
        raise InvalidRequestError("temperature must be 0 or more.", param="temperature")
    if not 0 < params.top_p <= 1:
        raise InvalidRequestError("top_p must be in (0, 1].", param="top_p")
    if params.top_k == 0 or params.top_k < -1:
        raise InvalidRequestError("top_k must be -1 (no limit) or at least 1.", param="top_k")
    stop_strings: tuple[str, ...] = ()
    stop_ids: tuple[int, ...] = ()
    stop = params.stop
    if isinstance(stop, str):
        stop_strings = (stop,)
    elif stop and all(isinstance(s, str) for s in stop):
        stop_strings = tuple(str(s) for s in stop)
    elif stop:
        stop_ids = tuple(int(s) for s in stop)
    return EngineParams(
        max_tokens=min(params.max_tokens or left, left),
        temperature=params.temperature,
        top_p=params.top_p,
        top_k=params.top_k,
        seed=params.seed,
        # The chosen token's logprob: the RL recipes need each sampled token's.
        top_logprobs=0,
        stop=stop_strings,
        stop_token_ids=stop_ids,
        # `stop=[]` disables every stop, EOS included: generate up to max_tokens.
        ignore_eos=stop is not None and len(stop) == 0,
        prompt_logprobs=bool(request.prompt_logprobs),
    )


@dataclass(frozen=True)
class _Prepared:
    entry: BaseModelEntry
    adapter: AdapterRef | None
    prompt: tuple[int, ...]
    params: EngineParams


async def _prepare(
    db: Database,
    catalog: Catalog,
    inference: InferenceService,
    *,
    project: str,
    request: SampleRequest,
) -> _Prepared:
    """The checked sample: refused fields, the target, the prompt and the parameters."""
    refused = _refused_fields(request)
    if refused:
        raise InvalidRequestError(
            f"{', '.join(refused)} {'is' if len(refused) == 1 else 'are'} not supported by this "
            "server's sampler.",
            param=refused[0],
        )
    if request.num_samples < 1:
        raise InvalidRequestError("num_samples must be at least 1.", param="num_samples")
    base_model: str | None
    if request.sampling_session_id is not None:
        sampler = await asyncio.to_thread(
            get_sampler, db, project=project, sampler_id=request.sampling_session_id
        )
        base_model, model_path = sampler.base_model, sampler.model_path
    else:
        base_model, model_path = request.base_model, request.model_path
    target = await asyncio.to_thread(
        _target, db, catalog, project=project, base_model=base_model, model_path=model_path
    )
    entry = catalog.resolve(target.base_model)
    tokenizer = await inference.tokenizer(entry)
    prompt = _prompt_tokens(request, len(tokenizer))
    params = _engine_params(request, prompt_length=len(prompt), context_length=entry.context_length)
    return _Prepared(entry=entry, adapter=target.adapter, prompt=prompt, params=params)


async def submit_sample(
    db: Database,
    catalog: Catalog,
    inference: InferenceService,
    settings: Settings,
    *,
    project: str,
    request: SampleRequest,
) -> dict[str, object]:
    """Queue the sample on its engine and answer its future with one id per sample. Bad input
    is a failed future (the SDK retries a refused submit and then hides why); too many samples
    in flight a 429."""
    if len(_collecting) >= max(1, settings.max_batch_size) * _QUEUED_BATCHES:
        raise SamplerBusyError("The sampler is busy: too many samples in flight. Retry shortly.")
    try:
        prepared = await _prepare(db, catalog, inference, project=project, request=request)
    except WhetstoneError as exc:
        if exc.status_code >= 500:
            raise
        request_id = await asyncio.to_thread(
            futures.submit_failed,
            db,
            project=project,
            kind="sample",
            model_id=None,
            message=exc.message,
        )
        return {**futures.future_answer(request_id, None), "sample_sequence_ids": []}
    request_id = await asyncio.to_thread(
        futures.submit,
        db,
        project=project,
        kind="sample",
        model_id=None,
        seq_id=None,
        payload=json.dumps(request.model_dump(mode="json")).encode(),
        payload_type="json",
    )
    try:
        generation = await inference.generate(
            prepared.entry,
            prepared.adapter,
            [PreparedPrompt(token_ids=prepared.prompt, text="")],
            prepared.params,
            n=request.num_samples,
        )
    except WhetstoneError as exc:
        # The adapter's files are gone, the engine refuses the request (a user error: the
        # future says why), or the engine is unavailable: the submit answers 5xx, which the
        # SDK retries, and this attempt's future is closed.
        category = "user" if exc.status_code < 500 else "server"
        await _fail(db, request_id, exc.message, category)
        if exc.status_code >= 500:
            raise
        return {**futures.future_answer(request_id, None), "sample_sequence_ids": []}
    task = asyncio.create_task(_collect(db, request_id, generation, request.num_samples))
    _collecting.add(task)
    task.add_done_callback(_collecting.discard)
    sequence_ids = [f"{request_id}:{index}" for index in range(request.num_samples)]
    return {**futures.future_answer(request_id, None), "sample_sequence_ids": sequence_ids}


async def _collect(db: Database, request_id: str, generation: Generation, choices: int) -> None:
    """Gather the generation's events and finish (or fail) the future."""
    sequences = [_Choice() for _ in range(choices)]
    prompt_logprobs: tuple[float | None, ...] | None = None
    try:
        async for event in generation.events():
            choice = sequences[event.index]
            if event.prompt_logprobs is not None and prompt_logprobs is None:
                prompt_logprobs = event.prompt_logprobs
            for token in event.tokens:
                choice.tokens.append(token.token_id)
                choice.logprobs.append(token.logprob)
            if event.stop_token is not None:
                choice.tokens.append(event.stop_token.token_id)
                choice.logprobs.append(event.stop_token.logprob)
            if event.finish_reason is not None:
                choice.stop_reason = event.finish_reason
        result = protobuf.encode_sample_response(
            [
                protobuf.SampledOutput(
                    tokens=s.tokens,
                    logprobs=s.logprobs,
                    stop_reason="stop" if s.stop_reason == "stop" else "length",
                )
                for s in sequences
            ],
            prompt_logprobs=prompt_logprobs,
        )
        await asyncio.to_thread(
            futures.finish, db, request_id=request_id, result=result, result_type="proto"
        )
    except WhetstoneError as exc:
        category = "user" if exc.status_code < 500 else "server"
        await _fail(db, request_id, exc.message, category)
    except Exception as exc:
        logger.exception("tinker sample %s failed", request_id)
        await _fail(db, request_id, f"Sampling failed: {type(exc).__name__}.", "server")


async def _fail(db: Database, request_id: str, message: str, category: str) -> None:
    try:
        await asyncio.to_thread(
            futures.fail, db, request_id=request_id, message=message, category=category
        )
    except Exception:
        logger.exception("cannot record the failure of tinker sample %s", request_id)
