"""Outage fixtures: a server whose S3 or PostgreSQL the test stops, freezes or cuts off.

Each module gets dependencies of its own (a moto process it may SIGSTOP or kill, a database
behind a FaultProxy), so the faults never reach the rest of the suite.
"""

from __future__ import annotations

import json
import os
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from tests.conftest import POSTGRES_URL, S3_TEST_CREDENTIALS
from tests.harness import ServerProcess

# Generous on purpose: a hang shows up as a failure, and no assertion is about our speed.
CLIENT_TIMEOUT = httpx.Timeout(30.0)
AUTH = {"Authorization": "Bearer sk-outage"}
BASE = "gpt-4o-mini-2024-07-18"
TRAINING_LINE = json.dumps(
    {"messages": [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hello"}]}
)


def training_file(size: int) -> bytes:
    """A JSONL training file of about `size` bytes (whole lines)."""
    line = TRAINING_LINE.encode() + b"\n"
    return line * max(10, size // len(line))


@dataclass
class Answer:
    """How one request ended: a response, or the transport error instead of one."""

    status: int | None
    code: str | None
    retry_after: str | None
    body: Any
    error: str | None = None


def ask(server: ServerProcess, method: str, path: str, **kwargs: Any) -> Answer:
    """One request; never raises, so that concurrent requests each report how they ended."""
    try:
        response = httpx.request(
            method, server.base_url + path, headers=AUTH, timeout=CLIENT_TIMEOUT, **kwargs
        )
    except httpx.HTTPError as exc:
        return Answer(None, None, None, None, error=f"{type(exc).__name__}: {exc}")
    try:
        body = response.json()
    except ValueError:
        body = response.content
    error = body.get("error") if isinstance(body, dict) else None
    code = error.get("code") if isinstance(error, dict) else None
    return Answer(response.status_code, code, response.headers.get("retry-after"), body)


def upload(server: ServerProcess, data: bytes, name: str = "train.jsonl") -> Answer:
    """POST /v1/files with a fine-tune file."""
    return ask(
        server, "POST", "/v1/files", files={"file": (name, data)}, data={"purpose": "fine-tune"}
    )


def chat(server: ServerProcess) -> Answer:
    """A short greedy chat completion on the base model (needs neither dependency)."""
    return ask(
        server,
        "POST",
        "/v1/chat/completions",
        json={
            "model": BASE,
            "messages": [{"role": "user", "content": "Hello"}],
            "max_tokens": 4,
            "temperature": 0,
        },
    )


def assert_unavailable(answer: Answer, code: str) -> None:
    """The answer is a 503 in OpenAI's envelope with `code` and a retry-after header."""
    assert answer.error is None, answer.error
    assert answer.status == 503, answer
    assert set(answer.body) == {"error"}, answer.body
    assert answer.body["error"]["type"] == "server_error"
    assert answer.code == code, answer.body
    assert answer.retry_after is not None and int(answer.retry_after) > 0


def eventually(check: Callable[[], bool], timeout: float = 30.0) -> None:
    """Poll `check` until it holds (the server recovers by itself, in its own time)."""
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "the server did not recover in time"
        time.sleep(0.2)


def ready(server: ServerProcess) -> bool:
    """True once /readyz answers 200."""
    return ask(server, "GET", "/readyz").status == 200


def log_since(server: ServerProcess, offset: int) -> str:
    """What the server logged after `offset` characters."""
    return server.log()[offset:]


@pytest.fixture(scope="module", autouse=True)
def s3_credentials() -> None:
    """moto's fake credentials, for the servers and for the test's own boto3 clients."""
    for key, value in S3_TEST_CREDENTIALS.items():
        os.environ.setdefault(key, value)


@pytest.fixture(scope="module")
def postgres_database() -> Iterator[str]:
    """A database of its own on the test PostgreSQL (name), dropped afterwards; skipped
    where PostgreSQL is absent."""
    from tests.conftest import postgres_available

    reason = postgres_available()
    if reason is not None:
        pytest.skip(f"the PostgreSQL outage cases need PostgreSQL: {reason}")
    import psycopg

    admin = POSTGRES_URL.replace("postgresql+psycopg://", "postgresql://")
    name = f"whetstone_outages_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    yield name
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
