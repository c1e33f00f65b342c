"""The error a training or validation file fails with, shaped like OpenAI's job `error` object."""

from __future__ import annotations

from typing import Literal

DatasetErrorCode = Literal["invalid_training_file", "invalid_validation_file", "invalid_n_examples"]
DatasetParam = Literal["training_file", "validation_file"]


class DatasetError(Exception):
    """A file that cannot be trained on; `line` is the 1-based line at fault, if any.

    This is not a WhetstoneError: it never answers an HTTP request. The job is created with 200
    and moves to `failed` later, with this code, message and param as its `error`.
    """

    def __init__(
        self,
        message: str,
        *,
        code: DatasetErrorCode,
        param: DatasetParam,
        line: int | None = None,
    ):
        super().__init__(message)
        self.message = message
        self.code = code
        self.param = param
        self.line = line


def error_code(param: DatasetParam) -> DatasetErrorCode:
    """OpenAI's code for a bad training or validation file."""
    return "invalid_training_file" if param == "training_file" else "invalid_validation_file"


def missing_file(param: DatasetParam, file_id: str) -> DatasetError:
    """The error of a job whose file was deleted before validation or training could read it."""
    kind = "training" if param == "training_file" else "validation"
    return DatasetError(
        f"The {kind} file {file_id} was deleted before the job could read it.",
        code=error_code(param),
        param=param,
    )
