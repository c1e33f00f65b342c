from enum import StrEnum


class FineTuneReinforcementHyperparametersMaxCompletionTokensType0(StrEnum):
    AUTO = "auto"

    def __str__(self) -> str:
        return str(self.value)
