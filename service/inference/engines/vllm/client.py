"""`VllmEngine`: the `Engine` protocol over a vLLM OpenAI server's `/v1/completions`.

Whetstone keeps the prompt, the text and the answer's shape: it sends token ids (the chat
template already applied), asks vLLM for the generated token ids (`return_token_ids`) and for
logprobs keyed by token id (`return_tokens_as_token_ids`), and detokenizes, cuts stop strings
and places logprobs with the same TextTracker the builtin engine uses, so both engines give
the same text for the same tokens. Each prompt of a request is one streamed HTTP request with
vLLM's own `n`; leaving the stream closes it, and vLLM aborts the request on disconnect.

Adapters are named to vLLM by their storage key. On a server Whetstone runs, an adapter is
loaded from its local copy (`/v1/load_lora_adapter`, needing
VLLM_ALLOW_RUNTIME_LORA_UPDATING) before its first request, and again after every restart;
replicas elsewhere resolve unknown names themselves (a LoRA resolver). A base request goes
through the base model's zero adapter (zero_adapter.py), never as a row without an adapter.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import httpx

from service.core.errors import (
    EngineUnavailableError,
    InvalidRequestError,
    ModelLoadError,
    ModelNotFoundError,
    WhetstoneError,
)
from service.inference.engine import GenerationRequest, SequenceStream
from service.inference.grammar import Grammar
from service.inference.observer import NULL_OBSERVER, InferenceObserver
from service.inference.text import TextTracker, decode
from service.inference.types import (
    AdapterRef,
    FinishReason,
    SamplingParams,
    SequenceEvent,
    TokenLogprob,
)

if TYPE_CHECKING:
    from transformers import PreTrainedTokenizerBase

    from service.inference.adapter_files import AdapterFiles
    from service.inference.engines.vllm.supervisor import VllmBackend

logger = logging.getLogger("whetstone.inference.vllm")
_TOKEN_ID_PREFIX = "token_id:"


class VllmEngine:
    """Generates for one base model on its vLLM server(s)."""

    def __init__(
        self,
        *,
        name: str,
        backend: VllmBackend,
        tokenizer: PreTrainedTokenizerBase,
        eos_ids: set[int],
        context_length: int,
        adapter_files: AdapterFiles,
        zero_adapter: str,
        read_timeout: float,
        observer: InferenceObserver = NULL_OBSERVER,
    ):
        self.name = name
        self.backend = backend
        self.tokenizer = tokenizer
        self.eos_ids = eos_ids
        self.context_length = context_length
        self.adapter_files = adapter_files
        self.zero_adapter = zero_adapter
        self.observer = observer
        # Longest wait for vLLM's next streamed chunk: a server that hangs fails the request.
        self._timeout = httpx.Timeout(read_timeout, connect=2.0)
        self.client = httpx.AsyncClient(
            timeout=self._timeout, limits=httpx.Limits(max_connections=None)
        )
        # Adapters loaded into the server, valid for the backend's `epoch` they were loaded in.
        self._loaded: set[str] = set()
        self._loaded_epoch = -1
        self._load_locks: dict[str, asyncio.Lock] = {}
        self._streams: set[VllmStream] = set()

    async def start(self) -> None:
        """Start (or begin watching) the vLLM server; requests get a 503 until it answers."""
        await self.backend.start()

    async def stop(self) -> None:
        """End every stream with a 503 and stop the server."""
        gone = EngineUnavailableError(f"The vLLM engine of {self.name} is shutting down.")
        for stream in list(self._streams):
            stream.fail(gone)
        await self.backend.stop()
        await self.client.aclose()

    async def generate(self, request: GenerationRequest) -> SequenceStream:
        """Send each prompt to vLLM as a streamed completion; events arrive as it answers."""
        if request.params.prompt_logprobs:
            # vLLM's streamed completions carry no prompt logprobs: refused, never left out.
            raise InvalidRequestError(
                f"prompt_logprobs are not supported for {self.name}, which is served by vLLM.",
                param="prompt_logprobs",
            )
        base = self.backend.url()
        key = self.zero_adapter if request.adapter is None else request.adapter.key
        await self._ensure_loaded(base, key)
        stream = VllmStream(
            self,
            base,
            key,
            request,
            kind="base" if request.adapter is None else "adapter",
        )
        self._streams.add(stream)
        stream.begin()
        return stream

    async def load_adapter(self, adapter: AdapterRef) -> None:
        """Load the adapter into the server ahead of its first request."""
        await self._ensure_loaded(self.backend.url(), adapter.key)

    async def forget_adapter(self, key: str) -> None:
        """End the streams on adapter `key` with a 404 and unload it from the server."""
        gone = ModelNotFoundError("The model was deleted.", param="model")
        for stream in list(self._streams):
            if stream.adapter_key == key:
                stream.fail(gone)
        if self.backend.local and key not in self._loaded:
            return
        self._loaded.discard(key)
        # Replicas elsewhere loaded it on their own (the resolver): each is told to unload.
        for base in self.backend.healthy_urls():
            with contextlib.suppress(httpx.HTTPError):
                await self.client.post(f"{base}/v1/unload_lora_adapter", json={"lora_name": key})

    def forget_loaded(self, key: str) -> None:
        """The server no longer has adapter `key`: load it again before its next request."""
        self._loaded.discard(key)

    def closed(self, stream: VllmStream) -> None:
        """`stream` has ended (called by the stream)."""
        self._streams.discard(stream)

    async def _ensure_loaded(self, base: str, key: str) -> None:
        if not self.backend.local:
            return  # a replica elsewhere resolves the name itself (the LoRA resolver)
        if self._loaded_epoch != self.backend.epoch:
            self._loaded, self._loaded_epoch = set(), self.backend.epoch
        if key in self._loaded:
            return
        async with self._load_locks.setdefault(key, asyncio.Lock()):
            if key in self._loaded:
                return
            local = await asyncio.to_thread(self.adapter_files.fetch, key)
            try:
                response = await self.client.post(
                    f"{base}/v1/load_lora_adapter",
                    json={"lora_name": key, "lora_path": str(local.path)},
                )
            except httpx.HTTPError as exc:
                self.backend.failed(base)
                raise EngineUnavailableError(
                    f"The vLLM engine of {self.name} does not answer; retry shortly."
                ) from exc
            message = _error_message(response)
            if response.status_code != 200 and "already been loaded" not in message:
                logger.warning("vLLM refused adapter %s of %s: %s", key, self.name, message)
                raise ModelLoadError(f"The model's adapter could not be loaded by vLLM: {message}")
            self.observer.adapter_event("load")
            self._loaded.add(key)


def completion_body(
    prompt: tuple[int, ...], params: SamplingParams, *, model: str, n: int, context_length: int
) -> dict[str, object]:
    """vLLM's `/v1/completions` request for one prompt: every SamplingParams field mapped."""
    body: dict[str, object] = {
        "model": model,
        "prompt": list(prompt),
        "n": n,
        "stream": True,
        # The builtin engine ends a choice `length` at the context's end; so does vLLM when
        # asked for no more than what is left.
        "max_tokens": max(1, min(params.max_tokens, context_length - len(prompt))),
        "temperature": params.temperature,
        "top_p": params.top_p,
        "presence_penalty": params.presence_penalty,
        "frequency_penalty": params.frequency_penalty,
        "return_token_ids": True,
        "return_tokens_as_token_ids": True,
    }
    if params.seed is not None:
        body["seed"] = params.seed
    if params.top_k > 0:
        body["top_k"] = params.top_k
    if params.stop_token_ids:
        body["stop_token_ids"] = list(params.stop_token_ids)
    if params.ignore_eos:
        body["ignore_eos"] = True
    if params.logit_bias:
        body["logit_bias"] = {str(token): bias for token, bias in params.logit_bias.items()}
    if params.stop:
        # Whetstone cuts the text itself; vLLM stopping too saves generating past the cut.
        body["stop"] = list(params.stop)
    if params.top_logprobs is not None:
        body["logprobs"] = params.top_logprobs
    if params.grammar is not None:
        body["structured_outputs"] = {"grammar": grammar_as_lark(params.grammar)}
    return body


