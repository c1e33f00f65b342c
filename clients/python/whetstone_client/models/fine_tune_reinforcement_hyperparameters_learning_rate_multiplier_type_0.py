from enum import StrEnum


class FineTuneReinforcementHyperparametersLearningRateMultiplierType0(StrEnum):
    AUTO = "auto"

    def __str__(self) -> str:
        return str(self.value)
