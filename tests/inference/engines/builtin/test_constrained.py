"""Grammar-constrained rows in a mixed batch: valid JSON out, free rows unchanged."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from service.inference.grammar import GrammarError, json_schema_grammar, lark_grammar
from service.inference.types import SamplingParams
from tests.inference.conftest import Emulator
from tests.inference.engines.builtin.test_batching import GREEDY, Run, local, prompt

PERSON = {
    "type": "object",
    "properties": {
        # Bounded, so that even sampling at temperature 1 from a random model closes the object.
        "name": {"type": "string", "maxLength": 12},
        "age": {"type": "integer", "minimum": 0, "maximum": 150},
        "member": {"type": "boolean"},
        "tags": {"type": "array", "items": {"enum": ["a", "b"]}, "maxItems": 3},
    },
    "required": ["name", "age", "member", "tags"],
    "additionalProperties": False,
}


def test_constrained_and_free_rows_share_a_batch(
    engine: Any, emulator: Emulator, adapters: dict[str, Path]
) -> None:
    ids = prompt(emulator, "Give me a person as JSON")
    free_alone = Run(engine, ids, GREEDY, None).result()
    grammar = json_schema_grammar(PERSON)
    constrained = [
        SamplingParams(max_tokens=300, temperature=0.0, grammar=grammar),
        SamplingParams(max_tokens=300, temperature=1.0, seed=3, grammar=grammar),
    ]
    runs = [Run(engine, ids, p, a) for p in constrained for a in (None, local(adapters, "a"))]
    free = Run(engine, ids, GREEDY, None)
    for run in runs:
        text, finish = run.result()
        assert finish == "stop", text
        jsonschema.validate(json.loads(text), PERSON)
    assert free.result() == free_alone


def test_a_grammar_ends_only_by_completing_or_by_length(engine: Any, emulator: Emulator) -> None:
    ids = prompt(emulator, "Hello")
    grammar = json_schema_grammar(PERSON)
    params = SamplingParams(max_tokens=3, temperature=1.0, seed=1, grammar=grammar)
    text, finish = Run(engine, ids, params, None).result()
    assert finish == "length" and text and '{"name":"'.startswith(text[:9])
    choice = lark_grammar('start: "yes" | "no"')
    text, finish = Run(engine, ids, SamplingParams(max_tokens=20, grammar=choice), None).result()
    assert (text, finish) in (("yes", "stop"), ("no", "stop"))


@pytest.mark.parametrize(
    "schema",
    [{"type": "object", "if": {"type": "string"}, "then": {}}, {"type": "wat"}],
)
def test_an_unsupported_schema_is_refused_before_generation(schema: dict) -> None:
    with pytest.raises(GrammarError):
        json_schema_grammar(schema)
