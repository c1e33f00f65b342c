"""Validate server-sent events against the event schema of Whetstone's own document.

`openapi/openapi.json` describes each event of a `text/event-stream` response as the standard
SSE fields `{data, event, id, retry}` (see service/core/openapi.py for why `schema`, not 3.2's
`itemSchema`); `data` carries the chunk as JSON, stated with JSON Schema 2020-12's
`contentMediaType: application/json` and `contentSchema`. Those two are annotations to a plain
2020-12 validator, so EventValidator asserts them: the string must decode as JSON, and the
decoded value must match `contentSchema`. Events are read from the body as a browser's
EventSource reads them (WHATWG HTML, "Interpreting an event stream").
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from functools import cache
from typing import Any

from jsonschema import Draft202012Validator, ValidationError, validators
from jsonschema.protocols import Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from tests.harness import REPO_ROOT

SPEC_PATH = REPO_ROOT / "openapi" / "openapi.json"
SPEC_URI = "urn:whetstone:openapi"
EVENT_STREAM = "text/event-stream"
_LINE_END = re.compile(r"\r\n|\r|\n")


def _content_schema(
    validator: Any, content_schema: Any, instance: Any, schema: dict[str, Any]
) -> Iterator[ValidationError]:
    if schema.get("contentMediaType") != "application/json" or not isinstance(instance, str):
        return
    try:
        decoded = json.loads(instance)
    except ValueError as exc:
        yield ValidationError(f"{instance[:80]!r} is not JSON ({exc})")
        return
    yield from validator.descend(decoded, content_schema)


EventValidator: type[Validator] = validators.extend(
    Draft202012Validator, {"contentSchema": _content_schema}
)


@cache
def spec() -> dict[str, Any]:
    """Whetstone's committed OpenAPI document."""
    return json.loads(SPEC_PATH.read_text())


@cache
def _registry() -> Registry:
    resource = Resource.from_contents(spec(), default_specification=DRAFT202012)
    return Registry().with_resource(SPEC_URI, resource)


def _escape(token: str) -> str:
    return token.replace("~", "~0").replace("/", "~1")


@cache
def event_validator(path: str, method: str) -> Validator:
    """A validator for one event of `method path`'s streamed 200 (`/v1/chat/completions`)."""
    content = spec()["paths"][path][method.lower()]["responses"]["200"]["content"]
    if EVENT_STREAM not in content:
        raise KeyError(f"{method.upper()} {path} documents no {EVENT_STREAM} response")
    pointer = "/".join(
        _escape(part)
        for part in ("paths", path, method.lower(), "responses", "200", "content", EVENT_STREAM)
    )
    return EventValidator({"$ref": f"{SPEC_URI}#/{pointer}/schema"}, registry=_registry())


def sse_events(body: bytes) -> list[dict[str, Any]]:
    """The events of an event stream, each `{data, event[, id][, retry]}`, in order."""
    events: list[dict[str, Any]] = []
    data: list[str] = []
    fields: dict[str, Any] = {}
    # What follows the last line end is an unfinished line; an unfinished event is dropped.
    for line in _LINE_END.split(body.decode("utf-8").removeprefix("\ufeff"))[:-1]:
        if not line:
            if data:
                events.append({"data": "\n".join(data), "event": "message", **fields})
            data, fields = [], {}
            continue
        if line.startswith(":"):
            continue  # a comment: the `: ping` keep-alives
        name, _, value = line.partition(":")
        value = value.removeprefix(" ")
        if name == "data":
            data.append(value)
        elif name == "event" and value:
            fields["event"] = value
        elif name == "id" and "\x00" not in value:
            fields["id"] = value
        elif name == "retry" and value.isdigit():
            fields["retry"] = int(value)
    return events


def event_errors(path: str, method: str, event: dict[str, Any]) -> list[ValidationError]:
    """Every violation of Whetstone's event schema of `method path` by one parsed `event`."""
    validator = event_validator(path, method)
    return sorted(validator.iter_errors(event), key=lambda error: list(error.absolute_path))


def describe(error: ValidationError) -> str:
    """`at /data: ...`; a `oneOf` no branch matched lists each branch's own errors, since
    "is not valid under any of the given schemas" alone does not say what is wrong."""
    where = "/" + "/".join(map(str, error.absolute_path))
    if not error.context:
        return f"at {where}: {error.message}"
    branches = "; ".join(
        f"branch {branch.schema_path[0]} at /{'/'.join(map(str, branch.absolute_path))}: "
        f"{branch.message}"
        for branch in error.context
    )
    return f"at {where}: no {error.validator} branch matches ({branches})"
