from enum import StrEnum


class FineTuneReinforcementHyperparametersReasoningEffort(StrEnum):
    DEFAULT = "default"
    HIGH = "high"
    LOW = "low"
    MEDIUM = "medium"

    def __str__(self) -> str:
        return str(self.value)
