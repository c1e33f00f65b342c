"""Which line format each fine-tuning method trains on, and validating a file in it."""

from __future__ import annotations

from collections.abc import Iterable

from service.datasets import bedrock
from service.datasets.chat import ChatReport, validate_chat_file
from service.datasets.errors import DatasetParam
from service.datasets.preference import PreferenceReport, validate_preference_file
from service.datasets.reinforcement import ReinforcementReport, validate_reinforcement_file

FileReport = ChatReport | PreferenceReport | ReinforcementReport

# The key, among a job's method settings, naming the cloud format its files are in (absent:
# OpenAI's). Its value is `bedrock:<customizationType>`.
DATA_FORMAT_KEY = "data_format"
BEDROCK_FORMAT_PREFIX = "bedrock:"


def openai_lines(
    chunks: Iterable[bytes], *, data_format: str | None, param: DatasetParam = "training_file"
) -> Iterable[bytes]:
    """A file's bytes as OpenAI lines: as they are, or translated from a cloud's format
    (DatasetError naming the line the cloud's format refuses)."""
    if data_format is None:
        return chunks
    if data_format.startswith(BEDROCK_FORMAT_PREFIX):
        customization = data_format.removeprefix(BEDROCK_FORMAT_PREFIX)
        if customization in bedrock.CUSTOMIZATIONS:
            return bedrock.to_openai_chunks(chunks, customization=customization, param=param)
    raise ValueError(f"unknown data format {data_format!r}")


def validate_file(
    chunks: Iterable[bytes],
    *,
    method: str,
    param: DatasetParam = "training_file",
    min_examples: int = 10,
    data_format: str | None = None,
) -> FileReport:
    """Check every line of a file in the format of the job's `method` (supervised, dpo or
    reinforcement); DatasetError at the first fault. Each format refuses the others' lines by
    name. A cloud's `data_format` is translated line for line first."""
    chunks = openai_lines(chunks, data_format=data_format, param=param)
    if method == "dpo":
        return validate_preference_file(chunks, param=param, min_examples=min_examples)
    if method == "reinforcement":
        return validate_reinforcement_file(chunks, param=param, min_examples=min_examples)
    return validate_chat_file(chunks, param=param, min_examples=min_examples)
