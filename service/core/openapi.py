"""The app's OpenAPI document as the wire really behaves: what `whetstone openapi` prints."""

from __future__ import annotations

import json
from typing import Any

from fastapi import FastAPI
from pydantic import BaseModel, Field


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


def install_openapi(app: FastAPI) -> None:
    """Make `app.openapi()` return FastAPI's document, corrected to describe the real wire."""
    fastapi_openapi = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            document = document_validation_as_400(fastapi_openapi())
            app.openapi_schema = mark_uploads_binary(document)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
