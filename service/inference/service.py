"""InferenceService: the engines as the API sees them. Loads torch only on the first completion.

It owns, per base model, a tokenizer and an engine (service/inference/engine.py: created on
first use, then shared by every adapter on that base), and the local adapter files. It talks to
an engine through the `Engine` protocol only; which engine serves a base model is decided in
`_start_engine`. A fully fine-tuned `ft:` model is a
base model of its own (an entry with `weights_key`): its files are downloaded on first use and it
gets its own engine, and at most `max_loaded_full_models` of them stay loaded, the least recently
used unloaded first. Every blocking step (loading a model,
downloading an adapter, rendering a chat template) runs in a worker thread, and generation runs
in the engine's own thread, so the event loop only awaits.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import OrderedDict
from collections.abc import AsyncGenerator, Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from service.catalog import BaseModelEntry, Catalog
from service.core.config import Settings
from service.core.errors import InvalidRequestError, ModelLoadError, WhetstoneError
from service.inference.adapter_files import AdapterFiles
from service.inference.engine import Engine, GenerationRequest, SequenceStream
from service.inference.local_copies import LocalCopies
from service.inference.observer import NULL_OBSERVER, InferenceObserver
from service.inference.types import AdapterRef, PreparedPrompt, SamplingParams, SequenceEvent
from service.storage import ArtifactStore

if TYPE_CHECKING:
    from transformers import PreTrainedTokenizerBase

logger = logging.getLogger("whetstone.inference")


class Generation:
    """The choices of one request as they are produced; iterate `events()` once."""

    def __init__(
        self,
        stream: SequenceStream,
        choices: int,
        *,
        started: float | None = None,
        observer: InferenceObserver = NULL_OBSERVER,
        on_close: Callable[[], None] | None = None,
    ):
        self._stream = stream
        # Called once the generation ends, however it ends (an eviction waits for it).
        self._on_close = on_close
        self.choices = choices
        # time.monotonic() when the request was handed over; the first event ends its TTFT.
        self._started = started
        self._observer = observer

    async def events(self) -> AsyncGenerator[SequenceEvent, None]:
        """Every event until each choice has finished; raises the first choice's error."""
        try:
            async for event in self._stream:
                if self._started is not None:
                    self._observer.first_token(time.monotonic() - self._started)
                    self._started = None
                yield event
        finally:
            # Ends early when the client disconnects (the task is cancelled) or on error.
            self._stream.cancel()
            if self._on_close is not None:
                self._on_close()
                self._on_close = None


