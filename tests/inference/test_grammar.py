"""The grammars of structured outputs and forced calls, and their narrowing for an untrained
model."""

from __future__ import annotations

import jsonschema
import pytest

from service.inference.grammar import (
    UNTRAINED_ARRAY_ITEMS,
    UNTRAINED_FORMAT_CHARS,
    UNTRAINED_NUMBER_LIMIT,
    UNTRAINED_STRING_CHARS,
    bounded_schema,
    json_schema_grammar,
)

SCHEMAS: list[dict[str, object]] = [
    {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]},
    {"type": "array", "items": {"type": "string", "minLength": 20}, "minItems": 3},
    {"type": "object", "additionalProperties": {"type": "string"}},
    {
        "allOf": [
            {"type": "object", "properties": {"a": {"type": "string"}}},
            {"properties": {"b": {"type": "integer"}}, "required": ["b"]},
        ]
    },
    {
        "$defs": {"tag": {"type": "string", "maxLength": 4}},
        "type": "object",
        "properties": {"tags": {"type": "array", "items": {"$ref": "#/$defs/tag"}}},
        "required": ["tags"],
        "additionalProperties": False,
    },
    {"type": "string", "enum": ["a long value that is kept whole"]},
    {"type": ["number", "integer", "null"]},
    {"type": "string", "format": "uuid"},
]


@pytest.mark.parametrize("schema", SCHEMAS)
def test_a_bounded_schema_compiles(schema: dict[str, object]) -> None:
    json_schema_grammar(schema, bounded=True)


def test_free_values_are_bounded_and_what_is_fixed_is_kept() -> None:
    city = bounded_schema(SCHEMAS[0])
    assert city["additionalProperties"] is False
    pattern = city["properties"]["city"]["pattern"]
    jsonschema.validate({"city": "Paris, France"[:UNTRAINED_STRING_CHARS]}, city)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({"city": "x" * (UNTRAINED_STRING_CHARS + 1)}, city)
    assert pattern.endswith(f"{{0,{UNTRAINED_STRING_CHARS}}}$")
    # The caller's minimums win over the bounds: the narrowing never empties a schema.
    words = bounded_schema(SCHEMAS[1])
    assert words["maxItems"] == 3
    assert words["items"]["pattern"].endswith("{20,20}$")
    assert bounded_schema(SCHEMAS[2])["maxProperties"] == UNTRAINED_ARRAY_ITEMS
    # Parts of an allOf stay open: each names properties the other allows.
    parts = bounded_schema(SCHEMAS[3])["allOf"]
    assert not any("additionalProperties" in part or "maxProperties" in part for part in parts)
    assert bounded_schema(SCHEMAS[4])["$defs"]["tag"]["pattern"].endswith("{0,4}$")
    assert bounded_schema(SCHEMAS[5]) == SCHEMAS[5]


def test_numbers_become_short_integers_and_formats_keep_their_shape() -> None:
    number = bounded_schema(SCHEMAS[6])
    assert number["type"] == ["integer", "null"]
    assert (number["minimum"], number["maximum"]) == (
        -UNTRAINED_NUMBER_LIMIT,
        UNTRAINED_NUMBER_LIMIT,
    )
    jsonschema.validate(42, number)
    # The caller's own bounds are kept as written.
    assert bounded_schema({"type": "number", "maximum": 0.5}) == {"type": "number", "maximum": 0.5}
    uuid = bounded_schema(SCHEMAS[7])
    assert uuid["maxLength"] == UNTRAINED_FORMAT_CHARS >= 36 and "pattern" not in uuid
