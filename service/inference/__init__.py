"""Serving: the engine protocol, the engines behind it, and the service the API calls.

`InferenceService` (service.py) routes each request to the engine of its base model through the
`Engine` protocol (engine.py); Whetstone's own batching loop is engines/builtin. Importing this
package does not import torch; an engine's modules load on the first completion.
"""

from __future__ import annotations

from service.inference.engine import Engine, GenerationRequest, SequenceStream
from service.inference.service import Generation, InferenceService
from service.inference.types import AdapterRef, PreparedPrompt, SamplingParams, SequenceEvent

__all__ = [
    "AdapterRef",
    "Engine",
    "Generation",
    "GenerationRequest",
    "InferenceService",
    "PreparedPrompt",
    "SamplingParams",
    "SequenceEvent",
    "SequenceStream",
]
