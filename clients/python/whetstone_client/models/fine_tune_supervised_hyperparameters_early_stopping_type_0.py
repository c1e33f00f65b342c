from enum import StrEnum


class FineTuneSupervisedHyperparametersEarlyStoppingType0(StrEnum):
    AUTO = "auto"

    def __str__(self) -> str:
        return str(self.value)
