"""Helpers of the graders tests: grader builders, a scripted grader model, small limits."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from functools import cache
from typing import Any

import pytest

from service.graders.model_sampler import ChatReply, ChatRequest
from service.graders.sandbox import PythonSandbox, SandboxConfig

# Small limits keep the hostile cases fast: a runaway grader costs about two seconds.
TEST_LIMITS = SandboxConfig(timeout_seconds=1.0, memory_bytes=256 * 1024 * 1024)


@cache
def missing_kernel_isolation() -> str | None:
    """Why the strict sandbox refuses to run graders on this machine, or None when it runs."""
    sample = {"output_text": "Paris", "output_json": None, "output_tools": []}
    source = "def grade(sample, item):\n    return 1.0\n"
    outcome = asyncio.run(PythonSandbox(TEST_LIMITS).run(source, sample, {}))
    return outcome.details if outcome.error == "server" else None


# For tests that execute a python grader: the strict sandbox runs nothing where the kernel
# withholds user namespaces, Landlock or seccomp (a container's default seccomp profile).
needs_sandbox = pytest.mark.skipif(
    missing_kernel_isolation() is not None,
    reason=f"no kernel isolation for python graders here: {missing_kernel_isolation()}",
)


@dataclass
class ScriptedSampler:
    """A ModelSampler that answers `reply` (or raises `error`) and records each request."""

    reply: str = "0.5"
    finish_reason: str = "stop"
    error: Exception | None = None
    requests: list[ChatRequest] = field(default_factory=list)

    async def chat(self, request: ChatRequest) -> ChatReply:
        """The scripted reply, with 7 prompt tokens and 3 completion tokens."""
        self.requests.append(request)
        if self.error is not None:
            raise self.error
        return ChatReply(self.reply, 7, 3, self.finish_reason)  # type: ignore[arg-type]


def string_check(operation: str = "eq", **fields: Any) -> dict[str, Any]:
    """A string_check grader comparing the sample with item.label."""
    return {
        "type": "string_check",
        "name": "exact",
        "input": "{{sample.output_text}}",
        "reference": "{{item.label}}",
        "operation": operation,
        **fields,
    }


def score_model(**fields: Any) -> dict[str, Any]:
    """A score_model grader on the emulator's alias."""
    return {
        "type": "score_model",
        "name": "judge",
        "model": "gpt-4o-mini-2024-07-18",
        "input": [
            {"role": "system", "content": "Score from 0 to 1."},
            {
                "role": "user",
                "content": [
                    {"type": "input_text", "text": "Reference: {{item.label}}. "},
                    {"type": "output_text", "text": "Answer: {{sample.output_text}}"},
                ],
            },
        ],
        **fields,
    }


def label_model(**fields: Any) -> dict[str, Any]:
    """A label_model grader with three labels, one passing."""
    return {
        "type": "label_model",
        "name": "sentiment",
        "model": "gpt-4o-mini-2024-07-18",
        "input": [{"role": "user", "content": "Classify: {{sample.output_text}}"}],
        "labels": ["positive", "neutral", "negative"],
        "passing_labels": ["positive"],
        **fields,
    }


def multi(calculate_output: str, **graders: dict[str, Any]) -> dict[str, Any]:
    """A multi grader over named graders."""
    return {
        "type": "multi",
        "name": "combined",
        "graders": graders,
        "calculate_output": calculate_output,
    }


# The RFT cookbook's model grader ("Exploring Model Graders for Reinforcement Fine-Tuning"),
# as its notebook sends it raw: a pass_threshold on a score_model grader, which OpenAI's
# description gives to eval criteria only; its grader model is an alias of the emulator.
RFT_COOKBOOK_MODEL_GRADER: dict[str, Any] = {
    "type": "score_model",
    "name": "gpt41_score_model_2",
    "input": [
        {"role": "system", "content": "You are an expert medical grader. Return a score 0-1."},
        {
            "role": "user",
            "content": "Reference Answer: {{item.reference_answer}}. "
            "Model's Answer: {{sample.output_text}}",
        },
    ],
    "pass_threshold": 0.75,
    "model": "gpt-4.1-2025-04-14",
    "range": [0, 1],
    "sampling_params": {"seed": 42, "temperature": 0},
}
# The same notebook's multi grader: named sub-graders, no name of its own.
RFT_COOKBOOK_MULTI_GRADER: dict[str, Any] = {
    "type": "multi",
    "graders": {
        "clinical_phrase": {
            "type": "string_check",
            "name": "clinical_phrase_grader",
            "input": "{{sample.output_text}}",
            "reference": "{{item.reference_answer}}",
            "operation": "ilike",
        },
        "judge": RFT_COOKBOOK_MODEL_GRADER,
    },
    "calculate_output": "0.85 * clinical_phrase + 0.15 * judge",
}
