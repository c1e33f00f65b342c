"""deploy/vllm-plugin: vLLM's registry holds Whetstone's resolver, which fetches a real adapter
from a real `whetstone serve` by its storage key, and refuses what it must.

The resolver runs in vLLM's environment (.venv-vllm, `make install-vllm`), so the checks run
there, in one subprocess (tests/deploy/vllm_plugin_probe.py); the server runs from ours.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.harness import REPO_ROOT, ServerProcess
from tests.inference.fixtures import emulator_dir, lora_adapter, shared_models_dir

pytestmark = pytest.mark.e2e

VLLM_PYTHON = REPO_ROOT / ".venv-vllm" / "bin" / "python"
PROBE = Path(__file__).with_name("vllm_plugin_probe.py")
TOKEN = "internal-token-of-the-plugin-test"
KEY = "jobs/ftjob-PluginTest0123456789abcdef/checkpoints/step-2/adapter"

if not VLLM_PYTHON.exists():
    pytest.skip(
        f"{VLLM_PYTHON} is absent: `make install-vllm` builds it (`make test` does)",
        allow_module_level=True,
    )


@pytest.fixture(scope="module")
def adapter(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A real peft LoRA adapter on the emulator."""
    models = shared_models_dir(tmp_path_factory)
    return lora_adapter(emulator_dir(models), tmp_path_factory.mktemp("adapter"), seed=11)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, adapter: Path) -> Iterator[ServerProcess]:
    """A server whose local store holds the adapter under KEY, as a job's checkpoint."""
    data_dir = tmp_path_factory.mktemp("server")
    # The local store keeps each object at artifacts/<key>.
    shutil.copytree(adapter, data_dir / "artifacts" / KEY)
    process = ServerProcess(data_dir, env={"WHETSTONE_INTERNAL_TOKEN": TOKEN}).start()
    yield process
    process.stop()


def files_of(directory: Path) -> dict[str, bytes]:
    """Every file under `directory` by relative path, with its bytes."""
    return {
        path.relative_to(directory).as_posix(): path.read_bytes()
        for path in directory.rglob("*")
        if path.is_file()
    }


def test_vllm_resolves_a_stored_adapter_through_whetstone(
    server: ServerProcess, adapter: Path, tmp_path: Path
) -> None:
    cache = tmp_path / "adapter-cache"
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("WHETSTONE_", "VLLM_"))},
        "WHETSTONE_URL": server.base_url,
        "WHETSTONE_INTERNAL_TOKEN": TOKEN,
        "WHETSTONE_VLLM_ADAPTER_CACHE": str(cache),
        # The checkout's plugin source, not Whetstone's modules (vLLM's environment has its own
        # transformers and fastapi); the entry point comes from the installed copy.
        "PYTHONPATH": str(REPO_ROOT / "deploy" / "vllm-plugin"),
    }
    done = subprocess.run(
        [str(VLLM_PYTHON), str(PROBE), KEY],
        env=env,
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])

    # Registered through the `vllm.general_plugins` entry point, next to vLLM's own.
    assert "whetstone" in result["resolvers"]
    assert result["lora_name"] == KEY
    assert result["lora_int_id"] > 0
    path = Path(result["lora_path"])
    assert path.parent == cache
    assert files_of(path) == files_of(adapter)
    assert result["same_path_again"]
    # A key Whetstone does not have: no adapter, so vLLM answers its own 404.
    assert result["missing"] is None
    # A wrong token: refused, saying why, without the token.
    assert "401" in result["wrong_token"]
    assert "WHETSTONE_INTERNAL_TOKEN" in result["wrong_token"]
    assert set(result["unsafe"]) == {"dotdot", "absolute", "symlink", "hardlink"}
    for kind, outcome in result["unsafe"].items():
        assert outcome.startswith("refused"), (kind, outcome)
    # An answer cut short fails the fetch, naming the adapter, and leaves nothing behind,
    # also when it ends between two members, which tarfile alone takes for the end.
    for kind, outcome in result["truncated"].items():
        assert outcome.startswith(f"refused: cannot unpack adapter jobs/ftjob-{kind}"), outcome
    assert result["escaped"] == []
