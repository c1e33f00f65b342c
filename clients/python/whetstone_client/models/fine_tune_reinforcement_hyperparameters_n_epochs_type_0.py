from enum import StrEnum


class FineTuneReinforcementHyperparametersNEpochsType0(StrEnum):
    AUTO = "auto"

    def __str__(self) -> str:
        return str(self.value)
