"""Grammars that constrain a request's output (structured outputs, forced tool calls).

A Grammar is llguidance's grammar text, compiled and checked here on the API side (no torch,
no tokenizer), so that an unsupported schema is a 400 before any token is generated. The engine
thread turns it into one matcher per choice (service/inference/engines/builtin/constrained.py).

llguidance is the grammar library vLLM and SGLang use; its JSON-schema compiler covers what
OpenAI's strict mode allows (and more), and it names the keywords it cannot honour.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    # The options' TypedDict exists only in llguidance's type stubs.
    from llguidance._lib import JsonCompileOptions

# Compact JSON: a random model given free whitespace can indent forever; a trained one still
# writes the same values.
_JSON_OPTIONS: JsonCompileOptions = {"whitespace_flexible": False}


class GrammarError(ValueError):
    """The schema or grammar cannot be compiled; the message names what is unsupported."""


@dataclass(frozen=True)
class Grammar:
    """llguidance grammar text (its JSON form), already validated."""

    source: str


def json_schema_grammar(schema: dict[str, Any]) -> Grammar:
    """Output constrained to JSON that validates against `schema`."""
    import llguidance

    try:
        source = llguidance.LLMatcher.grammar_from_json_schema(
            json.dumps(schema), defaults=_JSON_OPTIONS
        )
    except ValueError as exc:
        raise GrammarError(str(exc)) from exc
    return _checked(source)


def any_json_object_grammar() -> Grammar:
    """Output constrained to one JSON object (OpenAI's `json_object` mode)."""
    return json_schema_grammar({"type": "object"})


def lark_grammar(lark: str) -> Grammar:
    """Output constrained by a Lark grammar (may embed `%json {...}` schemas)."""
    import llguidance

    return _checked(llguidance.LLMatcher.grammar_from_lark(lark))


def _checked(source: str) -> Grammar:
    import llguidance

    is_error, messages = llguidance.LLMatcher.validate_grammar_with_warnings(source)
    if is_error:
        raise GrammarError("; ".join(messages))
    return Grammar(source=source)
