"""The inference engine: model and adapter cache, batching loop, sampling, chat templates.

Importing this package does not import torch; the engine modules load on the first completion.
"""

from __future__ import annotations

from service.inference.service import Generation, InferenceService
from service.inference.types import AdapterRef, PreparedPrompt, SamplingParams, SequenceEvent

__all__ = [
    "AdapterRef",
    "Generation",
    "InferenceService",
    "PreparedPrompt",
    "SamplingParams",
    "SequenceEvent",
]
