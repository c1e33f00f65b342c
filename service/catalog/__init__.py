"""Base models: the built-in emulator model, OpenAI aliases, and the models file."""

from service.catalog.catalog import (
    BEDROCK_ALIASES,
    OPENAI_ALIASES,
    REASONING_ALIASES,
    VERTEX_ALIASES,
    BaseModelEntry,
    Catalog,
    LoraDefaults,
    is_reasoning_model,
)
from service.catalog.emulator import EMULATOR_NAME

__all__ = [
    "BEDROCK_ALIASES",
    "EMULATOR_NAME",
    "OPENAI_ALIASES",
    "REASONING_ALIASES",
    "VERTEX_ALIASES",
    "BaseModelEntry",
    "Catalog",
    "LoraDefaults",
    "is_reasoning_model",
]
