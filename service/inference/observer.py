"""What the engine tells its observer (service/observability's Metrics in a server).

A protocol, so that the engine never imports a metrics library, and a no-op default for
engines built without one (tests, benches). Every call is made at most once per decode step
or per sequence, never per token of a row.
"""

from __future__ import annotations

from typing import Protocol


class InferenceObserver(Protocol):
    """Receives the engine's counts; called from the engine thread and the event loop."""

    def generated(self, kind: str, tokens: int) -> None:
        """`tokens` more were generated on a base model (`base`) or an adapter (`adapter`)."""

    def first_token(self, seconds: float) -> None:
        """A completion produced its first output `seconds` after it was handed over."""

    def batch(self, rows: int) -> None:
        """One decode step ran with `rows` rows."""

    def adapter_event(self, event: str) -> None:
        """The adapter cache had a `hit`, `miss`, `load` or `evict`."""


class NullObserver:
    """An observer that keeps nothing."""

    def generated(self, kind: str, tokens: int) -> None:
        """Ignored."""

    def first_token(self, seconds: float) -> None:
        """Ignored."""

    def batch(self, rows: int) -> None:
        """Ignored."""

    def adapter_event(self, event: str) -> None:
        """Ignored."""


NULL_OBSERVER = NullObserver()
