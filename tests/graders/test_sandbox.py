"""The python grader sandbox against hostile graders: each comes back as a clean runtime error
(or a score computed without what it was after), within its limits, and the server lives on.

The kernel-level cases need user namespaces, Landlock and seccomp; where the kernel lacks
them the strict sandbox refuses to run anything, and those cases are skipped with the reason.
"""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from service.graders.sandbox import PythonOutcome, PythonSandbox
from tests.graders.fixtures import TEST_LIMITS, needs_sandbox

SAMPLE = {"output_text": "Paris", "output_json": None, "output_tools": []}


def run(sandbox: PythonSandbox, source: str, item: Any = None) -> PythonOutcome:
    """grade() of `source` in the sandbox."""
    return asyncio.run(sandbox.run(source, SAMPLE, item if item is not None else {}))


kernel = needs_sandbox


@pytest.fixture(autouse=True)
def own_tempdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Sandbox directories under the test's tmp dir, to check that each one is removed."""
    directory = tmp_path / "sandboxes"
    directory.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(directory))
    yield directory
    assert list(directory.iterdir()) == [], "a sandbox directory was left behind"


def runtime_error(outcome: PythonOutcome) -> str:
    """The details of a runtime error (failing when the outcome is anything else)."""
    assert outcome.error == "runtime", outcome
    assert outcome.score is None and outcome.details
    return outcome.details


def test_a_grader_scores_the_sample_and_item(sandbox: PythonSandbox) -> None:
    source = (
        "def grade(sample, item):\n"
        "    return 1.0 if sample['output_text'] == item['label'] else 0.25\n"
    )
    assert run(sandbox, source, {"label": "Paris"}).score == 1.0
    assert run(sandbox, source, {"label": "Rome"}).score == 0.25


def test_a_grader_may_use_the_standard_library_and_installed_packages(
    sandbox: PythonSandbox,
) -> None:
    source = (
        "import json, math, re\n"
        "from rapidfuzz import fuzz\n"
        "def grade(sample, item):\n"
        "    return fuzz.ratio(sample['output_text'], 'Paris') / 100 * math.cos(0)\n"
    )
    assert run(sandbox, source).score == 1.0


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("def grade(sample, item):\n    raise ValueError('no label')\n", "ValueError: no label"),
        ("def grade(sample, item):\n    return 'high'\n", "returned str, not a number"),
        ("def grade(sample, item):\n    return True\n", "returned bool, not a number"),
        ("def grade(sample, item):\n    return float('nan')\n", "not a finite number"),
        ("def grade(sample, item):\n    return 10 ** 400\n", "not a finite number"),
        ("grade = 3\n", "defines no function grade()"),
        ("import sys\ndef grade(sample, item):\n    sys.exit(0)\n", "SystemExit"),
        ("import os\ndef grade(sample, item):\n    os._exit(3)\n", "status 3"),
        ("def grade(sample, item):\n    return grade(sample, item)\n", "RecursionError"),
    ],
)
def test_a_failing_grader_is_a_runtime_error_with_details(
    sandbox: PythonSandbox, source: str, expected: str
) -> None:
    assert expected in runtime_error(run(sandbox, source))


def test_an_endless_loop_is_stopped(sandbox: PythonSandbox) -> None:
    started = time.monotonic()
    details = runtime_error(
        run(sandbox, "def grade(sample, item):\n    while True:\n        pass\n")
    )
    # The CPU limit ends it, or on a loaded machine the wall clock first.
    assert "CPU time limit of 1 s" in details or "wall-clock limit of 1 s" in details
    assert time.monotonic() - started < 5


def test_the_limits_are_set_and_cannot_be_raised(sandbox: PythonSandbox) -> None:
    source = (
        "import resource\n"
        "def grade(sample, item):\n"
        "    limits = [resource.getrlimit(getattr(resource, name)) for name in item['names']]\n"
        "    assert all(soft == hard for soft, hard in limits), limits\n"
        "    try:\n"
        "        resource.setrlimit(resource.RLIMIT_CPU, (100, 100))\n"
        "    except ValueError:\n"
        "        return float(limits[0][0] + limits[1][0] + limits[2][0])\n"
        "    return -1.0\n"
    )
    names = ["RLIMIT_CPU", "RLIMIT_AS", "RLIMIT_FSIZE", "RLIMIT_CORE"]
    expected = 1 + TEST_LIMITS.memory_bytes + 16 * 1024 * 1024
    assert run(sandbox, source, {"names": names}).score == float(expected)


