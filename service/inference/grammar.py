"""Grammars that constrain a request's output (structured outputs, forced tool calls).

A Grammar is llguidance's grammar text, compiled and checked here on the API side (no torch,
no tokenizer), so that an unsupported schema is a 400 before any token is generated. The engine
thread turns it into one matcher per choice (service/inference/engines/builtin/constrained.py).

llguidance is the grammar library vLLM and SGLang use; its JSON-schema compiler covers what
OpenAI's strict mode allows (and more), and it names the keywords it cannot honour.

An untrained model (the emulator's random weights) follows a grammar but never chooses to end
what it opened: a free string or an open array runs until max_tokens. For such a model the
schema is first narrowed by `bounded_schema` to a subset of itself whose every value is short,
so the output is still valid for the caller's schema and always closes within a few dozen
tokens. A trained model gets the schema as written.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final

if TYPE_CHECKING:
    # The options' TypedDict exists only in llguidance's type stubs.
    from llguidance._lib import JsonCompileOptions

# Compact JSON: a random model given free whitespace can indent forever; a trained one still
# writes the same values.
_JSON_OPTIONS: JsonCompileOptions = {"whitespace_flexible": False}


# The bounds of an untrained model's values. A string is at most this many characters from a
# plain ASCII set (one token each at worst: a random pick among multi-byte characters costs up
# to four byte tokens per character, and an escape two); an array at most this many items.
UNTRAINED_STRING_CHARS: Final = 12
UNTRAINED_ARRAY_ITEMS: Final = 2
# A string of a `format` keeps its shape, its free parts (an e-mail's local part, a date's
# fraction of a second) cut to this length overall: enough for the longest fixed shapes (a
# UUID is 36 characters, an IPv6 address 39).
UNTRAINED_FORMAT_CHARS: Final = 40
# A number with no bounds of its own is an integer of at most six digits (digits otherwise
# run on, and so does a fraction).
UNTRAINED_NUMBER_LIMIT: Final = 999_999
_BOUNDS = ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf")
_PLAIN_CHARS = "[a-zA-Z0-9 .,!?-]"
# Keywords whose value is one subschema, or a list or a name-keyed map of subschemas.
_ONE_SUBSCHEMA = ("items", "additionalItems", "contains", "not", "if", "then", "else")
_SUBSCHEMA_LISTS = ("anyOf", "oneOf", "allOf", "prefixItems")
_SUBSCHEMA_MAPS = ("properties", "patternProperties", "$defs", "definitions")


class GrammarError(ValueError):
    """The schema or grammar cannot be compiled; the message names what is unsupported."""


@dataclass(frozen=True)
class Grammar:
    """llguidance grammar text (its JSON form), already validated."""

    source: str


def json_schema_grammar(schema: dict[str, Any], *, bounded: bool = False) -> Grammar:
    """Output constrained to JSON that validates against `schema`; `bounded`: to its short
    values only (`bounded_schema`), for an untrained model."""
    import llguidance

    if bounded:
        try:
            return json_schema_grammar(bounded_schema(schema))
        except GrammarError:
            pass  # a narrowing llguidance cannot compile: the schema as written is still right
    try:
        source = llguidance.LLMatcher.grammar_from_json_schema(
            json.dumps(schema), defaults=_JSON_OPTIONS
        )
    except ValueError as exc:
        raise GrammarError(str(exc)) from exc
    return _checked(source)


def bounded_schema(schema: dict[str, Any]) -> dict[str, Any]:
    """A narrowing of `schema` whose every value is short: each free string at most
    UNTRAINED_STRING_CHARS plain characters, each array at most UNTRAINED_ARRAY_ITEMS items (or
    its minItems), no property beyond those the schema names. What it accepts, `schema` accepts."""
    return _bounded(schema, closed=True)


def _bounded(schema: dict[str, Any], *, closed: bool) -> dict[str, Any]:
    # `closed`: extra properties may be refused here; not in a part of an allOf, whose
    # properties the other parts name.
    bounded = {
        key: _bounded_part(key, value, closed=closed and key != "allOf")
        for key, value in schema.items()
    }
    kind = bounded.get("type")
    kinds = set(kind) if isinstance(kind, list) else {kind}
    free = not any(k in bounded for k in ("enum", "const", "pattern", "format"))
    if "string" in kinds and free:
        low = _count(bounded, "minLength", 0)
        high = min(_count(bounded, "maxLength", UNTRAINED_STRING_CHARS), UNTRAINED_STRING_CHARS)
        bounded["pattern"] = f"^{_PLAIN_CHARS}{{{low},{max(low, high)}}}$"
    elif "string" in kinds and "format" in bounded and "enum" not in bounded:
        low = _count(bounded, "minLength", 0)
        high = min(_count(bounded, "maxLength", UNTRAINED_FORMAT_CHARS), UNTRAINED_FORMAT_CHARS)
        bounded["maxLength"] = max(low, high)
    if kinds & {"number", "integer"} and not any(k in bounded for k in (*_BOUNDS, "enum", "const")):
        # Integers are numbers: the narrowing stays within the caller's schema.
        if isinstance(kind, list):
            bounded["type"] = list(dict.fromkeys("integer" if k == "number" else k for k in kind))
        else:
            bounded["type"] = "integer"
        bounded["minimum"], bounded["maximum"] = -UNTRAINED_NUMBER_LIMIT, UNTRAINED_NUMBER_LIMIT
    if "array" in kinds or "items" in bounded or "prefixItems" in bounded:
        low = _count(bounded, "minItems", 0)
        high = min(_count(bounded, "maxItems", UNTRAINED_ARRAY_ITEMS), UNTRAINED_ARRAY_ITEMS)
        bounded["maxItems"] = max(low, high)
    if "object" in kinds or "properties" in bounded:
        extra = bounded.get("additionalProperties", True)
        if not closed:
            pass  # a part of an allOf: the other parts' properties count here too
        elif extra is True:
            # Extra properties are free names with free values; the named ones suffice.
            bounded["additionalProperties"] = False
        elif extra is not False and set(bounded.get("properties") or {}) <= set(
            bounded.get("required") or ()
        ):
            # llguidance counts properties only when every named one is required.
            named = len(bounded.get("properties") or {})
            low = _count(bounded, "minProperties", 0)
            high = _count(bounded, "maxProperties", named + UNTRAINED_ARRAY_ITEMS)
            bounded["maxProperties"] = max(low, min(high, named + UNTRAINED_ARRAY_ITEMS))
    return bounded


def _bounded_part(key: str, value: Any, *, closed: bool) -> Any:
    if key in _ONE_SUBSCHEMA or key == "additionalProperties":
        return _bounded(value, closed=True) if isinstance(value, dict) else value
    if key in _SUBSCHEMA_LISTS and isinstance(value, list):
        return [_bounded(v, closed=closed) if isinstance(v, dict) else v for v in value]
    if key in _SUBSCHEMA_MAPS and isinstance(value, dict):
        return {k: _bounded(v, closed=True) if isinstance(v, dict) else v for k, v in value.items()}
    return value


def _count(schema: dict[str, Any], key: str, default: int) -> int:
    value = schema.get(key, default)
    return value if isinstance(value, int) and not isinstance(value, bool) else default


def any_json_object_grammar(*, bounded: bool = False) -> Grammar:
    """Output constrained to one JSON object (OpenAI's `json_object` mode); `bounded`: a few
    short string properties, for an untrained model."""
    if bounded:
        return json_schema_grammar(
            {"type": "object", "additionalProperties": {"type": "string"}}, bounded=True
        )
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
