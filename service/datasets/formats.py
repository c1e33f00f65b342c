"""Which line format each fine-tuning method trains on, and validating a file in it."""

from __future__ import annotations

from collections.abc import Iterable

from service.datasets.chat import ChatReport, validate_chat_file
from service.datasets.errors import DatasetParam
from service.datasets.preference import PreferenceReport, validate_preference_file
from service.datasets.reinforcement import ReinforcementReport, validate_reinforcement_file

FileReport = ChatReport | PreferenceReport | ReinforcementReport


def validate_file(
    chunks: Iterable[bytes],
    *,
    method: str,
    param: DatasetParam = "training_file",
    min_examples: int = 10,
) -> FileReport:
    """Check every line of a file in the format of the job's `method` (supervised, dpo or
    reinforcement); DatasetError at the first fault. Each format refuses the others' lines by
    name."""
    if method == "dpo":
        return validate_preference_file(chunks, param=param, min_examples=min_examples)
    if method == "reinforcement":
        return validate_reinforcement_file(chunks, param=param, min_examples=min_examples)
    return validate_chat_file(chunks, param=param, min_examples=min_examples)
