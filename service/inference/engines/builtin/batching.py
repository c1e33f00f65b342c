"""The batching loop of one base model: continuous batching across adapters, in its own thread.

Design (why this shape):
- **One thread per base model** owns the model, its KV cache and the loaded adapters; nothing
  else touches them, so there is no locking around torch. The event loop only enqueues work
  (`generate`, the `Engine` protocol of service/inference/engine.py, or `submit` from any
  thread) and receives events through a callback, so generation never blocks it.
- **Continuous batching.** The running batch is a set of rows sharing one KV cache, left-padded
  to a common length with a 2-D attention mask; each row carries its own position ids, so
  padding never shifts a row's positions. Every iteration of the loop:
  1. newcomers (up to `max_batch_size` rows in all) are prefilled together in one forward pass
     of their own, their first token is sampled, and their KV cache is merged into the running
     batch by left-padding the shorter of the two caches (padded slots are zero and masked);
  2. one decode step runs for every row, newcomers included;
  3. finished or cancelled rows leave the batch at once (`index_select` on the cache), and
     leading columns that are padding for every remaining row are trimmed.
  A request therefore joins at the next step instead of waiting for the batch to drain, and a
  client that disconnects frees its row at the next step.
- **Mixed adapters in one forward pass, batched LoRA (punica / S-LoRA "BGMV" style).** peft's
  mixed batches loop over the distinct adapters inside every LoRA layer, so their cost grows
  with the number of adapters in the batch. Instead (lora_layers.py) every targeted
  `nn.Linear` of the base model is wrapped by a `LoraLinear` that keeps the A and B weights of
  all loaded adapters stacked by slot (ranks padded with zeros to the largest, scaling folded
  into B, slot 0 all zeros for base-model rows). Each row carries its adapter's slot; before a
  forward pass the engine hands the row -> slot index to its adapter slots (adapter_slots.py,
  which reads the files with adapter_reading.py), and every layer
  computes `base(x) + (x @ A[slot]) @ B[slot]` for the whole batch in a fixed number of ops,
  however many adapters it mixes: at prefill one gather and two `torch.bmm`; at decode (one
  token per row) one matmul against all slots' A, a one-hot slot mask and one `addmm` against
  all slots' B, which avoids copying weights per row (faster on the CPU). When every row
  uses the same adapter, two plain matmuls against its slot; when no row uses one, the LoRA
  path is skipped entirely and the layers cost what the bare base model costs; with no
  adapter loaded the wrappers are removed altogether. Base rows add exact zeros, so they get
  the base output.
- **Grammars per row.** A request with a grammar (structured outputs, a forced tool call) gets
  one llguidance matcher per choice at admission; before each sampling step the masks of all
  constrained rows are computed in one parallel call and applied to those rows only
  (constrained.py beside this module), so constrained and free rows share the batch. A choice
  whose grammar is complete ends with `stop`; EOS is masked until the grammar accepts.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
import threading
import time
from collections import deque
from collections.abc import AsyncIterator, Callable
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import torch
import torch.nn.functional as F
from transformers.cache_utils import Cache, CacheLayerMixin, DynamicCache

from service.core.errors import (
    EngineOverloadedError,
    InvalidRequestError,
    ModelLoadError,
    ModelNotFoundError,
    ServiceUnavailableError,
    WhetstoneError,
)
from service.inference.adapter_files import AdapterFiles
from service.inference.engine import GenerationRequest, SequenceStream
from service.inference.engines.builtin.adapter_slots import BASE_SLOT, AdapterSlots
from service.inference.engines.builtin.constrained import Matchers
from service.inference.engines.builtin.sampling import RowState, Sampled, new_generator, sample
from service.inference.observer import NULL_OBSERVER, InferenceObserver
from service.inference.text import TextTracker, decode
from service.inference.types import (
    AdapterRef,
    FinishReason,
    LocalAdapter,
    SamplingParams,
    SequenceEvent,
    TokenLogprob,
)

if TYPE_CHECKING:
    from transformers import PreTrainedModel, PreTrainedTokenizerBase

logger = logging.getLogger("whetstone.inference")


class Ticket:
    """The handle of one submitted request: cancelling it frees its rows at the next step."""

    def __init__(self) -> None:
        self.cancelled = False

    def cancel(self) -> None:
        """Stop generating for every choice of the request (the client went away)."""
        self.cancelled = True


@dataclass
class _Sequence:
    """One choice being generated: a row of the batch while it runs."""

    ticket: Ticket
    index: int
    prompt_ids: list[int]
    params: SamplingParams
    adapter: LocalAdapter | None
    emit: Callable[[SequenceEvent], None]
    row: RowState
    tracker: TextTracker
    slot: int = BASE_SLOT
    queued_at: float = field(default_factory=time.monotonic)
    logprobs: list[TokenLogprob] = field(default_factory=list)
    reported_tokens: int = 0
    done: bool = False
    # Computed at prefill when the request asked; handed over with the choice's first event.
    prompt_logprobs: tuple[float | None, ...] | None = None


@dataclass
class RunningBatch:
    """The rows generating together, row i of every tensor being `rows[i]`.

    The KV cache and the mask are left-padded to a common width; padded columns are zero in
    the cache and 0 in the mask.
    """

    rows: list[_Sequence]
    cache: Cache
    mask: torch.Tensor  # [rows, cached columns], 1 = real token
    positions: torch.Tensor  # [rows], position id of the next input
    next_tokens: torch.Tensor  # [rows], sampled token not yet fed back


class EventQueue:
    """A request's events, handed from the engine thread to the event loop: a SequenceStream."""

    def __init__(self, choices: int) -> None:
        self.ticket = Ticket()
        self._choices = choices
        self._loop = asyncio.get_running_loop()
        self._queue: asyncio.Queue[SequenceEvent] = asyncio.Queue()

    def emit(self, event: SequenceEvent) -> None:
        """Hand `event` to the event loop (called from the engine thread)."""
        self._loop.call_soon_threadsafe(self._queue.put_nowait, event)

    async def __aiter__(self) -> AsyncIterator[SequenceEvent]:
        """Every event until each choice has finished; raises the first choice's error."""
        remaining = self._choices
        while remaining:
            event = await self._queue.get()
            if event.error is not None:
                raise event.error
            if event.finish_reason is not None:
                remaining -= 1
            yield event

    def cancel(self) -> None:
        """Stop generating for every choice."""
        self.ticket.cancel()


