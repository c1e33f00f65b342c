from enum import StrEnum


class FineTuneMethodType(StrEnum):
    DPO = "dpo"
    REINFORCEMENT = "reinforcement"
    SUPERVISED = "supervised"

    def __str__(self) -> str:
        return str(self.value)
