"""The official OpenAI Node SDK runs the whole workflow against a server process.

tests/e2e/node/workflow.mjs does the work; `npm ci` installs the locked `openai` package into
tests/e2e/node/node_modules (git-ignored) once and reuses it afterwards. Skipped, saying why,
where Node.js 20+ or npm is absent or the npm registry cannot be reached.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.contract.workflow import BASE_MODEL, training_jsonl
from tests.harness import ServerProcess

pytestmark = [pytest.mark.e2e, pytest.mark.slow]
# Its assertions are about its own jobs, files and models: the worker's shared server will do.
SHARES_SERVER = True

NODE_DIR = Path(__file__).with_name("node")
MIN_NODE_MAJOR = 20
# npm's codes for "the registry cannot be reached", as opposed to a broken package or lock file.
OFFLINE_CODES = ("ENOTFOUND", "EAI_AGAIN", "ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "ENETUNREACH")


def locked_version() -> str:
    """The `openai` version package-lock.json pins."""
    lock = json.loads((NODE_DIR / "package-lock.json").read_text())
    return lock["packages"]["node_modules/openai"]["version"]


def installed_version() -> str | None:
    """The `openai` version in node_modules, if any."""
    manifest = NODE_DIR / "node_modules" / "openai" / "package.json"
    return json.loads(manifest.read_text())["version"] if manifest.exists() else None


@pytest.fixture(scope="module")
def node() -> str:
    """The node executable, with the locked SDK installed next to workflow.mjs."""
    node, npm = shutil.which("node"), shutil.which("npm")
    if node is None or npm is None:
        pytest.skip("Node.js is not installed (no `node` or `npm` on PATH)")
    version = subprocess.run([node, "--version"], capture_output=True, text=True, check=True)
    major = int(version.stdout.strip().lstrip("v").split(".")[0])
    if major < MIN_NODE_MAJOR:
        pytest.skip(f"Node.js {version.stdout.strip()} is older than {MIN_NODE_MAJOR}")
    if installed_version() != locked_version():
        install = subprocess.run(
            [npm, "ci", "--no-audit", "--no-fund"],
            cwd=NODE_DIR,
            capture_output=True,
            text=True,
            timeout=300,
        )
        if install.returncode != 0:
            if any(code in install.stderr for code in OFFLINE_CODES):
                pytest.skip(f"npm cannot reach its registry: {install.stderr.strip()[-300:]}")
            pytest.fail(f"npm ci failed: {install.stderr[-2000:]}")
    return node


def run_workflow(node: str, server: ServerProcess, tmp_path: Path) -> dict[str, Any]:
    """Run workflow.mjs against `server`; its JSON summary."""
    training = tmp_path / "train.jsonl"
    training.write_bytes(training_jsonl())
    env = {
        **os.environ,
        "OPENAI_BASE_URL": f"{server.base_url}/v1",
        "OPENAI_API_KEY": "sk-node",
    }
    result = subprocess.run(
        [node, "workflow.mjs", str(training), "Tell me about tool number 3."],
        cwd=NODE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, f"workflow.mjs failed:\n{result.stderr[-3000:]}"
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_the_node_sdk_runs_the_whole_workflow(
    node: str, server: ServerProcess, tmp_path: Path
) -> None:
    summary = run_workflow(node, server, tmp_path)
    assert summary["sdkVersion"] == locked_version()
    assert summary["status"] == "succeeded"
    assert summary["fineTunedModel"].startswith(f"ft:{BASE_MODEL}:")
    assert ":node:" in summary["fineTunedModel"]
    # Newest first, paged in threes.
    assert summary["eventPages"] >= 2
    assert summary["eventMessages"][0] == "The job has successfully completed"
    assert summary["eventMessages"][-1] == f"Created fine-tuning job: {summary['jobId']}"
    assert summary["reply"]
    assert summary["streamed"] == summary["reply"]
    assert summary["chunks"] >= 2
    assert summary["usage"]["completion_tokens"] > 0
    assert summary["notFound"] == {"isNotFoundError": True, "status": 404}
