"""The contract helper itself: it accepts OpenAI's own examples and rejects broken bodies."""

from __future__ import annotations

import pytest
from jsonschema import ValidationError

from tests.contract.openai_schema import response_schema_pointer, validate_response, validator_for

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


def _job(**changes: object) -> dict[str, object]:
    job = {
        "object": "fine_tuning.job",
        "id": "ftjob-1",
        "model": "gpt-4o-mini-2024-07-18",
        "created_at": 1,
        "finished_at": None,
        "fine_tuned_model": None,
        "organization_id": "org",
        "result_files": [],
        "status": "queued",
        "validation_file": None,
        "training_file": "file-1",
        "hyperparameters": {"n_epochs": 3, "batch_size": 1, "learning_rate_multiplier": 1.0},
        "trained_tokens": None,
        "error": None,
        "seed": 1,
    }
    return {**job, **changes}


def test_openapi_30_exclusive_minimum_is_honoured() -> None:
    path = "/fine_tuning/jobs/{fine_tuning_job_id}"
    validate_response(path, "get", 200, _job())
    zero = {"n_epochs": 3, "batch_size": 1, "learning_rate_multiplier": 0}
    with pytest.raises(ValidationError, match="learning_rate_multiplier"):
        validate_response(path, "get", 200, _job(hyperparameters=zero))


def test_openapi_30_nullable_admits_null_only_where_marked() -> None:
    chunk = {
        "id": "chatcmpl-1",
        "object": "chat.completion.chunk",
        "created": 1,
        "model": "m",
        "choices": [{"index": 0, "delta": {"content": "hi"}, "finish_reason": None}],
    }
    pointer = response_schema_pointer("/chat/completions", "post", 200, "text/event-stream")
    assert not list(validator_for(pointer).iter_errors(chunk))
    assert list(validator_for(pointer).iter_errors({**chunk, "model": None}))