class InferenceService:
    """Base models, adapters and their engines, created lazily and shared by all requests."""

    def __init__(
        self,
        settings: Settings,
        store: ArtifactStore,
        catalog: Catalog,
        *,
        observer: InferenceObserver = NULL_OBSERVER,
    ):
        self.settings, self.store, self.catalog = settings, store, catalog
        self.observer = observer
        self.adapter_files = AdapterFiles(store, settings.data_dir / "cache" / "adapters")
        # A fully fine-tuned model's saved directory always holds its config.json.
        self.model_files = LocalCopies(
            store, settings.data_dir / "cache" / "full-models", marker="config.json", what="model"
        )
        self._tokenizers: dict[str, PreTrainedTokenizerBase] = {}
        self._engines: dict[str, Engine] = {}
        self._locks: dict[str, asyncio.Lock] = {}
        # The loaded fully fine-tuned models by name, least recently used first, and the
        # generations each engine has in flight (by id(engine)), which an eviction lets finish.
        self._full: OrderedDict[str, BaseModelEntry] = OrderedDict()
        self._in_flight: dict[int, int] = {}

    async def tokenizer(self, entry: BaseModelEntry) -> PreTrainedTokenizerBase:
        """The base model's tokenizer, loaded once."""
        if entry.name not in self._tokenizers:
            from service.catalog.loading import load_tokenizer

            async with self._lock(f"tokenizer:{entry.name}"):
                if entry.name not in self._tokenizers:
                    self._tokenizers[entry.name] = await asyncio.to_thread(
                        _loaded,
                        entry,
                        "tokenizer",
                        lambda: load_tokenizer(self._model_dir(entry)),
                    )
        return self._tokenizers[entry.name]

    async def render_chat(
        self,
        entry: BaseModelEntry,
        messages: list[dict[str, Any]],
        *,
        tools: list[dict[str, Any]] | None = None,
    ) -> PreparedPrompt:
        """Messages (and tools, as training rendered them) through the base tokenizer's chat
        template, then tokenized."""
        tokenizer = await self.tokenizer(entry)
        return await asyncio.to_thread(_render_chat, tokenizer, messages, tools)

    async def encode(self, entry: BaseModelEntry, prompt: str | list[int]) -> PreparedPrompt:
        """A completions prompt (text, or token ids) tokenized for the base model."""
        tokenizer = await self.tokenizer(entry)
        return await asyncio.to_thread(_encode, tokenizer, prompt)

    async def generate(
        self,
        entry: BaseModelEntry,
        adapter: AdapterRef | None,
        prompts: list[PreparedPrompt],
        params: SamplingParams,
        *,
        n: int = 1,
    ) -> Generation:
        """Queue `n` choices for each prompt on the base model's engine, with the adapter."""
        started = time.monotonic()
        engine = await self._engine(entry)
        request = GenerationRequest(
            prompts=tuple(p.token_ids for p in prompts), params=params, n=n, adapter=adapter
        )
        stream = await engine.generate(request)
        return Generation(
            stream,
            choices=request.choices,
            started=started,
            observer=self.observer,
            on_close=self._hold(engine) if entry.weights_key is not None else None,
        )

    async def start_vllm_engines(self) -> None:
        """Start the engine of every base model served by vLLM (each answers 503 until its
        server is up); a model that cannot be loaded is logged and tried again on use."""
        for entry in self.catalog.entries.values():
            if entry.engine != "vllm":
                continue
            try:
                await self._engine(entry)
            except WhetstoneError:
                logger.exception("cannot start the vLLM engine of %s", entry.name)

    async def forget_adapters(self, keys: list[str]) -> None:
        """Stop serving these adapters (or fully fine-tuned models) at once: end their
        sequences, unload, delete local files. A full model's engine stops, so what it was
        generating ends with a 503."""
        async with self._lock("engine:full"):
            for name, entry in list(self._full.items()):
                if entry.weights_key in keys:
                    del self._full[name]
                    self._tokenizers.pop(name, None)
                    engine = self._engines.pop(name, None)
                    if engine is not None:
                        await engine.stop()
        for engine in list(self._engines.values()):
            for key in keys:
                await engine.forget_adapter(key)
        for key in keys:
            await asyncio.to_thread(self.adapter_files.remove, key)
            await asyncio.to_thread(self.model_files.remove, key)

    async def stop(self) -> None:
        """Stop the batching loops and free the models."""
        engines, self._engines = list(self._engines.values()), {}
        self._full.clear()
        for engine in engines:
            await engine.stop()

    async def _engine(self, entry: BaseModelEntry) -> Engine:
        full = entry.weights_key is not None
        engine = self._engines.get(entry.name)
        if engine is not None:
            if full and entry.name in self._full:
                self._full.move_to_end(entry.name)
            return engine
        tokenizer = await self.tokenizer(entry)
        # One lock for every full model: making room and loading are one step, so the limit
        # holds however many names arrive at once.
        async with self._lock("engine:full" if full else f"engine:{entry.name}"):
            engine = self._engines.get(entry.name)
            if engine is None:
                if full:
                    await self._make_room()
                engine = await self._start_engine(entry, tokenizer)
                self._engines[entry.name] = engine
                if full:
                    self._full[entry.name] = entry
        return engine

    async def _make_room(self) -> None:
        """Unload the least recently used full models until one more fits the limit. Each is
        first taken out of service, then given as long as a request may wait for a batch
        place to finish what it generates; what is left then ends with a 503 (never a 404:
        the model exists, and the next request loads it again)."""
        while len(self._full) >= self.settings.max_loaded_full_models:
            name, _ = self._full.popitem(last=False)
            engine = self._engines.pop(name)
            deadline = time.monotonic() + self.settings.inference_queue_timeout_seconds
            while self._in_flight.get(id(engine), 0) > 0 and time.monotonic() < deadline:
                await asyncio.sleep(0.05)
            logger.info("unloading fine-tuned model %s (least recently used)", name)
            await engine.stop()
            self._in_flight.pop(id(engine), None)

    def _hold(self, engine: Engine) -> Callable[[], None]:
        """Count one generation in flight on `engine`; the returned function ends it."""
        self._in_flight[id(engine)] = self._in_flight.get(id(engine), 0) + 1

        def release() -> None:
            count = self._in_flight.get(id(engine), 0)
            if count > 1:
                self._in_flight[id(engine)] = count - 1
            else:
                self._in_flight.pop(id(engine), None)

        return release

    def _model_dir(self, entry: BaseModelEntry) -> Path:
        """The local directory of a model's weights and tokenizer; a fully fine-tuned one is
        downloaded from the store on first use. Blocking."""
        if entry.weights_key is not None:
            return self.model_files.fetch(entry.weights_key)
        return self.catalog.local_path(entry)

    async def _start_engine(
        self, entry: BaseModelEntry, tokenizer: PreTrainedTokenizerBase
    ) -> Engine:
        """The started engine of a base model: a vLLM server for `engine: vllm` (a fully
        fine-tuned model stays on the builtin engine, see docs/serving.md), else Whetstone's
        own batching loop. A vLLM engine answers 503 until its server is up."""
        if entry.engine == "vllm" and entry.weights_key is None:
            engine = await asyncio.to_thread(self._vllm_engine, entry, tokenizer)
        else:
            engine = await asyncio.to_thread(self._builtin_engine, entry, tokenizer)
        await engine.start()
        return engine

    def _vllm_engine(self, entry: BaseModelEntry, tokenizer: PreTrainedTokenizerBase) -> Engine:
        """The vLLM engine of `entry`: its server started by Whetstone, or its replicas
        elsewhere; its zero adapter written to the store first. Blocking."""
        from service.inference.engines.vllm.client import VllmEngine
        from service.inference.engines.vllm.launch import (
            eos_token_ids,
            vllm_arguments,
            vllm_command,
            vllm_environment,
        )
        from service.inference.engines.vllm.supervisor import (
            VllmBackend,
            VllmProcess,
            VllmReplicas,
            free_port,
        )
        from service.inference.engines.vllm.zero_adapter import ensure_zero_adapter

        model_dir = _loaded(entry, "weights", lambda: self._model_dir(entry))
        zero = _loaded(
            entry, "zero adapter", lambda: ensure_zero_adapter(self.store, entry.name, model_dir)
        )
        backend: VllmBackend
        if entry.vllm.vllm_url:
            backend = VllmReplicas(entry.name, entry.vllm.vllm_url)
        else:
            port = free_port()
            backend = VllmProcess(
                entry.name,
                [*vllm_command(self.settings), *vllm_arguments(entry, model_dir, port=port)],
                env=vllm_environment(self.settings),
                port=port,
                log_path=self.settings.data_dir / "logs" / f"vllm-{zero.rsplit('/', 1)[-1]}.log",
                start_timeout=self.settings.vllm_start_timeout_seconds,
            )
        return VllmEngine(
            name=entry.name,
            backend=backend,
            tokenizer=tokenizer,
            eos_ids=eos_token_ids(model_dir, tokenizer.eos_token_id),
            context_length=entry.context_length,
            adapter_files=self.adapter_files,
            zero_adapter=zero,
            read_timeout=self.settings.vllm_read_timeout_seconds,
            observer=self.observer,
        )

    def _builtin_engine(self, entry: BaseModelEntry, tokenizer: PreTrainedTokenizerBase) -> Engine:
        """The builtin engine on the model's weights, loaded on this process's device. Blocking."""
        from service.catalog.loading import load_model
        from service.inference.engines.builtin.batching import BatchEngine
        from service.inference.engines.builtin.device import inference_device

        device = inference_device(self.settings)
        logger.info("loading base model %s on %s", entry.name, device)
        model = _loaded(entry, "weights", lambda: load_model(self._model_dir(entry), device=device))
        return BatchEngine(
            model,
            tokenizer,
            name=entry.name,
            max_batch_size=self.settings.max_batch_size,
            adapter_capacity=self.settings.adapter_cache_size,
            context_length=entry.context_length,
            queue_timeout=self.settings.inference_queue_timeout_seconds,
            adapter_files=self.adapter_files,
            observer=self.observer,
        )

    def _lock(self, name: str) -> asyncio.Lock:
        return self._locks.setdefault(name, asyncio.Lock())


