from enum import StrEnum


class FineTuneSupervisedHyperparametersLoraRankType0(StrEnum):
    AUTO = "auto"

    def __str__(self) -> str:
        return str(self.value)