class BatchEngine:
    """Generates for every request on one base model, batching them step by step.

    It implements the `Engine` protocol on the event loop (`start`, `generate`, ...), over a
    thread-level interface that tests and benches drive directly (`start_loop`, `submit`,
    `unload_adapter`, `stop_loop`).
    """

    def __init__(
        self,
        model: PreTrainedModel,
        tokenizer: PreTrainedTokenizerBase,
        *,
        name: str,
        max_batch_size: int,
        adapter_capacity: int,
        context_length: int,
        queue_timeout: float | None = None,
        adapter_files: AdapterFiles | None = None,
        observer: InferenceObserver = NULL_OBSERVER,
    ):
        model.train(False)  # eval mode: what `eval()` does, which transformers leaves untyped
        self.observer = observer
        self.tokenizer = tokenizer
        self.name = name
        self.max_batch_size = max(1, max_batch_size)
        self.context_length = context_length
        # The longest a sequence may wait for a place in the batch (None: forever).
        self.queue_timeout = queue_timeout
        # Where adapters named by storage key are copied from; None: this engine serves only
        # the local adapters handed to `submit`.
        self.adapter_files = adapter_files
        self.model = model
        self.device = next(model.parameters()).device
        self.adapters = AdapterSlots(model, adapter_capacity, observer=observer)
        self.eos_ids = _eos_ids(model, tokenizer)
        self.matchers = Matchers(tokenizer, self.eos_ids)
        # transformers 5 renamed `past_key_values` to `cache`; accept either generation.
        parameters = inspect.signature(model.forward).parameters
        self._cache_argument = "cache" if "cache" in parameters else "past_key_values"
        self.pad_id = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else 0
        self._cond = threading.Condition()
        self._pending: deque[_Sequence] = deque()
        self._commands: deque[Callable[[], None]] = deque()
        self._stopping = False
        self._batch: RunningBatch | None = None
        self._thread = threading.Thread(target=self._run, name=f"engine-{name}", daemon=True)

    # ----- the Engine protocol, on the event loop -----

    async def start(self) -> None:
        """Start the loop's thread."""
        self.start_loop()

    async def stop(self) -> None:
        """Stop the loop; running and queued sequences end with an error."""
        await asyncio.to_thread(self.stop_loop)

    async def generate(self, request: GenerationRequest) -> SequenceStream:
        """Queue `request` (its adapter's files copied from storage first, if need be)."""
        adapter = None if request.adapter is None else await self._local(request.adapter)
        events = EventQueue(request.choices)
        self.submit(
            [list(prompt) for prompt in request.prompts],
            request.params,
            n=request.n,
            adapter=adapter,
            emit=events.emit,
            ticket=events.ticket,
        )
        return events

    async def load_adapter(self, adapter: AdapterRef) -> None:
        """Copy the adapter's files from storage; its weights take a slot on first use."""
        await self._local(adapter)

    async def forget_adapter(self, key: str) -> None:
        """End every sequence using adapter `key` and unload it."""
        await asyncio.wrap_future(self.unload_adapter(key))

    async def _local(self, adapter: AdapterRef) -> LocalAdapter:
        if self.adapter_files is None:
            raise ModelLoadError(
                f"The model's adapter could not be loaded: {self.name} has no adapter files."
            )
        return await asyncio.to_thread(self.adapter_files.fetch, adapter.key)

    # ----- called from any thread -----

    def start_loop(self) -> None:
        """Start the loop's thread."""
        self._thread.start()

    def submit(
        self,
        prompts: list[list[int]],
        params: SamplingParams,
        *,
        n: int,
        adapter: LocalAdapter | None,
        emit: Callable[[SequenceEvent], None],
        ticket: Ticket | None = None,
    ) -> Ticket:
        """Queue `n` choices per prompt; events arrive through `emit` from the engine thread.
        `ticket` cancels them (a new one when None)."""
        ticket = ticket or Ticket()
        sequences = [
            _Sequence(
                ticket=ticket,
                index=p * n + c,
                prompt_ids=list(prompt),
                params=params,
                adapter=adapter,
                emit=emit,
                row=RowState(params=params, generator=new_generator(params.seed, c)),
                tracker=TextTracker(self.tokenizer, params.stop),
            )
            for p, prompt in enumerate(prompts)
            for c in range(n)
        ]
        with self._cond:
            if self._stopping:
                raise ServiceUnavailableError("The inference engine is shutting down.")
            self._pending.extend(sequences)
            self._cond.notify()
        return ticket

    def unload_adapter(self, key: str) -> Future[None]:
        """End every sequence using adapter `key` and unload it; resolves once done."""
        done: Future[None] = Future()

        def command() -> None:
            gone = ModelNotFoundError("The model was deleted.", param="model")
            for sequence in [*self._running(), *self._pending]:
                if sequence.adapter is not None and sequence.adapter.key == key:
                    self._fail(sequence, gone)
            self._pending = deque(s for s in self._pending if not s.done)
            self._compact()
            self.adapters.unload(key)
            done.set_result(None)

        with self._cond:
            self._commands.append(command)
            self._cond.notify()
        return done

    def stop_loop(self) -> None:
        """Stop the loop; running and queued sequences end with an error."""
        with self._cond:
            self._stopping = True
            self._cond.notify()
        if self._thread.is_alive():
            self._thread.join(timeout=30)

    # ----- the engine thread -----

    def _run(self) -> None:
        with torch.inference_mode():
            while True:
                with self._cond:
                    while not (
                        self._stopping or self._pending or self._commands or self._batch is not None
                    ):
                        self._cond.wait()
                    if self._stopping:
                        break
                    commands = list(self._commands)
                    self._commands.clear()
                    room = self.max_batch_size - len(self._running())
                    newcomers = [
                        self._pending.popleft() for _ in range(min(room, len(self._pending)))
                    ]
                    overdue = self._take_overdue()
                try:
                    for sequence in overdue:
                        self._fail(sequence, self._overloaded())
                    for command in commands:
                        command()
                    self._drop_cancelled()
                    if newcomers:
                        self._admit(newcomers)
                    if self._batch is not None:
                        self._decode_step(self._batch)
                except Exception as exc:  # a failed step must not kill the loop
                    logger.exception("engine %s: step failed", self.name)
                    error = ServiceUnavailableError(f"Generation failed: {type(exc).__name__}.")
                    for sequence in [*self._running(), *newcomers]:
                        self._fail(sequence, error)
                    self._batch = None
        shutdown = ServiceUnavailableError("The inference engine is shutting down.")
        for sequence in [*self._running(), *self._pending]:
            self._fail(sequence, shutdown)
        self._batch = None

    def _running(self) -> list[_Sequence]:
        return self._batch.rows if self._batch is not None else []

    def _take_overdue(self) -> list[_Sequence]:
        """Remove the queued sequences that waited past the deadline (caller holds _cond)."""
        if self.queue_timeout is None or not self._pending:
            return []
        limit = time.monotonic() - self.queue_timeout
        if self._pending[0].queued_at > limit:
            return []  # the queue is in arrival order: nobody behind the first is overdue
        overdue = [s for s in self._pending if s.queued_at <= limit]
        self._pending = deque(s for s in self._pending if s.queued_at > limit)
        return overdue

    def _overloaded(self) -> EngineOverloadedError:
        return EngineOverloadedError(
            f"The model {self.name} is busy: no place in the batch within "
            f"{self.queue_timeout:g} s. Please try again shortly."
        )

    def _admit(self, newcomers: list[_Sequence]) -> None:
        ready: list[_Sequence] = []
        for sequence in newcomers:
            if sequence.ticket.cancelled:
                continue
            if sequence.adapter is not None:
                try:
                    sequence.slot = self.adapters.acquire(sequence.adapter)
                except WhetstoneError as exc:
                    self._fail(sequence, exc, release=False)
                    continue
            if sequence.params.grammar is not None:
                try:
                    sequence.row.matcher = self.matchers.new(sequence.params.grammar)
                except ValueError as exc:
                    if sequence.adapter is not None:
                        self.adapters.release(sequence.adapter.key)
                    message = f"The output grammar cannot be used with this model: {exc}"
                    self._fail(sequence, InvalidRequestError(message), release=False)
                    continue
            ready.append(sequence)
        if not ready:
            return
        width = max(len(s.prompt_ids) for s in ready)
        input_ids = torch.full((len(ready), width), self.pad_id, dtype=torch.long)
        mask = torch.zeros((len(ready), width), dtype=torch.long)
        for i, sequence in enumerate(ready):
            length = len(sequence.prompt_ids)
            input_ids[i, width - length :] = torch.tensor(sequence.prompt_ids)
            mask[i, width - length :] = 1
        input_ids, mask = input_ids.to(self.device), mask.to(self.device)
        positions = (mask.cumsum(dim=-1) - 1).clamp(min=0)
        every_position = any(s.params.prompt_logprobs for s in ready)
        logits, cache = self._forward(
            input_ids, mask, positions, None, ready, every_position=every_position
        )
        if every_position:
            self._score_prompts(ready, logits, width)
            logits = logits[:, -1, :]
        # Padded slots of a fresh prefill may hold NaN (a fully masked query row); zero them so
        # that a masked weight of 0 times the value can never turn into NaN later.
        keep = mask[:, None, :, None].to(_filled(_attention_layers(cache)[0])[0].dtype)
        _map_cache(cache, lambda tensor: tensor * keep)
        sampled = sample(logits, [s.row for s in ready], self.matchers)
        self._accept(ready, sampled)
        lengths = torch.tensor([len(s.prompt_ids) for s in ready], device=self.device)
        self._merge(
            RunningBatch(
                rows=ready,
                cache=cache,
                mask=mask,
                positions=lengths,
                next_tokens=torch.tensor(sampled.token_ids, device=self.device),
            )
        )
        self._compact()

    def _score_prompts(self, rows: list[_Sequence], logits: torch.Tensor, width: int) -> None:
        """Each asking row's prompt logprobs from the prefill's logits at every position
        ([rows, width, vocab], rows left-padded to `width`)."""
        for i, sequence in enumerate(rows):
            if not sequence.params.prompt_logprobs:
                continue
            length = len(sequence.prompt_ids)
            start = width - length
            # Position j's token is predicted by the logits at position j - 1.
            predicting = torch.log_softmax(logits[i, start : width - 1, :].float(), dim=-1)
            targets = torch.tensor(sequence.prompt_ids[1:], device=predicting.device)
            scored = predicting.gather(1, targets[:, None]).squeeze(1).tolist()
            sequence.prompt_logprobs = (None, *scored)

    def _decode_step(self, batch: RunningBatch) -> None:
        rows = len(batch.rows)
        self.observer.batch(rows)
        mask = torch.cat(
            [batch.mask, torch.ones((rows, 1), dtype=batch.mask.dtype, device=self.device)], dim=1
        )
        # The model extends `batch.cache` in place.
        logits, _ = self._forward(
            batch.next_tokens[:, None], mask, batch.positions[:, None], batch.cache, batch.rows
        )
        batch.mask = mask
        batch.positions = batch.positions + 1
        sampled = sample(logits, [s.row for s in batch.rows], self.matchers)
        self._accept(batch.rows, sampled)
        batch.next_tokens = torch.tensor(sampled.token_ids, device=self.device)
        self._compact()

    def _forward(
        self,
        input_ids: torch.Tensor,
        mask: torch.Tensor,
        positions: torch.Tensor,
        cache: Cache | None,
        rows: list[_Sequence],
        *,
        every_position: bool = False,
    ) -> tuple[torch.Tensor, Cache]:
        """The logits of each row's last position ([rows, vocab]), or of every position
        ([rows, columns, vocab]) when asked, and the KV cache."""
        if cache is None:
            # A prefill starts a cache of full layers whatever the model's config says: a
            # sliding-window layer of transformers' own cache keeps only the window, which breaks
            # the merging and trimming of columns below. The model still attends within its
            # window: its sliding mask is built from the attention mask over the full columns.
            cache = DynamicCache()
        inputs: dict[str, object] = {
            "input_ids": input_ids,
            "attention_mask": mask,
            "position_ids": positions,
            self._cache_argument: cache,
            "use_cache": True,
            "logits_to_keep": 0 if every_position else 1,
        }
        self.adapters.use([s.slot for s in rows])
        output = self.model(**inputs)
        logits: torch.Tensor = output.logits
        if every_position:
            return logits, _cache_of(output)
        return logits[:, -1, :], _cache_of(output)

    def _accept(self, sequences: list[_Sequence], sampled: Sampled) -> None:
        for sequence, token, logprob in zip(
            sequences, sampled.token_ids, sampled.logprobs, strict=True
        ):
            sequence.row.output_ids.append(token)
            tracker = sequence.tracker
            finish: FinishReason | None = None
            text = ""
            matcher = sequence.row.matcher
            stop_token: TokenLogprob | None = None
            params = sequence.params
            if (token in self.eos_ids and not params.ignore_eos) or token in params.stop_token_ids:
                finish = "stop"
                if logprob is not None:
                    stop_token = TokenLogprob(
                        token=decode(self.tokenizer, [token]), logprob=logprob[0], token_id=token
                    )
            else:
                if logprob is not None:
                    sequence.logprobs.append(self._token_logprob(token, logprob, tracker))
                text += tracker.push(token)
                if tracker.stopped:
                    finish = "stop"
                elif matcher is not None:
                    matcher.consume_token(token)
                    # A complete grammar admits nothing more (the JSON value is closed).
                    if matcher.is_stopped():
                        finish = "stop"
            generated = len(sequence.row.output_ids)
            if finish is None and (
                generated >= sequence.params.max_tokens
                or len(sequence.prompt_ids) + generated >= self.context_length
            ):
                finish = "length"
            if finish is not None:
                sequence.done = True
                text += tracker.finish()
                self._count_generated(sequence)
            if finish is not None:
                upto = tracker.tokens_before_cut()
            else:
                upto = tracker.released_tokens(sequence.reported_tokens)
            tokens = tuple(sequence.logprobs[sequence.reported_tokens : upto])
            sequence.reported_tokens = max(sequence.reported_tokens, upto)
            prompt_logprobs, sequence.prompt_logprobs = sequence.prompt_logprobs, None
            if text or tokens or finish or prompt_logprobs is not None:
                _safe_emit(
                    sequence,
                    SequenceEvent(
                        index=sequence.index,
                        text=text,
                        tokens=tokens,
                        finish_reason=finish,
                        completion_tokens=generated,
                        stop_token=stop_token,
                        prompt_logprobs=prompt_logprobs,
                    ),
                )
            if finish is not None and sequence.adapter is not None:
                self.adapters.release(sequence.adapter.key)

    def _token_logprob(
        self, token: int, logprob: tuple[float, list[tuple[int, float]]], tracker: TextTracker
    ) -> TokenLogprob:
        chosen, alternatives = logprob
        return TokenLogprob(
            token=decode(self.tokenizer, [token]),
            logprob=chosen,
            top=tuple((decode(self.tokenizer, [t]), lp) for t, lp in alternatives),
            offset=len(tracker.text),
            token_id=token,
        )

    def _merge(self, newcomers: RunningBatch) -> None:
        """Add the prefilled `newcomers` to the running batch."""
        batch = self._batch
        if batch is None:
            self._batch = newcomers
            return
        width = max(batch.mask.shape[1], newcomers.mask.shape[1])
        for old, new in zip(
            _attention_layers(batch.cache), _attention_layers(newcomers.cache), strict=True
        ):
            (old_keys, old_values), (new_keys, new_values) = _filled(old), _filled(new)
            old.keys = torch.cat([_pad_left(old_keys, width, 2), _pad_left(new_keys, width, 2)])
            old.values = torch.cat(
                [_pad_left(old_values, width, 2), _pad_left(new_values, width, 2)]
            )
        batch.mask = torch.cat(
            [_pad_left(batch.mask, width, 1), _pad_left(newcomers.mask, width, 1)]
        )
        batch.positions = torch.cat([batch.positions, newcomers.positions])
        batch.next_tokens = torch.cat([batch.next_tokens, newcomers.next_tokens])
        batch.rows.extend(newcomers.rows)

    def _compact(self) -> None:
        """Drop finished rows from the batch and trim columns that are padding everywhere."""
        batch = self._batch
        if batch is None:
            return
        keep = [i for i, s in enumerate(batch.rows) if not s.done]
        if len(keep) < len(batch.rows):
            if not keep:
                self._batch = None
                return
            index = torch.tensor(keep, device=self.device)
            _map_cache(batch.cache, lambda tensor: tensor.index_select(0, index))
            batch.mask = batch.mask.index_select(0, index)
            batch.positions = batch.positions.index_select(0, index)
            batch.next_tokens = batch.next_tokens.index_select(0, index)
            batch.rows = [batch.rows[i] for i in keep]
        if batch.mask.shape[1] > 0:
            lead = int(batch.mask.any(dim=0).long().argmax())
            if lead > 0:
                _map_cache(batch.cache, lambda tensor: tensor[:, :, lead:])
                batch.mask = batch.mask[:, lead:]

    def _drop_cancelled(self) -> None:
        for sequence in self._running():
            if sequence.ticket.cancelled and not sequence.done:
                sequence.done = True
                self._count_generated(sequence)
                if sequence.adapter is not None:
                    self.adapters.release(sequence.adapter.key)
        self._compact()

    def _fail(self, sequence: _Sequence, error: Exception, *, release: bool = True) -> None:
        if sequence.done:
            return
        sequence.done = True
        if release and sequence.adapter is not None and sequence in self._running():
            self.adapters.release(sequence.adapter.key)
        _safe_emit(sequence, SequenceEvent(index=sequence.index, error=error))

    def _count_generated(self, sequence: _Sequence) -> None:
        # Once per sequence, as it leaves the batch: the step loop itself stays uncounted.
        kind = "base" if sequence.adapter is None else "adapter"
        self.observer.generated(kind, len(sequence.row.output_ids))


