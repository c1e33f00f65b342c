"""The contract helper itself: it accepts OpenAI's own examples and rejects broken bodies."""

from __future__ import annotations

import pytest
from jsonschema import ValidationError

from tests.contract.openai_schema import validate_response

FILE = {
    "id": "file-abc123",
    "object": "file",
    "bytes": 120000,
    "created_at": 1677610602,
    "filename": "train.jsonl",
    "purpose": "fine-tune",
    "status": "processed",
}


def test_a_valid_file_passes() -> None:
    validate_response("/files/{file_id}", "get", 200, FILE)
    validate_response("/v1/files/{file_id}", "GET", 200, FILE)


def test_refs_into_components_are_followed() -> None:
    page = {"object": "list", "data": [FILE], "first_id": "f", "last_id": "f", "has_more": False}
    validate_response("/files", "get", 200, page)
    with pytest.raises(ValidationError, match="data/0"):
        validate_response("/files", "get", 200, {**page, "data": [{**FILE, "bytes": "many"}]})


def test_violations_are_named() -> None:
    broken = {key: value for key, value in FILE.items() if key != "status"}
    with pytest.raises(ValidationError, match="'status' is a required property"):
        validate_response("/files/{file_id}", "get", 200, {**broken, "purpose": "nonsense"})


def test_an_undocumented_status_is_a_key_error() -> None:
    with pytest.raises(KeyError):
        validate_response("/files/{file_id}", "get", 418, FILE)
