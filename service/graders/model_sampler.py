"""What score_model and label_model graders need from a model, as a narrow interface.

The API samples grader models through its own chat completions (`ModelSamplers`, implemented
in service/completions/sampler.py and wired by the Container: graders import no serving code);
a reinforcement fine-tuning worker can pass any other ModelSampler (its own engine, a remote
server) to the same grading functions.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, Protocol

from service.core.auth import Principal


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


class ModelSamplers(Protocol):
    """The models the API serves its callers, as the graders API needs them."""

    def for_caller(self, principal: Principal) -> ModelSampler:
        """A sampler answering as `principal` (its own `ft:` models included)."""
        ...

    async def check_access(self, principal: Principal, model: str) -> None:
        """ModelNotFoundError when `principal` cannot use `model`."""
        ...
