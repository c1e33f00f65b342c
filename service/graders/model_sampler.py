"""What score_model and label_model graders need from a model, as a narrow interface.

The API samples grader models through its own chat completions (service/graders/operations.py);
a reinforcement fine-tuning worker can pass any other ModelSampler (its own engine, a remote
server) to the same grading functions.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, Protocol


@dataclass(frozen=True)
class ChatRequest:
    """Generate one reply to `messages` (role and text content each) with `model`."""

    model: str
    messages: list[dict[str, str]]
    max_tokens: int
    temperature: float = 0.0
    top_p: float = 1.0
    seed: int | None = None


@dataclass(frozen=True)
class ChatReply:
    """The reply and the tokens it took."""

    text: str
    prompt_tokens: int
    completion_tokens: int
    finish_reason: Literal["stop", "length", "tool_calls"] = "stop"


class ModelSamplingError(Exception):
    """The model could not answer (unknown model, prompt too long, engine overloaded)."""


class ModelSampler(Protocol):
    """Generates a reply for these messages with model X."""

    async def chat(self, request: ChatRequest) -> ChatReply:
        """One reply; ModelSamplingError when the model cannot answer."""
        ...