def grammar_as_lark(grammar: Grammar) -> str:
    """The grammar as Lark text, which vLLM's llguidance backend takes as a `grammar`: a JSON
    schema (with its llguidance options) becomes `start: %json {...}`."""
    try:
        spec = json.loads(grammar.source)
    except ValueError:
        return grammar.source  # already Lark text
    parts = spec.get("grammars") if isinstance(spec, dict) else None
    if not isinstance(parts, list) or len(parts) != 1 or not isinstance(parts[0], dict):
        raise InvalidRequestError(
            "This grammar has several parts, which the vLLM engine cannot take.",
            param="response_format",
        )
    part = parts[0]
    if isinstance(part.get("lark_grammar"), str):
        lark: str = part["lark_grammar"]
        return lark
    return "start: %json " + json.dumps(part["json_schema"])


@dataclass
class _Choice:
    """One choice as it streams: its text so far, its logprobs, what was reported."""

    index: int
    tracker: TextTracker
    logprobs: list[TokenLogprob] = field(default_factory=list)
    generated: int = 0
    reported: int = 0
    done: bool = False


class VllmStream:
    """The events of one request's choices, from one streamed vLLM completion per prompt."""

    def __init__(
        self, engine: VllmEngine, base: str, adapter_key: str, request: GenerationRequest, kind: str
    ):
        self.engine = engine
        self.base = base
        self.adapter_key = adapter_key
        self.request = request
        self.kind = kind
        self._queue: asyncio.Queue[SequenceEvent] = asyncio.Queue()
        self._tasks: list[asyncio.Task[None]] = []

    def begin(self) -> None:
        """Send every prompt to vLLM."""
        self._tasks = [
            asyncio.create_task(self._prompt(p, prompt))
            for p, prompt in enumerate(self.request.prompts)
        ]

    async def __aiter__(self) -> AsyncIterator[SequenceEvent]:
        """Every event until each choice has finished; raises the first choice's error."""
        remaining = self.request.choices
        try:
            while remaining:
                event = await self._queue.get()
                if event.error is not None:
                    raise event.error
                if event.finish_reason is not None:
                    remaining -= 1
                yield event
        finally:
            self.cancel()

    def cancel(self) -> None:
        """Close every HTTP stream: vLLM aborts the requests."""
        for task in self._tasks:
            task.cancel()
        self.engine.closed(self)

    def fail(self, error: Exception) -> None:
        """End the stream with `error` (the model was deleted, the engine stops)."""
        self.cancel()
        self._queue.put_nowait(SequenceEvent(index=0, error=error))

    async def _prompt(self, p: int, prompt: tuple[int, ...]) -> None:
        request, engine = self.request, self.engine
        choices = [
            _Choice(
                index=p * request.n + c, tracker=TextTracker(engine.tokenizer, request.params.stop)
            )
            for c in range(request.n)
        ]
        body = completion_body(
            prompt,
            request.params,
            model=self.adapter_key,
            n=request.n,
            context_length=engine.context_length,
        )
        try:
            async with engine.client.stream(
                "POST", f"{self.base}/v1/completions", json=body
            ) as response:
                if response.status_code != 200:
                    await response.aread()
                    raise self._refused(response)
                async for line in response.aiter_lines():
                    if not line.startswith("data: ") or line == "data: [DONE]":
                        continue
                    chunk = json.loads(line[len("data: ") :])
                    if "error" in chunk:
                        raise EngineUnavailableError(
                            f"The vLLM engine of {engine.name} failed while generating: "
                            f"{_message_of(chunk)}"
                        )
                    for part in chunk.get("choices", []):
                        self._accept(choices[int(part["index"])], part)
                    if all(choice.done for choice in choices):
                        break
        except asyncio.CancelledError:
            raise
        except WhetstoneError as exc:
            self._queue.put_nowait(SequenceEvent(index=choices[0].index, error=exc))
            return
        except (httpx.HTTPError, ValueError, KeyError) as exc:
            engine.backend.failed(self.base)
            logger.warning("vLLM stream of %s broke: %r", engine.name, exc)
            error = EngineUnavailableError(
                f"The vLLM engine of {engine.name} stopped while generating; retry shortly."
            )
            self._queue.put_nowait(SequenceEvent(index=choices[0].index, error=error))
            return
        for choice in choices:
            if not choice.done:
                # vLLM ended the stream without a finish reason: never report a false ending.
                error = EngineUnavailableError(
                    f"The vLLM engine of {engine.name} ended a choice without finishing it."
                )
                self._queue.put_nowait(SequenceEvent(index=choice.index, error=error))
                return

    def _accept(self, choice: _Choice, part: dict[str, object]) -> None:
        """Fold one streamed chunk of a choice into its text and report what became final."""
        if choice.done:
            return
        engine, params = self.engine, self.request.params
        token_ids = _ints(part.get("token_ids"))
        chosen, alternatives = _logprobs(part.get("logprobs"), len(token_ids))
        tracker = choice.tracker
        text = ""
        finish: FinishReason | None = None
        stop_token: TokenLogprob | None = None
        for position, token in enumerate(token_ids):
            choice.generated += 1
            if (
                token in engine.eos_ids and not params.ignore_eos
            ) or token in params.stop_token_ids:
                finish = "stop"
                if params.top_logprobs is not None and chosen:
                    stop_token = TokenLogprob(
                        token=decode(engine.tokenizer, [token]),
                        logprob=chosen[position],
                        token_id=token,
                    )
                break
            if params.top_logprobs is not None and chosen:
                choice.logprobs.append(
                    TokenLogprob(
                        token=decode(engine.tokenizer, [token]),
                        logprob=chosen[position],
                        top=tuple(
                            (decode(engine.tokenizer, [t]), lp)
                            for t, lp in alternatives[position][: params.top_logprobs]
                        ),
                        offset=len(tracker.text),
                        token_id=token,
                    )
                )
            text += tracker.push(token)
            if tracker.stopped:
                finish = "stop"
                break
        reason = part.get("finish_reason")
        if finish is None and reason is not None:
            finish = "length" if reason == "length" else "stop"
        if finish is not None:
            choice.done = True
            text += tracker.finish()
            upto = tracker.tokens_before_cut()
            engine.observer.generated(self.kind, choice.generated)
        else:
            upto = tracker.released_tokens(choice.reported)
        tokens = tuple(choice.logprobs[choice.reported : upto])
        choice.reported = max(choice.reported, upto)
        if text or tokens or finish:
            self._queue.put_nowait(
                SequenceEvent(
                    index=choice.index,
                    text=text,
                    tokens=tokens,
                    finish_reason=finish,
                    completion_tokens=choice.generated,
                    stop_token=stop_token,
                )
            )

    def _refused(self, response: httpx.Response) -> WhetstoneError:
        message = _error_message(response)
        if response.status_code == 400:
            # A parameter vLLM cannot honour: the client's to fix, named as vLLM names it.
            return InvalidRequestError(
                f"The vLLM engine refused the request: {message}", param=_error_param(response)
            )
        if response.status_code == 404:
            # The server forgot the adapter (it restarted): load it again next time.
            self.engine.forget_loaded(self.adapter_key)
            return ModelLoadError(f"The vLLM engine does not have the model's adapter: {message}")
        self.engine.backend.failed(self.base)
        return EngineUnavailableError(
            f"The vLLM engine of {self.engine.name} answered {response.status_code}: {message}"
        )


