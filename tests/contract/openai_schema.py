"""Validate response bodies against OpenAI's published OpenAPI document (vendored here).

OpenAPI 3.1 schemas are JSON Schema 2020-12, so each response schema is checked with
jsonschema's Draft202012Validator. The whole document is one resource in a `referencing`
Registry; the validated schema is a `$ref` to the response schema's JSON pointer inside it,
so the `$ref`s it holds (`#/components/schemas/OpenAIFile`, ...) resolve within the document.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator, ValidationError
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

SPEC_PATH = Path(__file__).with_name("openai-openapi.json")
SPEC_URI = "urn:openai:openapi"


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
def validator_for(pointer: str) -> Draft202012Validator:
    """A 2020-12 validator for the schema at `pointer` in the document."""
    return Draft202012Validator({"$ref": f"{SPEC_URI}#{pointer}"}, registry=registry())


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
