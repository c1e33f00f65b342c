"""The emulator model built once per session, a recording reporter, and training files."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import torch

from service.catalog import EMULATOR_NAME, BaseModelEntry, Catalog
from service.training.contract import Control

SENTENCE = "The whetstone sharpens every blade."
PROMPTS = [
    "What do you do?",
    "Tell me a fact.",
    "Hello!",
    "What is two plus two?",
    "Describe the sea.",
    "Who are you?",
    "Say something.",
    "What time is it?",
    "Give me advice.",
    "Why is the sky blue?",
    "Write a poem.",
    "Translate hello into French.",
    "What is the capital of France?",
    "How are you today?",
    "Summarize this paragraph.",
    "What is Python?",
    "Name a color.",
    "Count to three.",
    "Good morning!",
    "Thanks a lot.",
]


@pytest.fixture(scope="session", autouse=True)
def _one_torch_thread() -> None:
    # On a shared 2-core machine OpenMP threads spin against each other; one is fastest.
    torch.set_num_threads(1)


@dataclass(frozen=True)
class Emulator:
    """The built emulator: its catalog entry and local directory."""

    entry: BaseModelEntry
    model_dir: Path


@pytest.fixture(scope="session")
def emulator(tmp_path_factory: pytest.TempPathFactory) -> Emulator:
    """whetstone-tiny, built once per test session (about 3 s)."""
    catalog = Catalog.load(data_dir=tmp_path_factory.mktemp("data"), models_file=None)
    entry = catalog.resolve(EMULATOR_NAME)
    return Emulator(entry=entry, model_dir=catalog.local_path(entry))


def write_chat_file(path: Path, prompts: list[str], reply: str = SENTENCE) -> Path:
    """A chat training file: one example per prompt, all answered with `reply`."""
    lines = [
        json.dumps(
            {"messages": [{"role": "user", "content": p}, {"role": "assistant", "content": reply}]}
        )
        for p in prompts
    ]
    path.write_text("\n".join(lines) + "\n")
    return path


class RecordingReporter:
    """A TrainingReporter that records every call; `controls` maps a step to its answer."""

    def __init__(self, controls: dict[int, Control] | None = None):
        self.controls = dict(controls or {})
        self.events: list[tuple[str, str]] = []
        self.started_calls: list[dict[str, Any]] = []
        self.steps: list[dict[str, Any]] = []
        self.checkpoints: list[dict[str, Any]] = []
        self.polls = 0

    def event(self, message: str, *, level: str = "info") -> None:
        self.events.append((level, message))

    def started(self, **kwargs: Any) -> None:
        self.started_calls.append(kwargs)

    def metrics(self, data: dict[str, Any]) -> None:
        self.steps.append(dict(data))

    def checkpoint(self, **kwargs: Any) -> None:
        self.checkpoints.append(kwargs)

    def control(self) -> Control:
        self.polls += 1
        step = self.steps[-1]["step"] if self.steps else 0
        return self.controls.pop(step, "continue")
