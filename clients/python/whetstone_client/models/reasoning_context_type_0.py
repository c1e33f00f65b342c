from enum import StrEnum


class ReasoningContextType0(StrEnum):
    ALL_TURNS = "all_turns"
    AUTO = "auto"
    CURRENT_TURN = "current_turn"

    def __str__(self) -> str:
        return str(self.value)
