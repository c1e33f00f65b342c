"""InferenceService: the engine as the API sees it. Loads torch only on the first completion.

It owns, per base model, a tokenizer and a BatchEngine (created on first use, then shared by
every adapter on that base), and the local adapter files. Every blocking step (loading a model,
downloading an adapter, rendering a chat template) runs in a worker thread, and generation runs
in the engine's own thread, so the event loop only awaits.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Any

from service.catalog import BaseModelEntry, Catalog
from service.core.config import Settings
from service.core.errors import InvalidRequestError
from service.inference.adapters import AdapterFiles
from service.inference.observer import NULL_OBSERVER, InferenceObserver
from service.inference.types import AdapterRef, PreparedPrompt, SamplingParams, SequenceEvent
from service.storage import ArtifactStore

if TYPE_CHECKING:
    from service.inference.engine import BatchEngine, Ticket

logger = logging.getLogger("whetstone.inference")


class Generation:
    """The choices of one request as they are produced; iterate `events()` once."""

    def __init__(
        self,
        queue: asyncio.Queue[SequenceEvent],
        ticket: Ticket,
        choices: int,
        *,
        started: float | None = None,
        observer: InferenceObserver = NULL_OBSERVER,
    ):
        self._queue = queue
        self._ticket = ticket
        self.choices = choices
        # time.monotonic() when the request was handed over; the first event ends its TTFT.
        self._started = started
        self._observer = observer

    async def events(self) -> AsyncIterator[SequenceEvent]:
        """Every event until each choice has finished; raises the first choice's error."""
        remaining = self.choices
        try:
            while remaining:
                event = await self._queue.get()
                if event.error is not None:
                    raise event.error
                if self._started is not None:
                    self._observer.first_token(time.monotonic() - self._started)
                    self._started = None
                if event.finish_reason is not None:
                    remaining -= 1
                yield event
        finally:
            # Ends early when the client disconnects (the task is cancelled) or on error.
            self._ticket.cancel()


class InferenceService:
    """Base models, adapters and batching loops, created lazily and shared by all requests."""

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
        self._tokenizers: dict[str, Any] = {}
        self._engines: dict[str, BatchEngine] = {}
        self._locks: dict[str, asyncio.Lock] = {}

    async def tokenizer(self, entry: BaseModelEntry) -> Any:
        """The base model's tokenizer, loaded once."""
        if entry.name not in self._tokenizers:
            from service.catalog.loading import load_tokenizer

            async with self._lock(f"tokenizer:{entry.name}"):
                if entry.name not in self._tokenizers:
                    model_dir = await asyncio.to_thread(self.catalog.local_path, entry)
                    self._tokenizers[entry.name] = await asyncio.to_thread(
                        load_tokenizer, model_dir
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
        local = (
            await asyncio.to_thread(self.adapter_files.fetch, adapter.key)
            if adapter is not None
            else None
        )
        loop = asyncio.get_running_loop()
        queue: asyncio.Queue[SequenceEvent] = asyncio.Queue()

        def emit(event: SequenceEvent) -> None:
            loop.call_soon_threadsafe(queue.put_nowait, event)

        ticket = engine.submit(
            [list(p.token_ids) for p in prompts], params, n=n, adapter=local, emit=emit
        )
        return Generation(
            queue, ticket, choices=len(prompts) * n, started=started, observer=self.observer
        )

    async def forget_adapters(self, keys: list[str]) -> None:
        """Stop serving these adapters at once: end their sequences, unload, delete local files."""
        for engine in list(self._engines.values()):
            for key in keys:
                await asyncio.wrap_future(engine.unload_adapter(key))
        for key in keys:
            await asyncio.to_thread(self.adapter_files.remove, key)

    async def stop(self) -> None:
        """Stop the batching loops and free the models."""
        engines, self._engines = list(self._engines.values()), {}
        for engine in engines:
            await asyncio.to_thread(engine.stop)

    async def _engine(self, entry: BaseModelEntry) -> BatchEngine:
        engine = self._engines.get(entry.name)
        if engine is not None:
            return engine
        tokenizer = await self.tokenizer(entry)
        async with self._lock(f"engine:{entry.name}"):
            if entry.name not in self._engines:
                self._engines[entry.name] = await asyncio.to_thread(
                    self._start_engine, entry, tokenizer
                )
        return self._engines[entry.name]

    def _start_engine(self, entry: BaseModelEntry, tokenizer: Any) -> BatchEngine:
        from service.catalog.loading import load_model
        from service.inference.device import inference_device
        from service.inference.engine import BatchEngine

        device = inference_device(self.settings)
        logger.info("loading base model %s on %s", entry.name, device)
        model = load_model(self.catalog.local_path(entry), device=device)
        return BatchEngine(
            model,
            tokenizer,
            name=entry.name,
            max_batch_size=self.settings.max_batch_size,
            adapter_capacity=self.settings.adapter_cache_size,
            context_length=entry.context_length,
            queue_timeout=self.settings.inference_queue_timeout_seconds,
            observer=self.observer,
        )

    def _lock(self, name: str) -> asyncio.Lock:
        return self._locks.setdefault(name, asyncio.Lock())


def _render_chat(
    tokenizer: Any, messages: list[dict[str, Any]], tools: list[dict[str, Any]] | None
) -> PreparedPrompt:
    from jinja2 import TemplateError

    try:
        text = tokenizer.apply_chat_template(
            messages, tools=tools, tokenize=False, add_generation_prompt=True
        )
    except (TemplateError, ValueError) as exc:
        raise InvalidRequestError(
            f"The messages cannot be rendered with this model's chat template: {exc}",
            param="messages",
        ) from exc
    # The template writes the special tokens (BOS included) itself.
    ids = tokenizer(text, add_special_tokens=False)["input_ids"]
    return PreparedPrompt(token_ids=tuple(ids), text=text)


def _encode(tokenizer: Any, prompt: str | list[int]) -> PreparedPrompt:
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
        text = tokenizer.decode(ids)
    if not ids:
        # OpenAI documents an empty prompt as "generate from the start of a document".
        start = tokenizer.bos_token_id if tokenizer.bos_token_id is not None else 0
        ids = [start]
    return PreparedPrompt(token_ids=tuple(ids), text=text)