def _ints(value: object) -> list[int]:
    return [int(v) for v in value] if isinstance(value, list) else []


def _token_id(name: str) -> int:
    return int(name.removeprefix(_TOKEN_ID_PREFIX))


def _logprobs(value: object, count: int) -> tuple[list[float], list[list[tuple[int, float]]]]:
    """The chosen tokens' logprobs and each position's alternatives, most likely first."""
    if not isinstance(value, dict):
        return [], []
    chosen = [float(v) for v in value.get("token_logprobs") or []]
    tops = value.get("top_logprobs") or []
    alternatives = [
        sorted(((_token_id(k), float(v)) for k, v in (top or {}).items()), key=lambda a: -a[1])
        for top in tops
    ]
    if len(chosen) != count or len(alternatives) != count:
        raise ValueError(f"vLLM sent logprobs for {len(chosen)} of {count} tokens")
    return chosen, alternatives


def _error_message(response: httpx.Response) -> str:
    try:
        return _message_of(response.json())
    except ValueError:
        return response.text[:300]


def _error_param(response: httpx.Response) -> str | None:
    """The parameter vLLM's error names, if it names one."""
    try:
        error = response.json().get("error")
    except (ValueError, AttributeError):
        return None
    param = error.get("param") if isinstance(error, dict) else None
    return param if isinstance(param, str) else None


def _message_of(payload: object) -> str:
    error = payload.get("error") if isinstance(payload, dict) else None
    if isinstance(error, dict):
        return str(error.get("message", ""))[:500]
    return str(payload)[:300]
