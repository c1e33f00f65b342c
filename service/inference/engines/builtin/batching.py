"""The batching loop of one base model: continuous batching across adapters, in its own thread.

Design (why this shape):
- **One thread per base model** owns the model, its KV cache and the loaded adapters; nothing
  else touches them, so there is no locking around torch. The event loop only enqueues work
  (`submit`) and receives events through a callback, so generation never blocks it.
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
  forward pass the engine hands the row -> slot index to the adapter cache, and every layer
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

import inspect
import logging
import threading
import time
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import Any

import torch
import torch.nn.functional as F
from transformers.cache_utils import DynamicCache

from service.core.errors import (
    EngineOverloadedError,
    InvalidRequestError,
    ModelNotFoundError,
    ServiceUnavailableError,
    WhetstoneError,
)
from service.inference.engines.builtin.constrained import Matchers
from service.inference.engines.builtin.lora_layers import LoadedAdapters
from service.inference.engines.builtin.sampling import RowState, Sampled, new_generator, sample
from service.inference.engines.builtin.text import TextTracker
from service.inference.observer import NULL_OBSERVER, InferenceObserver
from service.inference.types import LocalAdapter, SamplingParams, SequenceEvent, TokenLogprob

logger = logging.getLogger("whetstone.inference")

BASE_SLOT = 0  # the adapter slot of rows on the base model: zero LoRA weights


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


class BatchEngine:
    """Generates for every request on one base model, batching them step by step."""

    def __init__(
        self,
        model: Any,
        tokenizer: Any,
        *,
        name: str,
        max_batch_size: int,
        adapter_capacity: int,
        context_length: int,
        queue_timeout: float | None = None,
        observer: InferenceObserver = NULL_OBSERVER,
    ):
        model.eval()
        self.observer = observer
        self.tokenizer = tokenizer
        self.name = name
        self.max_batch_size = max(1, max_batch_size)
        self.context_length = context_length
        # The longest a sequence may wait for a place in the batch (None: forever).
        self.queue_timeout = queue_timeout
        self.model = model
        self.device = next(model.parameters()).device
        self.adapters = LoadedAdapters(model, adapter_capacity, observer=observer)
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
        # The running batch; all four are None/empty together.
        self._rows: list[_Sequence] = []
        self._cache: Any = None
        self._mask: torch.Tensor | None = None  # [rows, cached columns], 1 = real token
        self._positions: torch.Tensor | None = None  # [rows], position id of the next input
        self._next: torch.Tensor | None = None  # [rows], sampled token not yet fed back
        self._thread = threading.Thread(target=self._run, name=f"engine-{name}", daemon=True)
        self._thread.start()

    # ----- called from any thread -----

    def submit(
        self,
        prompts: list[list[int]],
        params: SamplingParams,
        *,
        n: int,
        adapter: LocalAdapter | None,
        emit: Callable[[SequenceEvent], None],
    ) -> Ticket:
        """Queue `n` choices per prompt; events arrive through `emit` from the engine thread."""
        ticket = Ticket()
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
            for sequence in [*self._rows, *self._pending]:
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

    def stop(self) -> None:
        """Stop the loop; running and queued sequences end with an error."""
        with self._cond:
            self._stopping = True
            self._cond.notify()
        self._thread.join(timeout=30)

    # ----- the engine thread -----

    def _run(self) -> None:
        with torch.inference_mode():
            while True:
                with self._cond:
                    while not (self._stopping or self._pending or self._commands or self._rows):
                        self._cond.wait()
                    if self._stopping:
                        break
                    commands = list(self._commands)
                    self._commands.clear()
                    room = self.max_batch_size - len(self._rows)
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
                    if self._rows:
                        self._decode_step()
                except Exception as exc:  # a failed step must not kill the loop
                    logger.exception("engine %s: step failed", self.name)
                    error = ServiceUnavailableError(f"Generation failed: {type(exc).__name__}.")
                    for sequence in [*self._rows, *newcomers]:
                        self._fail(sequence, error)
                    self._reset()
        shutdown = ServiceUnavailableError("The inference engine is shutting down.")
        for sequence in [*self._rows, *self._pending]:
            self._fail(sequence, shutdown)
        self._reset()

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
        output = self._forward(input_ids, mask, positions, None, ready)
        cache = _cache_of(output)
        # Padded slots of a fresh prefill may hold NaN (a fully masked query row); zero them so
        # that a masked weight of 0 times the value can never turn into NaN later.
        keep = mask[:, None, :, None].to(_layer(cache, 0).keys.dtype)
        for layer in cache.layers:
            layer.keys = layer.keys * keep
            layer.values = layer.values * keep
        sampled = sample(output.logits[:, -1, :], [s.row for s in ready], self.matchers)
        self._accept(ready, sampled)
        lengths = torch.tensor([len(s.prompt_ids) for s in ready], device=self.device)
        self._merge(
            cache, mask, lengths, torch.tensor(sampled.token_ids, device=self.device), ready
        )
        self._compact()

    def _decode_step(self) -> None:
        assert self._mask is not None and self._positions is not None and self._next is not None
        rows = len(self._rows)
        self.observer.batch(rows)
        mask = torch.cat(
            [self._mask, torch.ones((rows, 1), dtype=self._mask.dtype, device=self.device)], dim=1
        )
        output = self._forward(
            self._next[:, None], mask, self._positions[:, None], self._cache, self._rows
        )
        self._mask = mask
        self._positions = self._positions + 1
        sampled = sample(output.logits[:, -1, :], [s.row for s in self._rows], self.matchers)
        self._accept(self._rows, sampled)
        self._next = torch.tensor(sampled.token_ids, device=self.device)
        self._compact()

    def _forward(
        self,
        input_ids: torch.Tensor,
        mask: torch.Tensor,
        positions: torch.Tensor,
        cache: Any,
        rows: list[_Sequence],
    ) -> Any:
        if cache is None:
            # A prefill starts a cache of full layers whatever the model's config says: a
            # sliding-window layer of transformers' own cache keeps only the window, which breaks
            # the merging and trimming of columns below. The model still attends within its
            # window: its sliding mask is built from the attention mask over the full columns.
            cache = DynamicCache()
        kwargs: dict[str, Any] = {
            "input_ids": input_ids,
            "attention_mask": mask,
            "position_ids": positions,
            self._cache_argument: cache,
            "use_cache": True,
            "logits_to_keep": 1,
        }
        self.adapters.use([s.slot for s in rows])
        return self.model(**kwargs)

    def _accept(self, sequences: list[_Sequence], sampled: Sampled) -> None:
        for sequence, token, logprob in zip(
            sequences, sampled.token_ids, sampled.logprobs, strict=True
        ):
            sequence.row.output_ids.append(token)
            tracker = sequence.tracker
            finish = None
            text = ""
            matcher = sequence.row.matcher
            if token in self.eos_ids:
                finish = "stop"
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
            if text or tokens or finish:
                _safe_emit(
                    sequence,
                    SequenceEvent(
                        index=sequence.index,
                        text=text,
                        tokens=tokens,
                        finish_reason=finish,
                        completion_tokens=generated,
                    ),
                )
            if finish is not None and sequence.adapter is not None:
                self.adapters.release(sequence.adapter.key)

    def _token_logprob(
        self, token: int, logprob: tuple[float, list[tuple[int, float]]], tracker: TextTracker
    ) -> TokenLogprob:
        chosen, alternatives = logprob
        return TokenLogprob(
            token=self.tokenizer.decode([token]),
            logprob=chosen,
            top=tuple((self.tokenizer.decode([t]), lp) for t, lp in alternatives),
            offset=len(tracker.text),
        )

    def _merge(
        self,
        cache: Any,
        mask: torch.Tensor,
        positions: torch.Tensor,
        next_tokens: torch.Tensor,
        sequences: list[_Sequence],
    ) -> None:
        if not self._rows:
            self._rows, self._cache, self._mask = list(sequences), cache, mask
            self._positions, self._next = positions, next_tokens
            return
        assert self._mask is not None and self._positions is not None and self._next is not None
        width = max(self._mask.shape[1], mask.shape[1])
        for old, new in zip(self._cache.layers, cache.layers, strict=True):
            old.keys = torch.cat([_pad_left(old.keys, width, 2), _pad_left(new.keys, width, 2)])
            old.values = torch.cat(
                [_pad_left(old.values, width, 2), _pad_left(new.values, width, 2)]
            )
        self._mask = torch.cat([_pad_left(self._mask, width, 1), _pad_left(mask, width, 1)])
        self._positions = torch.cat([self._positions, positions])
        self._next = torch.cat([self._next, next_tokens])
        self._rows.extend(sequences)

    def _compact(self) -> None:
        """Drop finished rows from the batch and trim columns that are padding everywhere."""
        keep = [i for i, s in enumerate(self._rows) if not s.done]
        if len(keep) < len(self._rows):
            if not keep:
                self._reset()
                return
            index = torch.tensor(keep, device=self.device)
            for layer in self._cache.layers:
                layer.keys = layer.keys.index_select(0, index)
                layer.values = layer.values.index_select(0, index)
            assert self._mask is not None and self._positions is not None
            assert self._next is not None
            self._mask = self._mask.index_select(0, index)
            self._positions = self._positions.index_select(0, index)
            self._next = self._next.index_select(0, index)
            self._rows = [self._rows[i] for i in keep]
        if self._mask is not None and self._mask.shape[1] > 0:
            lead = int(self._mask.any(dim=0).long().argmax())
            if lead > 0:
                for layer in self._cache.layers:
                    layer.keys = layer.keys[:, :, lead:]
                    layer.values = layer.values[:, :, lead:]
                self._mask = self._mask[:, lead:]

    def _drop_cancelled(self) -> None:
        for sequence in self._rows:
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
        if release and sequence.adapter is not None and sequence in self._rows:
            self.adapters.release(sequence.adapter.key)
        _safe_emit(sequence, SequenceEvent(index=sequence.index, error=error))

    def _count_generated(self, sequence: _Sequence) -> None:
        # Once per sequence, as it leaves the batch: the step loop itself stays uncounted.
        kind = "base" if sequence.adapter is None else "adapter"
        self.observer.generated(kind, len(sequence.row.output_ids))

    def _reset(self) -> None:
        self._rows, self._cache = [], None
        self._mask = self._positions = self._next = None


def _safe_emit(sequence: _Sequence, event: SequenceEvent) -> None:
    try:
        sequence.emit(event)
    except RuntimeError:  # the receiving event loop is closed: nobody is listening any more
        sequence.ticket.cancel()


def _layer(cache: Any, index: int) -> Any:
    return cache.layers[index]


def _cache_of(output: Any) -> Any:
    cache = getattr(output, "cache", None)
    return cache if cache is not None else output.past_key_values


def _pad_left(tensor: torch.Tensor, width: int, dim: int) -> torch.Tensor:
    missing = width - tensor.shape[dim]
    if missing == 0:
        return tensor
    # F.pad lists (left, right) pairs from the last dimension backwards.
    pad = [0, 0] * (tensor.dim() - 1 - dim) + [missing, 0]
    return F.pad(tensor, pad)


def _eos_ids(model: Any, tokenizer: Any) -> set[int]:
    ids: set[int] = set()
    if tokenizer.eos_token_id is not None:
        ids.add(int(tokenizer.eos_token_id))
    configured = getattr(getattr(model, "generation_config", None), "eos_token_id", None)
    if isinstance(configured, int):
        ids.add(configured)
    elif isinstance(configured, list):
        ids.update(int(i) for i in configured)
    return ids
