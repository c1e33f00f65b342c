"""The supervisor of vLLM processes, on a stand-in server that starts in a second.

The stand-in answers `/health` like vLLM's API server and, like it, spawns a child that stays
behind when the server alone is killed (vLLM's EngineCore). The real server is exercised in
tests/e2e/test_vllm_serving.py; here each failure path runs in seconds.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from service.core.errors import EngineUnavailableError
from service.inference.adapter_files import AdapterFiles
from service.inference.engines.vllm.client import VllmEngine
from service.inference.engines.vllm.supervisor import VllmProcess, VllmReplicas, free_port
from service.storage.local import LocalStore
from tests.vllm_support import alive, descendants

STAND_IN = """
import http.server, subprocess, sys
# The EngineCore's stand-in: a child that outlives this process if nobody kills it.
subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"])
class Health(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(200 if self.path == "/health" else 404)
        self.end_headers()
    def do_POST(self):
        body = self.rfile.read(int(self.headers["content-length"])).decode()
        with open(sys.argv[2], "a") as posts:
            posts.write(f"{self.path} {body}\\n")
        self.send_response(200)
        self.end_headers()
    def log_message(self, *args):
        pass
http.server.HTTPServer(("127.0.0.1", int(sys.argv[1])), Health).serve_forever()
"""


async def ready(backend: VllmProcess | VllmReplicas, timeout: float = 30) -> str:
    """The backend's URL once it answers."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            return backend.url()
        except EngineUnavailableError:
            assert time.monotonic() < deadline, "the stand-in never became ready"
            await asyncio.sleep(0.1)


def stand_in(tmp_path: Path) -> VllmProcess:
    script = tmp_path / "stand_in.py"
    script.write_text(STAND_IN)
    port = free_port()
    return VllmProcess(
        "tiny",
        [sys.executable, str(script), str(port), str(tmp_path / "posts.log")],
        env=dict(os.environ),
        port=port,
        log_path=tmp_path / "vllm.log",
        start_timeout=30,
    )


def test_a_killed_server_is_restarted_and_leaves_no_orphans(tmp_path: Path) -> None:
    backend = stand_in(tmp_path)

    async def scenario() -> None:
        await backend.start()
        with pytest.raises(EngineUnavailableError) as starting:
            backend.url()
        assert starting.value.status_code == 503 and starting.value.code == "engine_unavailable"
        assert starting.value.retry_after_seconds
        url = await ready(backend)
        first_epoch, guard = backend.epoch, backend.pid
        assert guard is not None
        group = descendants(guard)
        server = next(pid for pid, command in group.items() if "stand_in.py" in command)
        assert len(group) == 2, group  # the server and its child
        os.kill(server, signal.SIGKILL)
        # Within the health interval the backend stops sending requests there...
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            try:
                backend.url()
            except EngineUnavailableError:
                break
            await asyncio.sleep(0.05)
        else:
            pytest.fail("the backend still offered a dead server")
        # ...and the server comes back, a new process, its predecessor's child gone with it.
        assert await ready(backend) == url
        assert backend.epoch == first_epoch + 1
        assert not [pid for pid in group if alive(pid)]
        second = [*descendants(backend.pid or 0), backend.pid or 0]
        await backend.stop()
        deadline = time.monotonic() + 5
        while any(alive(pid) for pid in second) and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
        assert not [pid for pid in second if alive(pid)]

    asyncio.run(scenario())


def test_whetstone_dying_takes_the_servers_whole_group_with_it(tmp_path: Path) -> None:
    """A `whetstone serve` killed with SIGKILL (no shutdown code runs) leaves no vLLM."""
    script = tmp_path / "stand_in.py"
    script.write_text(STAND_IN)
    guard = Path(__file__).parents[4] / "service/inference/engines/vllm/guard.py"
    port = free_port()
    # A parent that starts the guard as the supervisor does, then waits to be killed.
    parent = tmp_path / "parent.py"
    parent.write_text(
        "import os, subprocess, sys, time\n"
        f"subprocess.Popen([sys.executable, {str(guard)!r}, str(os.getpid()), sys.executable, "
        f"{str(script)!r}, '{port}'], start_new_session=True)\n"
        "time.sleep(600)\n"
    )
    whetstone = subprocess.Popen([sys.executable, str(parent)])
    deadline = time.monotonic() + 30
    while len(descendants(whetstone.pid)) < 3 and time.monotonic() < deadline:
        time.sleep(0.05)
    group = descendants(whetstone.pid)
    assert len(group) == 3, group  # guard, server, the server's child
    whetstone.kill()
    whetstone.wait()
    deadline = time.monotonic() + 5
    while any(alive(pid) for pid in group) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not [pid for pid in group if alive(pid)]


def test_replicas_elsewhere_are_used_while_healthy(tmp_path: Path) -> None:
    backend = stand_in(tmp_path)

    async def scenario() -> None:
        await backend.start()
        url = await ready(backend)
        dead = f"http://127.0.0.1:{free_port()}"
        replicas = VllmReplicas("tiny", (url, dead))
        await replicas.start()
        try:
            # Checked at start: the healthy one serves the first request, the dead one never.
            assert {replicas.url() for _ in range(4)} == {url}
            replicas.failed(url)
            with pytest.raises(EngineUnavailableError):
                replicas.url()
            assert await ready(replicas, timeout=10) == url
            # A deleted model is unloaded from every replica, whoever loaded it there.
            engine = VllmEngine(
                name="tiny",
                backend=replicas,
                tokenizer=None,
                eos_ids=set(),
                context_length=64,
                adapter_files=AdapterFiles(LocalStore(tmp_path / "store"), tmp_path / "cache"),
                zero_adapter="_whetstone/zero-adapters/tiny",
                read_timeout=5,
            )
            await engine.forget_adapter("jobs/ftjob-x/adapter")
            posts = (tmp_path / "posts.log").read_text()
            assert posts.startswith("/v1/unload_lora_adapter ")
            assert json.loads(posts.split(" ", 1)[1]) == {"lora_name": "jobs/ftjob-x/adapter"}
        finally:
            await replicas.stop()
            await backend.stop()

    asyncio.run(scenario())
