"""Structured outputs: chat's `response_format` and Responses' `text.format` as a grammar.

`json_object` constrains the output to one JSON object; `json_schema` to JSON valid for the
schema, strict or not (Whetstone always enforces it: constrained decoding costs no quality
here). Schema keywords the grammar library cannot enforce are a 400 naming them. For an
untrained model (`bounded`), the grammar admits only short values (grammar.bounded_schema).
"""

from __future__ import annotations

from pydantic import JsonValue

from service.core.errors import InvalidRequestError
from service.inference.grammar import (
    Grammar,
    GrammarError,
    any_json_object_grammar,
    json_schema_grammar,
)


def format_grammar(fmt: JsonValue, *, param: str, bounded: bool = False) -> Grammar | None:
    """The grammar of a response format (chat's nested `json_schema` or Responses' flat form);
    None for plain text."""
    if fmt is None:
        return None
    if not isinstance(fmt, dict):
        raise InvalidRequestError("The format must be a JSON object.", param=param)
    kind = fmt.get("type")
    if kind == "text":
        return None
    if kind == "json_object":
        return any_json_object_grammar(bounded=bounded)
    if kind != "json_schema":
        raise InvalidRequestError(
            f"Format type {kind!r} is not supported: use text, json_object or json_schema.",
            param=f"{param}.type",
            code="unsupported_parameter" if kind == "grammar" else None,
        )
    # Chat nests the schema under `json_schema`; Responses puts its fields beside `type`.
    spec = fmt.get("json_schema", fmt)
    where = f"{param}.json_schema" if "json_schema" in fmt else param
    if not isinstance(spec, dict) or not isinstance(spec.get("name", ""), str):
        raise InvalidRequestError("The json_schema format needs a name.", param=f"{where}.name")
    schema = spec.get("schema", {})
    if not isinstance(schema, dict):
        raise InvalidRequestError("The schema must be a JSON object.", param=f"{where}.schema")
    try:
        return json_schema_grammar(schema, bounded=bounded)
    except GrammarError as exc:
        raise InvalidRequestError(
            f"The schema cannot be enforced by Whetstone: {exc}.",
            param=f"{where}.schema",
            code="unsupported_parameter",
        ) from exc
