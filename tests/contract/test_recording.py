"""The conformance checker itself: it fails on violations and tolerates only listed deviations."""

from __future__ import annotations

import json

import pytest

from tests.contract.deviations import DEVIATIONS
from tests.contract.recording import Conformance, Exchange, Recorder, sse_data

JOB = {
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
    "hyperparameters": {"n_epochs": "auto", "batch_size": "auto", "learning_rate_multiplier": 1.0},
    "trained_tokens": None,
    "error": None,
    "seed": 1,
}
ERROR = {"error": {"message": "no", "type": "invalid_request_error", "param": None, "code": None}}


def checked(*exchanges: Exchange) -> Conformance:
    """A Conformance that has verified `exchanges`."""
    recorder = Recorder()
    recorder.exchanges.extend(exchanges)
    conformance = Conformance(recorder)
    conformance.verify()
    return conformance


def json_exchange(method: str, path: str, status: int, body: object) -> Exchange:
    """A recorded JSON response."""
    return Exchange(method, path, status, "application/json", json.dumps(body).encode())


def test_a_conforming_job_and_error_pass() -> None:
    conformance = checked(
        json_exchange("GET", "/v1/fine_tuning/jobs/ftjob-1", 200, JOB),
        json_exchange("GET", "/v1/no/such/route", 404, ERROR),
    )
    assert conformance.responses == 2


def test_a_violation_fails_naming_where() -> None:
    with pytest.raises(AssertionError, match="at /created_at"):
        checked(json_exchange("GET", "/v1/fine_tuning/jobs/x", 200, {**JOB, "created_at": "now"}))


def test_an_error_body_must_be_the_envelope() -> None:
    with pytest.raises(AssertionError, match="'error' is a required property"):
        checked(json_exchange("POST", "/v1/files", 400, {"detail": "bad"}))


def test_paused_is_tolerated_only_where_listed() -> None:
    paused = {**JOB, "status": "paused"}
    conformance = checked(json_exchange("GET", "/v1/fine_tuning/jobs/x", 200, paused))
    assert sum(conformance.used.values()) == 1
    assert any(d in conformance.used for d in DEVIATIONS)
    with pytest.raises(AssertionError, match="at /status"):
        checked(json_exchange("GET", "/v1/fine_tuning/jobs/x", 200, {**JOB, "status": "asleep"}))


def test_a_success_on_an_operation_openai_lacks_fails() -> None:
    with pytest.raises(AssertionError, match="does not document"):
        checked(json_exchange("GET", "/v1/fine_tuning/everything", 200, {}))


def test_stream_chunks_are_each_validated() -> None:
    chunk = {
        "id": "chatcmpl-1",
        "object": "chat.completion.chunk",
        "created": 1,
        "model": "m",
        "system_fingerprint": "fp_1",
        "choices": [{"index": 0, "delta": {"content": "hi"}, "finish_reason": None}],
    }
    body = f"data: {json.dumps(chunk)}\n\ndata: {json.dumps(chunk)}\n\ndata: [DONE]\n\n".encode()
    stream = Exchange("POST", "/v1/chat/completions", 200, "text/event-stream", body)
    conformance = checked(stream)
    assert (conformance.chunks, conformance.events) == (2, 3)
    broken = body.replace(b'"chat.completion.chunk"', b'"chunk"', 1)
    with pytest.raises(AssertionError, match="at /object"):
        checked(Exchange("POST", "/v1/chat/completions", 200, "text/event-stream", broken))
    with pytest.raises(AssertionError, match=r"\[DONE\]"):
        checked(Exchange("POST", "/v1/chat/completions", 200, "text/event-stream", body[:-14]))


def test_sse_data_joins_multiline_events() -> None:
    assert sse_data(b"event: x\r\ndata: a\r\ndata: b\r\n\r\ndata: [DONE]\r\n\r\n") == [
        "a\nb",
        "[DONE]",
    ]


def test_stream_events_are_validated_against_whetstones_own_schema() -> None:
    # OpenAI's chunk schema lacks system_fingerprint among its required fields; ours has it.
    chunk = {
        "id": "chatcmpl-1",
        "object": "chat.completion.chunk",
        "created": 1,
        "model": "m",
        "choices": [{"index": 0, "delta": {"content": "hi"}, "finish_reason": None}],
    }
    body = f"data: {json.dumps(chunk)}\n\ndata: [DONE]\n\n".encode()
    with pytest.raises(AssertionError, match="/data: 'system_fingerprint' is a required"):
        checked(Exchange("POST", "/v1/chat/completions", 200, "text/event-stream", body))


def test_done_must_come_last_and_once() -> None:
    body = b"data: [DONE]\n\ndata: [DONE]\n\n"
    with pytest.raises(AssertionError, match="comes before the end"):
        checked(Exchange("POST", "/v1/chat/completions", 200, "text/event-stream", body))
