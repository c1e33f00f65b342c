"""The engine protocol: what `InferenceService` asks of the engine that serves a base model.

An engine owns one base model and generates for it: prompt token ids and `SamplingParams` in,
a stream of `SequenceEvent`s out (text, tokens with their logprobs, the finish reason). Whatever
runs behind it (Whetstone's own batching loop in engines/builtin, or a vLLM server), the service
and everything above it (completions, responses, evals, graders) see only this protocol.
Imports no torch.

The contract every engine keeps:
- `start` before anything else; `stop` ends every running and queued choice with a
  ServiceUnavailableError (503) and frees the model.
- `generate` returns once the request is queued. Its stream yields each choice's events in
  order and ends after the last choice's final event (`finish_reason` set); a choice that
  cannot go on raises its error (a WhetstoneError) from the stream. `cancel`, or leaving the
  stream, ends every choice at the engine's next step.
- An adapter is named by its storage key (`AdapterRef`). `generate` loads the request's adapter
  when it is not loaded yet; `load_adapter` does so ahead of a request. `forget_adapter` ends
  the choices that use the adapter with a ModelNotFoundError and unloads it.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Protocol

from service.inference.types import AdapterRef, SamplingParams, SequenceEvent


@dataclass(frozen=True)
class GenerationRequest:
    """One request: `n` choices for each prompt, on the base model or through one adapter.

    Choice `c` of prompt `p` has index `p * n + c` in the events.
    """

    prompts: tuple[tuple[int, ...], ...]
    params: SamplingParams
    n: int = 1
    adapter: AdapterRef | None = None

    @property
    def choices(self) -> int:
        """How many choices the request generates."""
        return len(self.prompts) * self.n


class SequenceStream(Protocol):
    """The events of one request's choices as the engine produces them; iterate once."""

    def __aiter__(self) -> AsyncIterator[SequenceEvent]:
        """Every event until each choice has finished; raises the first choice's error."""
        ...

    def cancel(self) -> None:
        """Stop generating for every choice (the client went away)."""
        ...


class Engine(Protocol):
    """Generates for every request on one base model."""

    async def start(self) -> None:
        """Be ready to generate."""
        ...

    async def stop(self) -> None:
        """End every choice with a 503 and free the model."""
        ...

    async def generate(self, request: GenerationRequest) -> SequenceStream:
        """Queue `request`; its events arrive through the returned stream."""
        ...

    async def load_adapter(self, adapter: AdapterRef) -> None:
        """Make `adapter` ready to serve, ahead of a request that names it."""
        ...

    async def forget_adapter(self, key: str) -> None:
        """End the choices that use adapter `key` (its model was deleted) and unload it."""
        ...