def test_a_sleeping_grader_stops_at_the_wall_clock_limit(sandbox: PythonSandbox) -> None:
    started = time.monotonic()
    source = "import time\ndef grade(sample, item):\n    time.sleep(60)\n"
    assert "wall-clock limit of 1 s" in runtime_error(run(sandbox, source))
    assert time.monotonic() - started < 5


@pytest.mark.parametrize(
    "source",
    [
        "def grade(sample, item):\n    x = bytearray(10 ** 11)\n    return 1.0\n",
        "def grade(sample, item):\n    x = []\n    while True:\n        x.append(' ' * 10 ** 6)\n",
    ],
)
def test_a_memory_bomb_stops_at_the_memory_limit(sandbox: PythonSandbox, source: str) -> None:
    assert "MemoryError" in runtime_error(run(sandbox, source))


def test_the_environment_of_the_server_is_not_inherited(
    sandbox: PythonSandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("WHETSTONE_TEST_SECRET", "s3cret-value")
    source = (
        "import os\n"
        "def grade(sample, item):\n"
        "    seen = ' '.join(os.environ.values())\n"
        "    for path in ('/proc/self/environ', '/proc/1/environ',\n"
        '                 f"/proc/{item[\'pid\']}/environ", f"/proc/{os.getppid()}/environ"):\n'
        "        try:\n"
        "            seen += open(path, errors='replace').read()\n"
        "        except OSError:\n"
        "            pass\n"
        "    return 1.0 if 's3cret-value' in seen else 0.0\n"
    )
    assert run(sandbox, source, {"pid": os.getpid()}).score == 0.0


@kernel
def test_no_connection_leaves_the_sandbox(sandbox: PythonSandbox, tmp_path: Path) -> None:
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    listener.setblocking(False)
    unix_path = tmp_path / "server.sock"
    unix_listener = socket.socket(socket.AF_UNIX)
    unix_listener.bind(str(unix_path))
    unix_listener.listen()
    unix_listener.setblocking(False)
    attempts = {
        "tcp": "socket.create_connection(('127.0.0.1', item['port']), timeout=1)",
        "udp": "socket.socket(socket.AF_INET, socket.SOCK_DGRAM).sendto(b'x', ('1.1.1.1', 53))",
        "unix": "s = socket.socket(socket.AF_UNIX); s.connect(item['unix'])",
        "dns": "socket.getaddrinfo('example.com', 80)",
    }
    try:
        for name, attempt in attempts.items():
            source = f"import socket\ndef grade(sample, item):\n    {attempt}\n    return 1.0\n"
            outcome = run(
                sandbox, source, {"port": listener.getsockname()[1], "unix": str(unix_path)}
            )
            assert outcome.score is None, name
            runtime_error(outcome)
        for server in (listener, unix_listener):
            with pytest.raises(BlockingIOError):
                server.accept()  # nothing ever connected
    finally:
        listener.close()
        unix_listener.close()


@kernel
def test_writes_outside_the_working_directory_fail(sandbox: PythonSandbox, tmp_path: Path) -> None:
    target = tmp_path / "outside.txt"
    existing = tmp_path / "existing.txt"
    existing.write_text("keep me")
    for path in (target, existing, Path.home() / "whetstone-sandbox-test"):
        source = (
            "def grade(sample, item):\n"
            f"    open({str(path)!r}, 'a').write('owned')\n"
            "    return 1.0\n"
        )
        assert "PermissionError" in runtime_error(run(sandbox, source))
    assert not target.exists() and existing.read_text() == "keep me"
    inside = (
        "import os\n"
        "def grade(sample, item):\n"
        "    open('scratch.txt', 'w').write('fine')\n"
        "    os.mkdir('sub')\n"
        "    return float(len(open('scratch.txt').read()))\n"
    )
    assert run(sandbox, inside).score == 4.0


@kernel
def test_files_outside_python_cannot_be_read(sandbox: PythonSandbox, tmp_path: Path) -> None:
    secret = tmp_path / "keys.json"
    secret.write_text('{"sk-secret": {"project": "p"}}')
    for path in (secret, Path("/etc/passwd"), Path(__file__)):
        source = f"def grade(sample, item):\n    return float(len(open({str(path)!r}).read()))\n"
        assert "PermissionError" in runtime_error(run(sandbox, source))


@kernel
@pytest.mark.parametrize(
    "source",
    [
        "import os\ndef grade(sample, item):\n    while True:\n        os.fork()\n",
        "import subprocess\ndef grade(sample, item):\n    subprocess.run(['true'])\n",
        "import os\ndef grade(sample, item):\n    os.execv('/bin/sh', ['sh', '-c', 'true'])\n",
        "import threading\ndef grade(sample, item):\n"
        "    threading.Thread(target=print).start()\n    return 1.0\n",
    ],
)
def test_no_process_or_thread_can_be_started(sandbox: PythonSandbox, source: str) -> None:
    runtime_error(run(sandbox, source))


@kernel
def test_the_grader_cannot_signal_processes_outside(sandbox: PythonSandbox) -> None:
    victim = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        source = (
            "import os, signal\n"
            "def grade(sample, item):\n"
            "    os.kill(item['pid'], signal.SIGKILL)\n"
            "    return 1.0\n"
        )
        assert "ProcessLookupError" in runtime_error(run(sandbox, source, {"pid": victim.pid}))
        suicide = "import os\ndef grade(sample, item):\n    os.kill(os.getppid(), 9)\n"
        runtime_error(run(sandbox, suicide))
        assert victim.poll() is None, "the victim was killed"
    finally:
        victim.kill()
        victim.wait()


def test_a_flood_of_output_neither_blocks_nor_bloats_the_server(sandbox: PythonSandbox) -> None:
    source = (
        "import sys\n"
        "def grade(sample, item):\n"
        "    for _ in range(100):\n"
        "        sys.stdout.write('x' * 1_000_000)\n"
        "    return 1.0\n"
    )
    started = time.monotonic()
    outcome = run(sandbox, source)
    # The 16 MiB file-size limit cuts the output; either way an answer comes back quickly.
    assert outcome.score == 1.0 or "File too large" in runtime_error(outcome)
    assert time.monotonic() - started < 5


def test_graders_run_concurrently_without_sharing_anything(sandbox: PythonSandbox) -> None:
    source = (
        "import os\n"
        "def grade(sample, item):\n"
        "    open('mine', 'w').write(str(item['n']))\n"
        "    return float(open('mine').read()) + len(os.listdir('.')) - 1\n"
    )

    async def together() -> list[PythonOutcome]:
        return await asyncio.gather(*(sandbox.run(source, SAMPLE, {"n": n}) for n in range(4)))

    assert [o.score for o in asyncio.run(together())] == [0.0, 1.0, 2.0, 3.0]


def test_a_sandbox_the_kernel_refuses_is_a_server_error() -> None:
    sandbox = PythonSandbox(TEST_LIMITS)
    outcome = sandbox._outcome(b'{"error": "sandbox", "details": "landlock: ENOSYS"}\n', "", 0)
    assert outcome.error == "server" and outcome.server_error_type == "sandbox_unavailable"
    assert "landlock: ENOSYS" in (outcome.details or "")
    assert sandbox._outcome(b"", "Traceback ...", 1).error == "runtime"


def test_the_basic_sandbox_still_limits_and_hides_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    basic = PythonSandbox(replace(TEST_LIMITS, strict=False))
    monkeypatch.setenv("WHETSTONE_TEST_SECRET", "s3cret-value")
    env = (
        "import os\ndef grade(sample, item):\n    return float('s3cret-value' in str(os.environ))\n"
    )
    assert run(basic, env).score == 0.0
    assert "MemoryError" in runtime_error(
        run(basic, "def grade(sample, item):\n    x = bytearray(10 ** 11)\n")
    )


def test_a_grader_that_kills_its_own_process_group_ends_only_the_sandbox(
    sandbox: PythonSandbox,
) -> None:
    source = "import os, signal\ndef grade(sample, item):\n    os.killpg(0, signal.SIGKILL)\n"
    runtime_error(run(sandbox, source))  # the signal reaches no process outside the sandbox
    assert run(sandbox, "def grade(sample, item):\n    return 2.0\n").score == 2.0
