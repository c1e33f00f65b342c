from enum import StrEnum


class EvalRunOutputItemStatus(StrEnum):
    ERROR = "error"
    FAIL = "fail"
    PASS = "pass"

    def __str__(self) -> str:
        return str(self.value)
