from enum import StrEnum


class FineTuneReinforcementHyperparametersLoraRankType0(StrEnum):
    AUTO = "auto"

    def __str__(self) -> str:
        return str(self.value)
