from enum import StrEnum


class FineTuneReinforcementHyperparametersNumGenerationsType0(StrEnum):
    AUTO = "auto"

    def __str__(self) -> str:
        return str(self.value)
