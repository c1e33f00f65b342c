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


@pytest.fixture(scope="session")
def shared_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    """One server with embedded defaults for the session (so one per xdist worker), used by the
    modules that set SHARES_SERVER: each pays a server start and the worker pool's imports
    (torch, transformers, peft) once instead of once a module."""
    process = ServerProcess(Path(tmp_path_factory.mktemp("shared-server"))).start()
    yield process
    process.stop()


@pytest.fixture(scope="module")
def server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ServerProcess]:
    """One server with embedded defaults (SQLite, local disk) per test module, or the session's
    shared one for a module that sets SHARES_SERVER = True: a module whose assertions are about
    its own jobs, files and models, and that waits for every job it starts to end."""
    if getattr(request.module, "SHARES_SERVER", False):
        yield request.getfixturevalue("shared_server")
        return
    process = ServerProcess(Path(tmp_path_factory.mktemp("server"))).start()
    yield process
    process.stop()


@pytest.fixture(scope="module")
def client(server: ServerProcess) -> openai.OpenAI:
    """The official OpenAI client for the module's server."""
    return openai_client(server)
