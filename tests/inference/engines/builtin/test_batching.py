"""The batching loop: mixed-adapter batches, joining mid-flight, stops, cancel, adapter cache."""

from __future__ import annotations

import queue
import threading
from pathlib import Path
from typing import Any

import pytest

from service.core.errors import EngineOverloadedError, ModelNotFoundError
from service.inference.types import LocalAdapter, SamplingParams, SequenceEvent
from tests.inference.conftest import Emulator

GREEDY = SamplingParams(max_tokens=12, temperature=0.0)


class Run:
    """One submitted request whose events are gathered from the engine thread."""

    def __init__(self, engine: Any, prompt: list[int], params: SamplingParams, adapter: Any):
        self.events: queue.Queue[SequenceEvent] = queue.Queue()
        self.first = threading.Event()
        self.ticket = engine.submit([prompt], params, n=1, adapter=adapter, emit=self._emit)

    def _emit(self, event: SequenceEvent) -> None:
        self.events.put(event)
        self.first.set()

    def result(self) -> tuple[str, str | None]:
        """The whole text and finish reason (raises the choice's error)."""
        text = []
        while True:
            event = self.events.get(timeout=60)
            if event.error is not None:
                raise event.error
            text.append(event.text)
            if event.finish_reason is not None:
                return "".join(text), event.finish_reason


def prompt(emulator: Emulator, text: str) -> list[int]:
    """The emulator's token ids for `text`."""
    return emulator.tokenizer(text)["input_ids"]


def local(adapters: dict[str, Path], name: str) -> LocalAdapter:
    """An adapter as the engine receives it."""
    return LocalAdapter(key=f"jobs/{name}/adapter", path=adapters[name])


def test_mixed_batch_gives_each_request_what_it_gets_alone(
    engine: Any, emulator: Emulator, adapters: dict[str, Path]
) -> None:
    requests = [
        (prompt(emulator, "The quick brown fox"), None),
        (prompt(emulator, "Hello! How are you today?"), local(adapters, "a")),
        (prompt(emulator, "What is two plus two?"), local(adapters, "b")),
        (prompt(emulator, "The quick brown fox"), local(adapters, "a")),
    ]
    alone = [Run(engine, ids, GREEDY, adapter).result() for ids, adapter in requests]
    assert len({text for text, _ in alone}) == len(alone)  # adapters really change the output
    # The first request is mid-generation when the others join its batch.
    long_first = SamplingParams(max_tokens=40, temperature=0.0)
    leader = Run(engine, requests[0][0], long_first, None)
    assert leader.first.wait(timeout=60)
    joined = [Run(engine, ids, GREEDY, adapter) for ids, adapter in requests]
    assert [run.result() for run in joined] == alone
    assert leader.result()[0].startswith(alone[0][0])


def test_stop_sequence_ends_the_choice_before_the_stop(engine: Any, emulator: Emulator) -> None:
    ids = prompt(emulator, "The quick brown fox")
    params = SamplingParams(max_tokens=30, temperature=0.0, stop=())
    full, _ = Run(engine, ids, params, None).result()
    stop = full[5:8]
    cut, finish = Run(
        engine, ids, SamplingParams(max_tokens=30, temperature=0.0, stop=(stop,)), None
    ).result()
    assert finish == "stop" and cut == full[: full.index(stop)]


def test_same_seed_same_text_whatever_shares_the_batch(engine: Any, emulator: Emulator) -> None:
    ids = prompt(emulator, "Hello")
    seeded = SamplingParams(max_tokens=15, temperature=1.0, seed=11)
    alone = Run(engine, ids, seeded, None).result()
    noise = [Run(engine, ids, SamplingParams(max_tokens=20), None) for _ in range(3)]
    again = Run(engine, ids, seeded, None).result()
    for run in noise:
        run.result()
    assert again == alone


def test_a_cancelled_request_frees_its_place(emulator: Emulator) -> None:
    from service.inference.engines.builtin.batching import BatchEngine

    single = BatchEngine(
        emulator.model(),
        emulator.tokenizer,
        name="single",
        max_batch_size=1,
        adapter_capacity=1,
        context_length=emulator.entry.context_length,
    )
    single.start_loop()
    try:
        ids = prompt(emulator, "Hello")
        endless = Run(single, ids, SamplingParams(max_tokens=100_000, temperature=0.0), None)
        assert endless.first.wait(timeout=60)
        waiting = Run(single, ids, SamplingParams(max_tokens=3, temperature=0.0), None)
        endless.ticket.cancel()
        assert waiting.result()[1] == "length"
    finally:
        single.stop_loop()


def test_a_request_that_waits_too_long_for_a_place_is_engine_overloaded(
    emulator: Emulator,
) -> None:
    from service.inference.engines.builtin.batching import BatchEngine

    single = BatchEngine(
        emulator.model(),
        emulator.tokenizer,
        name="single",
        max_batch_size=1,
        adapter_capacity=1,
        context_length=emulator.entry.context_length,
        queue_timeout=0.2,
    )
    single.start_loop()
    try:
        ids = prompt(emulator, "Hello")
        endless = Run(single, ids, SamplingParams(max_tokens=100_000, temperature=0.0), None)
        assert endless.first.wait(timeout=60)
        waiting = Run(single, ids, SamplingParams(max_tokens=3, temperature=0.0), None)
        with pytest.raises(EngineOverloadedError) as raised:
            waiting.result()
        assert raised.value.status_code == 503 and raised.value.code == "engine_overloaded"
        endless.ticket.cancel()
        # The engine goes on: once the place is free, the next request is served.
        assert Run(single, ids, GREEDY, None).result()[1] in ("stop", "length")
    finally:
        single.stop_loop()


def test_unloading_a_deleted_adapter_ends_its_sequences(
    engine: Any, emulator: Emulator, adapters: dict[str, Path]
) -> None:
    ids = prompt(emulator, "Hello")
    adapter = local(adapters, "a")
    doomed = Run(engine, ids, SamplingParams(max_tokens=100_000, temperature=0.0), adapter)
    bystander = Run(engine, ids, SamplingParams(max_tokens=50, temperature=0.0), None)
    assert doomed.first.wait(timeout=60)
    engine.unload_adapter(adapter.key).result(timeout=60)
    with pytest.raises(ModelNotFoundError):
        doomed.result()
    assert bystander.result()[1] == "length"
    assert adapter.key not in engine.adapters.loaded_keys()
