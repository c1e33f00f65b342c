"""Fixtures shared by every test package."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.harness import MotoServer

# A key pair that moto accepts; never real credentials.
S3_TEST_CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_DEFAULT_REGION": "us-east-1",
}


@pytest.fixture(scope="session")
def moto_server() -> Iterator[MotoServer]:
    """A real S3-compatible server process on 127.0.0.1 for the whole session."""
    for key, value in S3_TEST_CREDENTIALS.items():
        os.environ.setdefault(key, value)
    server = MotoServer().start()
    yield server
    server.stop()


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    """A fresh data dir for one test."""
    path = tmp_path / "data"
    path.mkdir()
    return path
