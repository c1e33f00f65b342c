"""The Engine protocol, as the builtin engine serves it: requests in, each choice's events out."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from service.core.errors import ServiceUnavailableError
from service.inference.adapter_files import AdapterFiles
from service.inference.engine import Engine, GenerationRequest, SequenceStream
from service.inference.types import AdapterRef, SamplingParams, SequenceEvent
from service.storage import upload_directory
from service.storage.local import LocalStore
from tests.inference.conftest import Emulator

GREEDY = SamplingParams(max_tokens=8, temperature=0.0)


def builtin_engine(emulator: Emulator, files: AdapterFiles, *, max_batch_size: int) -> Engine:
    """The builtin engine on the emulator, seen through the protocol only."""
    from service.inference.engines.builtin.batching import BatchEngine

    return BatchEngine(
        emulator.model(),
        emulator.tokenizer,
        name="protocol",
        max_batch_size=max_batch_size,
        adapter_capacity=2,
        context_length=emulator.entry.context_length,
        adapter_files=files,
    )


async def texts(stream: SequenceStream) -> dict[int, tuple[str, str | None]]:
    """Each choice's whole text and finish reason."""
    events: dict[int, list[SequenceEvent]] = {}
    async for event in stream:
        events.setdefault(event.index, []).append(event)
    return {
        index: ("".join(e.text for e in choice), choice[-1].finish_reason)
        for index, choice in events.items()
    }


def test_requests_go_in_and_every_choice_comes_out(
    emulator: Emulator, adapters: dict[str, Path], tmp_path: Path
) -> None:
    store = LocalStore(tmp_path / "store")
    upload_directory(store, "jobs/a/adapter", adapters["a"])
    engine = builtin_engine(emulator, AdapterFiles(store, tmp_path / "cache"), max_batch_size=8)
    prompts = tuple(
        tuple(emulator.tokenizer(text)["input_ids"]) for text in ("Hello", "The quick brown fox")
    )
    adapter = AdapterRef(key="jobs/a/adapter")

    async def scenario() -> None:
        await engine.start()
        try:
            base = GenerationRequest(prompts=prompts, params=GREEDY, n=2)
            assert base.choices == 4
            on_base = await texts(await engine.generate(base))
            # Choice c of prompt p is p * n + c; greedy choices of one prompt agree.
            assert sorted(on_base) == [0, 1, 2, 3]
            assert on_base[0] == on_base[1] and on_base[2] == on_base[3]
            assert all(finish in ("stop", "length") for _, finish in on_base.values())
            await engine.load_adapter(adapter)
            tuned = GenerationRequest(prompts=prompts[:1], params=GREEDY, adapter=adapter)
            on_adapter = await texts(await engine.generate(tuned))
            assert on_adapter[0] != on_base[0]  # the adapter is really served
            await engine.forget_adapter(adapter.key)
        finally:
            await engine.stop()
        with pytest.raises(ServiceUnavailableError):
            await engine.generate(base)

    asyncio.run(scenario())


def test_a_cancelled_stream_frees_its_place(emulator: Emulator, tmp_path: Path) -> None:
    files = AdapterFiles(LocalStore(tmp_path / "store"), tmp_path / "cache")
    engine = builtin_engine(emulator, files, max_batch_size=1)
    prompt = (tuple(emulator.tokenizer("Hello")["input_ids"]),)

    async def scenario() -> None:
        await engine.start()
        try:
            endless = await engine.generate(
                GenerationRequest(
                    prompts=prompt, params=SamplingParams(max_tokens=100_000, temperature=0.0)
                )
            )
            await anext(aiter(endless))  # it holds the only place in the batch
            waiting = await engine.generate(GenerationRequest(prompts=prompt, params=GREEDY))
            endless.cancel()
            assert (await texts(waiting))[0][1] in ("stop", "length")
        finally:
            await engine.stop()

    asyncio.run(scenario())
