"""The official `openai` command-line tool drives the workflow against a server process.

openai-python dropped its CLI in 2.35.0, so the openai 3.x in .venv has no `openai` command. This
test installs the last release that ships it (2.34.0, its package only, plus `distro`, the one
dependency .venv lacks) into pytest's cache directory once, and runs it with that directory first
on PYTHONPATH. Skipped, saying why, when PyPI cannot be reached for that install.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import openai
import pytest

from tests.contract.workflow import (
    BASE_MODEL,
    FAST_HYPERPARAMETERS,
    training_jsonl,
    wait_for,
)
from tests.harness import ServerProcess

pytestmark = [pytest.mark.e2e, pytest.mark.slow]
# Its assertions are about its own jobs, files and models: the worker's shared server will do.
SHARES_SERVER = True

CLI_RELEASE = "openai==2.34.0"
CLI_EXTRA_DEPENDENCIES = ["distro==1.9.0"]
# pip's words for "the index cannot be reached", as opposed to a broken install.
OFFLINE_SIGNS = ("NewConnectionError", "Temporary failure in name resolution", "No matching dist")

# What the `openai` console script runs; `python -m openai` would drop the exit status.
CONSOLE_SCRIPT = "import sys; from openai.cli import main; sys.exit(main())"

Cli = Callable[..., subprocess.CompletedProcess[str]]


@pytest.fixture(scope="module")
def cli_packages(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A directory holding the CLI-bearing openai release, installed on first use."""
    name = "openai-cli-" + CLI_RELEASE.split("==")[1]
    cache = getattr(request.config, "cache", None)  # absent under -p no:cacheprovider
    target = cache.mkdir(name) if cache is not None else tmp_path_factory.mktemp(name)
    if not (target / "openai" / "cli" / "__init__.py").exists():
        install = subprocess.run(
            [
                *(sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--upgrade"),
                *("--target", str(target), CLI_RELEASE, *CLI_EXTRA_DEPENDENCIES),
            ],
            capture_output=True,
            text=True,
            timeout=300,
        )
        if install.returncode != 0:
            if any(sign in install.stderr for sign in OFFLINE_SIGNS):
                pytest.skip(f"PyPI cannot be reached to install {CLI_RELEASE}")
            pytest.fail(f"pip could not install {CLI_RELEASE}: {install.stderr[-2000:]}")
    return target


@pytest.fixture(scope="module")
def cli(cli_packages: Path, server: ServerProcess) -> Cli:
    """Run `openai <args>` against the server; the completed process."""
    env = {
        **os.environ,
        "PYTHONPATH": str(cli_packages),
        "OPENAI_BASE_URL": f"{server.base_url}/v1",
        "OPENAI_API_KEY": "sk-cli",
    }

    def run(*args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        done = subprocess.run(
            [sys.executable, "-c", CONSOLE_SCRIPT, *args],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        if check:
            assert done.returncode == 0, f"openai {' '.join(args)} failed:\n{done.stderr[-2000:]}"
        return done

    return run


def json_objects(text: str) -> list[Any]:
    """The JSON documents printed one after another (`models.list` prints one per model)."""
    decoder, documents, index = json.JSONDecoder(), [], 0
    while text[index:].strip():
        index += len(text[index:]) - len(text[index:].lstrip())
        document, index = decoder.raw_decode(text, index)
        documents.append(document)
    return documents


def test_the_cli_reports_its_release(cli: Cli) -> None:
    assert cli("--version").stdout.strip().endswith(CLI_RELEASE.split("==")[1])


def test_the_cli_runs_the_whole_workflow(cli: Cli, server: ServerProcess, tmp_path: Path) -> None:
    training = tmp_path / "train.jsonl"
    training.write_bytes(training_jsonl())
    uploaded = json.loads(cli("api", "files.create", "-f", str(training), "-p", "fine-tune").stdout)
    assert uploaded["purpose"] == "fine-tune"
    assert uploaded["bytes"] == training.stat().st_size

    create = ["fine_tuning.jobs.create", "-m", BASE_MODEL, "-F", uploaded["id"], "-s", "cli"]
    created = json.loads(cli("api", *create, "-H", json.dumps(FAST_HYPERPARAMETERS)).stdout)
    # Waiting is the SDK's part (one CLI start per poll would only cost time).
    sdk = openai.OpenAI(base_url=f"{server.base_url}/v1", api_key="sk-cli", max_retries=0)
    wait_for(lambda: sdk.fine_tuning.jobs.retrieve(created["id"]))
    job = json.loads(cli("api", "fine_tuning.jobs.retrieve", "-i", created["id"]).stdout)
    assert job["status"] == "succeeded"
    model = job["fine_tuned_model"]
    assert model.startswith(f"ft:{BASE_MODEL}:") and ":cli:" in model

    listing = cli("api", "fine_tuning.jobs.list_events", "-i", job["id"], "-l", "2")
    events = json.loads(listing.stdout)
    assert events["data"][0]["message"] == "The job has successfully completed"
    assert events["has_more"] is True

    ids = [entry["id"] for entry in json_objects(cli("api", "models.list").stdout)]
    assert BASE_MODEL in ids and model in ids

    prompt = ("user", "Tell me about tool number 3.")
    reply = cli(
        "api", "chat.completions.create", "-m", model, "-g", *prompt, "-t", "0", "-M", "16"
    ).stdout.strip()
    assert reply
    streamed = cli(
        "api", "chat.completions.create", "-m", model, "-g", *prompt, "-t", "0", "-M", "16",
        "--stream",
    ).stdout.strip()  # fmt: skip
    assert streamed == reply

    completion = cli("api", "completions.create", "-m", model, "-p", "Once", "-M", "4", "-t", "0")
    assert completion.stdout.strip()


def test_cli_errors_carry_the_status(cli: Cli) -> None:
    missing = cli("api", "fine_tuning.jobs.retrieve", "-i", "ftjob-does-not-exist", check=False)
    assert missing.returncode == 1
    assert "Error code: 404" in missing.stderr
