"""The app's OpenAPI document as the wire really behaves: what `whetstone openapi` prints."""

from __future__ import annotations

import json
from typing import Any

from fastapi import FastAPI
from pydantic import BaseModel, Field
from pydantic.json_schema import JsonSchemaMode, models_json_schema


class Error(BaseModel):
    """The body of OpenAI's error envelope."""

    message: str = Field(description="Human-readable description of what went wrong.")
    type: str = Field(description="Error class, e.g. invalid_request_error or server_error.")
    param: str | None = Field(None, description="The request field at fault, if any.")
    code: str | None = Field(None, description="Machine-readable error code, if any.")


class ErrorResponse(BaseModel):
    """OpenAI's error envelope."""

    error: Error = Field(description="What went wrong.")


def error_responses(descriptions: dict[int, str]) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses` entries documenting OpenAI's error envelope for each status."""
    return {
        status: {"model": ErrorResponse, "description": description}
        for status, description in descriptions.items()
    }


# FastAPI documents a 422 `HTTPValidationError` on every operation with parameters, but the one
# error handler answers validation failures with 400 and OpenAI's envelope. A spec that promised
# 422 would make generated clients parse a body that never arrives.
_FASTAPI_VALIDATION_SCHEMAS = ("HTTPValidationError", "ValidationError")
_ERROR_RESPONSE = {
    "description": "Invalid request",
    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorResponse"}}},
}


def document_validation_as_400(document: dict[str, Any]) -> dict[str, Any]:
    """Rewrite FastAPI's `document` in place: its 422 responses become the 400 they really are."""
    for operations in document.get("paths", {}).values():
        for operation in operations.values():
            responses = operation.get("responses", {})
            if "422" in responses:
                del responses["422"]
                responses.setdefault("400", _ERROR_RESPONSE)
    schemas = document.get("components", {}).get("schemas", {})
    validation = {name: schemas.pop(name, None) for name in _FASTAPI_VALIDATION_SCHEMAS}
    still_used = json.dumps(document)
    for name, schema in validation.items():
        # A router's own model may share the name; keep it then.
        if schema is not None and f'"#/components/schemas/{name}"' in still_used:
            schemas[name] = schema
    return document


def mark_uploads_binary(document: dict[str, Any]) -> dict[str, Any]:
    """Rewrite FastAPI's `document` in place: uploaded file fields also say `format: binary`.

    FastAPI marks an UploadFile field with 3.1's `contentMediaType` alone; client generators
    (openapi-python-client among them) and OpenAI's own document use `format: binary`, without
    which a generated client would send the file as a text field.
    """
    for schema in document.get("components", {}).get("schemas", {}).values():
        for field in schema.get("properties", {}).values():
            if field.get("type") == "string" and "contentMediaType" in field:
                field.setdefault("format", "binary")
    return document


# --- Server-sent events ---------------------------------------------------------------------
#
# OpenAPI 3.1 has no keyword for one item of a stream: a `text/event-stream` schema there is
# read, by convention (OpenAI's own document, and schemathesis for any document before 3.2), as
# the schema of each event. 3.2 names it `itemSchema`, which 3.1's own meta-schema refuses
# (and openapi-python-client reads 3.1 documents only), so the document stays 3.1 and gives
# `schema` the exact shape 3.2's `itemSchema` would hold: each event parsed as the standard
# SSE fields `{data, event, id, retry}`, whose `data` is either `[DONE]` or, in the
# JSON Schema 2020-12 keywords `contentMediaType` and `contentSchema`, a JSON chunk or OpenAI's
# error envelope. Moving to 3.2 renames `schema` to `itemSchema`; nothing else changes. What
# one event cannot say (that `[DONE]` ends the stream, once) is left to the contract suite.

DONE_EVENT = "[DONE]"
# Models only ever streamed (a chat completion chunk) appear in no JSON response, so FastAPI
# would leave them out of `components`; event_stream_response records them here for
# document_event_streams to add.
_STREAMED_MODELS: dict[str, type[BaseModel]] = {}


def event_stream_response(chunk: type[BaseModel]) -> dict[str, Any]:
    """The `text/event-stream` content of a streamed 200, whose events carry `chunk`s."""
    _STREAMED_MODELS[chunk.__name__] = chunk
    payload = {
        "oneOf": [
            {"$ref": f"#/components/schemas/{chunk.__name__}"},
            {"$ref": "#/components/schemas/ErrorResponse"},
        ]
    }
    event = {
        "type": "object",
        "description": f"One server-sent event: `data: <{chunk.__name__} JSON>` per chunk, then "
        f"`data: {DONE_EVENT}`; a failure after the stream began is sent as one `data: "
        "<ErrorResponse JSON>` event that ends the stream. The `: ping` comment lines of a quiet "
        "stream are not events.",
        "required": ["data"],
        "properties": {
            "data": {
                "type": "string",
                "if": {"const": DONE_EVENT},
                "then": {"description": "The last event of a complete stream."},
                "else": {
                    "description": f"One {chunk.__name__}, or the error that ended the stream.",
                    "contentMediaType": "application/json",
                    "contentSchema": payload,
                },
            },
            "event": {
                "const": "message",
                "description": "No `event:` field is sent, so every event is a `message`.",
            },
        },
    }
    return {"content": {"text/event-stream": {"schema": event}}}


def document_event_streams(document: dict[str, Any]) -> dict[str, Any]:
    """Add to `document`'s components, in place, the schemas of the models only streamed."""
    if not _STREAMED_MODELS:
        return document
    models: list[tuple[type[BaseModel], JsonSchemaMode]] = [
        (model, "serialization") for _, model in sorted(_STREAMED_MODELS.items())
    ]
    _, definitions = models_json_schema(models, ref_template="#/components/schemas/{model}")
    schemas = document.setdefault("components", {}).setdefault("schemas", {})
    for name, schema in definitions.get("$defs", {}).items():
        # FastAPI already documents the ones a JSON response uses; keep its spelling of them.
        schemas.setdefault(name, schema)
    document["components"]["schemas"] = dict(sorted(schemas.items()))
    return document


def install_openapi(app: FastAPI) -> None:
    """Make `app.openapi()` return FastAPI's document, corrected to describe the real wire."""
    fastapi_openapi = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            document = document_validation_as_400(fastapi_openapi())
            document = document_event_streams(document)
            app.openapi_schema = mark_uploads_binary(document)
        return app.openapi_schema

    # FastAPI's documented way to customise the document is to replace the method.
    app.openapi = openapi  # type: ignore[method-assign]
