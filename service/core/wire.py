"""JSON on the wire: the types of JSON documents, and the base of every JSON request body
(strict types, with JSON numbers read as JSON Schema, and so the OpenAPI document, reads them)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Annotated, Any, TypeAlias

from pydantic import BaseModel, ConfigDict, GetPydanticSchema, JsonValue, model_validator

# What json.loads returns and json.dumps takes. Read a document through isinstance checks, or
# validate it into a pydantic model when its shape is known.
# pydantic's own alias: pydantic resolves its recursion from any module, and code that reads
# pydantic.JsonValue and code that reads ours see one type.
JSONValue: TypeAlias = JsonValue
JSONObject: TypeAlias = dict[str, JSONValue]
JSONArray: TypeAlias = list[JSONValue]

# A JSON object as a wire model's field: a JSONObject to the type checker, while pydantic
# validates it (any object) and publishes it (`{"type": "object"}`) as it does dict[str, Any],
# so the OpenAPI document and strict validation stay what they were.
WireJSONObject = Annotated[
    JSONObject, GetPydanticSchema(lambda _source, handler: handler.generate_schema(dict[str, Any]))
]


def as_object(value: JSONValue) -> JSONObject:
    """`value`, a part of a stored document that its writer made an object; TypeError when
    it is not one."""
    if not isinstance(value, dict):
        raise TypeError(f"expected a JSON object, found {type(value).__name__}")
    return value


def whole_numbers_as_ints(value: JSONValue) -> JSONValue:
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
            entries: Iterable[tuple[Any, JSONValue]] = node.items()
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
