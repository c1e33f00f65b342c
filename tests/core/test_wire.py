"""JSON on the wire: what a wire model's JSON object field accepts and how it is published."""

from __future__ import annotations

import pytest
from pydantic import BaseModel, ConfigDict, ValidationError

from service.core.wire import WireJSONObject, as_object


class _Body(BaseModel):
    model_config = ConfigDict(strict=True)

    document: WireJSONObject
    optional: WireJSONObject | None = None


def test_a_json_object_field_is_published_as_any_object() -> None:
    properties = _Body.model_json_schema()["properties"]
    assert properties["document"] == {
        "additionalProperties": True,
        "title": "Document",
        "type": "object",
    }
    assert properties["optional"]["anyOf"] == [
        {"additionalProperties": True, "type": "object"},
        {"type": "null"},
    ]


def test_a_json_object_field_takes_any_object_and_refuses_other_json() -> None:
    body = _Body.model_validate_json('{"document": {"a": [1, {"b": null}], "c": 2.5}}')
    assert body.document == {"a": [1, {"b": None}], "c": 2.5}
    for other in ("[1]", '"text"', "1", "null"):
        with pytest.raises(ValidationError):
            _Body.model_validate_json(f'{{"document": {other}}}')


def test_as_object_refuses_a_stored_part_that_is_no_object() -> None:
    assert as_object({"a": 1}) == {"a": 1}
    with pytest.raises(TypeError, match="found list"):
        as_object([1])
