"""clients/python is exactly what the pinned generator makes of openapi/openapi.json."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.harness import REPO_ROOT

CLIENTS = REPO_ROOT / "clients"
COMMITTED = CLIENTS / "python"
FIX = "run `make openapi client` and commit openapi/ and clients/python/"
# Made by tools that run on the tree (installs, test runs), never by the generator.
NOT_GENERATED = {"__pycache__", ".ruff_cache", ".pytest_cache", "build", "dist"}


def generate(output: Path) -> None:
    """Run the generator as `make client` does, into `output`."""
    bin_dir = Path(sys.executable).parent
    subprocess.run(
        [
            sys.executable,
            "-m",
            "openapi_python_client",
            "generate",
            "--path",
            str(REPO_ROOT / "openapi" / "openapi.json"),
            "--config",
            str(CLIENTS / "openapi-python-client.yaml"),
            "--custom-template-path",
            str(CLIENTS / "templates"),
            "--meta",
            "setup",
            "--output-path",
            str(output),
        ],
        check=True,
        capture_output=True,
        env={**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}"},
        timeout=120,
    )


def tree(root: Path) -> dict[str, bytes]:
    """Every generated file under `root`, by relative path."""
    return {
        path.relative_to(root).as_posix(): path.read_bytes()
        for path in sorted(root.rglob("*"))
        if path.is_file()
        and not NOT_GENERATED.intersection(path.relative_to(root).parts)
        and not path.parent.name.endswith(".egg-info")
    }


def test_the_committed_client_is_what_the_generator_makes(tmp_path: Path) -> None:
    fresh = tmp_path / "python"
    generate(fresh)
    expected, committed = tree(fresh), tree(COMMITTED)
    missing = sorted(set(expected) - set(committed))
    extra = sorted(set(committed) - set(expected))
    changed = sorted(p for p in set(expected) & set(committed) if expected[p] != committed[p])
    assert not (missing or extra or changed), (
        f"clients/python is stale ({FIX}): missing {missing}, not generated {extra}, "
        f"changed {changed}"
    )


def test_the_client_builds_offline_with_what_is_installed(tmp_path: Path) -> None:
    pytest.importorskip("setuptools", reason="an offline build needs setuptools installed")
    # A copy: setuptools builds in the source tree and would leave build/ behind.
    source = shutil.copytree(
        COMMITTED, tmp_path / "source", ignore=shutil.ignore_patterns(*NOT_GENERATED)
    )
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--quiet",
            "--no-deps",
            "--no-build-isolation",
            "--no-index",
            "--wheel-dir",
            str(tmp_path),
            str(source),
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )
    (wheel,) = tmp_path.glob("whetstone_client-*.whl")
    assert wheel.name.startswith("whetstone_client-0.1.0-")