Loaded = TypeVar("Loaded")


def _loaded(entry: BaseModelEntry, part: str, load: Callable[[], Loaded]) -> Loaded:
    """`load()`, its failure a ModelLoadError naming the model and the cause: the model exists
    in the catalog, so a 404 would be a lie."""
    try:
        return load()
    except WhetstoneError:
        raise
    except Exception as exc:
        cause = (str(exc).strip().splitlines() or [""])[0][:300]
        logger.exception("cannot load the %s of base model %s", part, entry.name)
        raise ModelLoadError(
            f"The base model {entry.name} could not be loaded ({part}): "
            f"{type(exc).__name__}: {cause}"
        ) from exc


def _render_chat(
    tokenizer: PreTrainedTokenizerBase,
    messages: list[dict[str, Any]],
    tools: list[dict[str, Any]] | None,
) -> PreparedPrompt:
    from jinja2 import TemplateError

    listed: list[dict[Any, Any] | Callable[..., Any]] | None = (
        None if tools is None else list(tools)
    )
    try:
        text = _one_text(
            tokenizer.apply_chat_template(
                messages, tools=listed, tokenize=False, add_generation_prompt=True
            )
        )
    except (TemplateError, ValueError) as exc:
        raise InvalidRequestError(
            f"The messages cannot be rendered with this model's chat template: {exc}",
            param="messages",
        ) from exc
    # The template writes the special tokens (BOS included) itself.
    ids = tokenizer(text, add_special_tokens=False)["input_ids"]
    return PreparedPrompt(token_ids=tuple(ids), text=text)


def _encode(tokenizer: PreTrainedTokenizerBase, prompt: str | list[int]) -> PreparedPrompt:
    if isinstance(prompt, str):
        ids = tokenizer(prompt, add_special_tokens=False)["input_ids"]
        text = prompt
    else:
        vocab = len(tokenizer)
        if any(not 0 <= t < vocab for t in prompt):
            raise InvalidRequestError(
                f"Token ids in 'prompt' must be between 0 and {vocab - 1}.", param="prompt"
            )
        ids = list(prompt)
        text = _one_text(tokenizer.decode(ids))
    if not ids:
        # OpenAI documents an empty prompt as "generate from the start of a document".
        start = tokenizer.bos_token_id if tokenizer.bos_token_id is not None else 0
        ids = [start]
    return PreparedPrompt(token_ids=tuple(ids), text=text)


def _one_text(value: object) -> str:
    """A tokenizer's answer that is one string (a template rendered untokenized, one sequence
    decoded), typed as such."""
    if not isinstance(value, str):
        raise TypeError(f"the tokenizer returned {type(value).__name__}, not text")
    return value
