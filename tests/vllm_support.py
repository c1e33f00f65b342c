"""Finding vLLM for the tests that run a real vLLM server, and the processes it leaves."""

from __future__ import annotations

import os
import shlex
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
VLLM_PYTHON = REPO_ROOT / ".venv-vllm" / "bin" / "python"
VLLM_SERVER_MODULE = "vllm.entrypoints.openai.api_server"


def vllm_command() -> str:
    """The command that starts vLLM's OpenAI server (WHETSTONE_VLLM_COMMAND wins)."""
    return os.environ.get("WHETSTONE_VLLM_COMMAND") or shlex.join(
        [str(VLLM_PYTHON), "-m", VLLM_SERVER_MODULE]
    )


requires_vllm = pytest.mark.skipif(
    not VLLM_PYTHON.exists() and "WHETSTONE_VLLM_COMMAND" not in os.environ,
    reason="vLLM is not installed: run `make install-vllm` (it builds .venv-vllm)",
)


def descendants(pid: int) -> dict[int, str]:
    """Every live process below `pid`, by id, with its command line."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        parent = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(parent, []).append(int(entry.name))
    found: dict[int, str] = {}
    stack = [pid]
    while stack:
        for child in children.get(stack.pop(), []):
            found[child] = command_line(child)
            stack.append(child)
    return found


def command_line(pid: int) -> str:
    """The process's command line ('' once it is gone)."""
    try:
        return (Path("/proc") / str(pid) / "cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


def alive(pid: int) -> bool:
    """Whether the process exists and is not a zombie."""
    try:
        stat = (Path("/proc") / str(pid) / "stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"
