"""Helpers of the evals tests: OpenAI's schema check with the listed deviations."""

from __future__ import annotations

from typing import Any

from tests.contract import deviations
from tests.contract.openai_schema import response_schema_pointer, schema_errors


def validate_eval_object(path_template: str, method: str, body: Any, status: int = 200) -> None:
    """Fail unless `body` matches OpenAI's schema of the operation, but for the
    differences tests/contract/deviations.py lists."""
    operation = f"{method.upper()} {path_template}"
    problems = []
    for error in schema_errors(response_schema_pointer(path_template, method, status), body):
        where = "/" + "/".join(str(part) for part in error.absolute_path)
        if deviations.allowed(operation, where, error.instance) is None:
            problems.append(f"{operation} at {where}: {error.message}")
    assert not problems, "\n".join(problems)
