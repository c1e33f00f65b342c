from enum import StrEnum


class FineTuneDPOHyperparametersLoraDropoutType0(StrEnum):
    AUTO = "auto"

    def __str__(self) -> str:
        return str(self.value)
