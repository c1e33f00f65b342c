"""End-to-end fixtures: a real server process driven with the official `openai` package."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import openai
import pytest

from tests.harness import ServerProcess

pytestmark = pytest.mark.e2e


def openai_client(server: ServerProcess, api_key: str = "sk-test") -> openai.OpenAI:
    """The official client pointed at `server`, with retries off so errors surface as-is."""
    return openai.OpenAI(base_url=f"{server.base_url}/v1", api_key=api_key, max_retries=0)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    """One server with embedded defaults (SQLite, local disk) per test module."""
    process = ServerProcess(Path(tmp_path_factory.mktemp("server"))).start()
    yield process
    process.stop()


@pytest.fixture(scope="module")
def client(server: ServerProcess) -> openai.OpenAI:
    """The official OpenAI client for the module's server."""
    return openai_client(server)
