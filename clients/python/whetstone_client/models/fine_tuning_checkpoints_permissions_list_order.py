from enum import StrEnum


class FineTuningCheckpointsPermissionsListOrder(StrEnum):
    ASCENDING = "ascending"
    DESCENDING = "descending"

    def __str__(self) -> str:
        return str(self.value)
