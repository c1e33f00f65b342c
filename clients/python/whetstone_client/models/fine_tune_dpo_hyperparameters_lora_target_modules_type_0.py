from enum import StrEnum


class FineTuneDPOHyperparametersLoraTargetModulesType0(StrEnum):
    ALL_LINEAR = "all-linear"
    AUTO = "auto"

    def __str__(self) -> str:
        return str(self.value)