def _safe_emit(sequence: _Sequence, event: SequenceEvent) -> None:
    try:
        sequence.emit(event)
    except RuntimeError:  # the receiving event loop is closed: nobody is listening any more
        sequence.ticket.cancel()


def _attention_layers(cache: Cache) -> list[CacheLayerMixin]:
    """The layers of `cache`, each holding keys and values (a linear-attention layer does not,
    and the batch cannot merge or trim it)."""
    layers = [layer for layer in cache.layers if isinstance(layer, CacheLayerMixin)]
    if len(layers) < len(cache.layers):
        raise RuntimeError("the model's KV cache has layers that hold no keys and values")
    return layers


def _filled(layer: CacheLayerMixin) -> tuple[torch.Tensor, torch.Tensor]:
    """The keys and values of a cache layer the model has written."""
    if layer.keys is None or layer.values is None:
        raise RuntimeError("the model left a layer of its KV cache empty")
    return layer.keys, layer.values


def _map_cache(cache: Cache, change: Callable[[torch.Tensor], torch.Tensor]) -> None:
    """Replace the keys and the values of every layer of `cache` by `change` of them."""
    for layer in _attention_layers(cache):
        keys, values = _filled(layer)
        layer.keys = change(keys)
        layer.values = change(values)


def _cache_of(output: object) -> Cache:
    # transformers 5 names the returned cache `cache`; earlier versions `past_key_values`.
    cache = getattr(output, "cache", None)
    if cache is None:
        cache = getattr(output, "past_key_values", None)
    if not isinstance(cache, Cache):
        raise TypeError(f"the model returned no KV cache but {type(cache).__name__}")
    return cache


def _pad_left(tensor: torch.Tensor, width: int, dim: int) -> torch.Tensor:
    missing = width - tensor.shape[dim]
    if missing == 0:
        return tensor
    # F.pad lists (left, right) pairs from the last dimension backwards.
    pad = [0, 0] * (tensor.dim() - 1 - dim) + [missing, 0]
    return F.pad(tensor, pad)


def _eos_ids(model: PreTrainedModel, tokenizer: PreTrainedTokenizerBase) -> set[int]:
    ids: set[int] = set()
    if tokenizer.eos_token_id is not None:
        ids.add(int(tokenizer.eos_token_id))
    configured = getattr(getattr(model, "generation_config", None), "eos_token_id", None)
    if isinstance(configured, int):
        ids.add(configured)
    elif isinstance(configured, list):
        ids.update(int(i) for i in configured)
    return ids
