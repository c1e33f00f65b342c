from enum import StrEnum


class ChatCompletionChunkChoiceFinishReasonType0(StrEnum):
    LENGTH = "length"
    STOP = "stop"

    def __str__(self) -> str:
        return str(self.value)
