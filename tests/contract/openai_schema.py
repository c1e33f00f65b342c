"""Validate response bodies against OpenAI's published OpenAPI document (vendored here).

OpenAPI 3.1 schemas are JSON Schema 2020-12, so each response schema is checked with
jsonschema's Draft202012Validator. The whole document is one resource in a `referencing`
Registry; the validated schema is a `$ref` to the response schema's JSON pointer inside it,
so the `$ref`s it holds (`#/components/schemas/OpenAIFile`, ...) resolve within the document.

OpenAI's document says 3.1 but still carries two OpenAPI 3.0 keywords that 2020-12 reads
differently: `nullable: true` (112 places; e.g. a stream chunk's `finish_reason`, null until the
last chunk) and boolean `exclusiveMinimum` (`learning_rate_multiplier > 0`). OpenAIValidator
gives them their 3.0 meaning; everything else is plain 2020-12.
"""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator, ValidationError, validators
from jsonschema.protocols import Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

SPEC_PATH = Path(__file__).with_name("openai-openapi.json")
SPEC_URI = "urn:openai:openapi"


def _nullable(keyword: str) -> Any:
    # OpenAPI 3.0: `nullable: true` admits null besides what `type`/`enum` allow.
    check = Draft202012Validator.VALIDATORS[keyword]

    def validate(validator: Any, value: Any, instance: Any, schema: dict[str, Any]) -> Any:
        if instance is None and schema.get("nullable") is True:
            return
        yield from check(validator, value, instance, schema)

    return validate


def _exclusive(bound: str, keyword: str) -> Any:
    # OpenAPI 3.0: a boolean `exclusiveMinimum` makes `minimum` exclusive; 2020-12 wants a number.
    check = Draft202012Validator.VALIDATORS[keyword]

    def validate(validator: Any, value: Any, instance: Any, schema: dict[str, Any]) -> Any:
        if not isinstance(value, bool):
            yield from check(validator, value, instance, schema)
        elif value and bound in schema and validator.is_type(instance, "number"):
            limit = schema[bound]
            if (instance <= limit) if keyword == "exclusiveMinimum" else (instance >= limit):
                yield ValidationError(f"{instance!r} is not strictly within {bound} {limit!r}")

    return validate


OpenAIValidator: type[Validator] = validators.extend(
    Draft202012Validator,
    {
        "type": _nullable("type"),
        "enum": _nullable("enum"),
        "exclusiveMinimum": _exclusive("minimum", "exclusiveMinimum"),
        "exclusiveMaximum": _exclusive("maximum", "exclusiveMaximum"),
    },
)


@cache
def spec() -> dict[str, Any]:
    """The vendored OpenAI OpenAPI document."""
    return json.loads(SPEC_PATH.read_text())


@cache
def registry() -> Registry:
    """A registry holding the document under SPEC_URI."""
    resource = Resource.from_contents(spec(), default_specification=DRAFT202012)
    return Registry().with_resource(SPEC_URI, resource)


def _escape(token: str) -> str:
    return token.replace("~", "~0").replace("/", "~1")


def response_schema_pointer(
    path_template: str, method: str, status: int, content_type: str = "application/json"
) -> str:
    """JSON pointer to the response schema of one operation; KeyError when undocumented.

    `path_template` is OpenAI's (`/files/{file_id}`); a leading `/v1` is stripped.
    """
    path = path_template.removeprefix("/v1") or "/"
    method = method.lower()
    responses = spec()["paths"][path][method]["responses"]
    for key in (str(status), f"{str(status)[0]}XX", "default"):
        if key in responses:
            break
    else:
        raise KeyError(f"{method.upper()} {path} documents no {status} response")
    pointer = ["paths", path, method, "responses", key]
    response = responses[key]
    if "$ref" in response:  # a shared response in components/responses
        pointer = response["$ref"].removeprefix("#/").split("/")
        pointer = [part.replace("~1", "/").replace("~0", "~") for part in pointer]
        response = _at(pointer)
    if content_type not in response.get("content", {}):
        raise KeyError(f"{method.upper()} {path} {status} documents no {content_type} body")
    return "/" + "/".join(_escape(part) for part in [*pointer, "content", content_type, "schema"])


def _at(pointer: list[str]) -> Any:
    node: Any = spec()
    for part in pointer:
        node = node[part]
    return node


@cache
def validator_for(pointer: str) -> Validator:
    """A 2020-12 validator for the schema at `pointer` in the document."""
    return OpenAIValidator({"$ref": f"{SPEC_URI}#{pointer}"}, registry=registry())


def validate_response(path_template: str, method: str, status: int, body: Any) -> None:
    """Raise jsonschema.ValidationError, naming every violation, when `body` does not match
    OpenAI's response schema of `method path_template` for `status`."""
    validator = validator_for(response_schema_pointer(path_template, method, status))
    errors = sorted(validator.iter_errors(body), key=lambda error: list(error.absolute_path))
    if errors:
        details = "; ".join(
            f"at /{'/'.join(map(str, error.absolute_path))}: {error.message}" for error in errors
        )
        raise ValidationError(f"{method.upper()} {path_template} {status}: {details}")


# --- Matching recorded exchanges to OpenAI's operations (used by the conformance suite) ---


@cache
def _templates() -> list[tuple[re.Pattern[str], str]]:
    # Literal paths win over templated ones (`/fine_tuning/jobs` over `/fine_tuning/{x}`), and
    # a parameter never spans a slash, which holds for every id Whetstone mints (`ft:` names too).
    patterns = []
    for template in spec()["paths"]:
        regex = re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(template))
        literal_parts = sum(1 for part in template.split("/") if part and "{" not in part)
        patterns.append((literal_parts, template, re.compile(f"^{regex}$")))
    patterns.sort(key=lambda item: (-item[0], item[1]))
    return [(pattern, template) for _, template, pattern in patterns]


def path_template(path: str) -> str | None:
    """OpenAI's template for a concrete request path (`/v1/files/file-1` -> `/files/{file_id}`),
    or None when OpenAI documents no such path."""
    path = path.removeprefix("/v1") or "/"
    for pattern, template in _templates():
        if pattern.match(path):
            return template
    return None


def documents(path_template: str, method: str) -> bool:
    """Whether OpenAI documents `method` on `path_template`."""
    return method.lower() in spec()["paths"].get(path_template, {})


def schema_errors(pointer: str, body: Any) -> list[ValidationError]:
    """Every violation of the schema at `pointer` by `body`, ordered by where they occur."""
    return sorted(
        validator_for(pointer).iter_errors(body), key=lambda error: list(error.absolute_path)
    )


def component_pointer(name: str) -> str:
    """JSON pointer to `#/components/schemas/{name}`; KeyError when there is none."""
    if name not in spec()["components"]["schemas"]:
        raise KeyError(f"OpenAI documents no schema {name}")
    return f"/components/schemas/{_escape(name)}"


def stream_chunk_pointer(path_template: str, method: str) -> str:
    """JSON pointer to the schema of one server-sent event of a streamed operation.

    OpenAI documents `text/event-stream` for chat completions; for legacy completions it
    documents only the JSON body, and each streamed event is that same object."""
    try:
        return response_schema_pointer(path_template, method, 200, "text/event-stream")
    except KeyError:
        return response_schema_pointer(path_template, method, 200)
