"""The base of every JSON request body: strict types, with JSON numbers read as JSON Schema
(and so the OpenAPI document) reads them."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, model_validator


def whole_numbers_as_ints(value: Any) -> Any:
    """`value` with every float that is a whole number (`2.0`) turned into an int, at any depth.

    Lists and dicts are converted in place: the value is json.loads' fresh output for one
    request. A loop rather than recursion, since JSON may nest as deep as the parser allows.
    """
    if isinstance(value, float):
        return int(value) if value.is_integer() else value
    stack = [value]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            entries: Any = node.items()
        elif isinstance(node, list):
            entries = enumerate(node)
        else:
            continue
        for key, item in list(entries):
            if isinstance(item, float) and item.is_integer():
                node[key] = int(item)
            elif isinstance(item, dict | list):
                stack.append(item)
    return value


class JsonBody(BaseModel):
    """A JSON request body, validated strictly as OpenAI validates: `true` is no integer and
    `1` no string. JSON has one number type, so `1` stays a valid number (`temperature: 1`)
    and `2.0` a valid integer (`n: 2.0`), as JSON Schema reads them; json.loads alone would
    make `2.0` a float that a strict integer refuses. Nested models set `strict=True` too."""

    model_config = ConfigDict(strict=True)

    @model_validator(mode="before")
    @classmethod
    def _whole_numbers_as_ints(cls, data: Any) -> Any:
        return whole_numbers_as_ints(data)
