"""Run by tests/deploy/test_vllm_plugin.py with vLLM's own Python (.venv-vllm), never by pytest.

Loads vLLM's general plugins as every vLLM process does, takes Whetstone's resolver from
vLLM's registry, and prints what it resolves as one JSON line:

    python vllm_plugin_probe.py KEY
"""

from __future__ import annotations

import asyncio
import http.server
import io
import json
import os
import sys
import tarfile
import tempfile
import threading
from pathlib import Path

from vllm.lora.resolver import LoRAResolverRegistry
from vllm.plugins import load_general_plugins
from whetstone_vllm.fetch import AdapterFetchError, UnsafeArchiveError
from whetstone_vllm.resolver import WhetstoneAdapterResolver
from whetstone_vllm.settings import ResolverSettings


def hostile_archives() -> dict[str, bytes]:
    """Tars whose members would land outside the adapter directory, by path or by link."""
    archives = {}
    for kind in ("dotdot", "absolute", "symlink", "hardlink"):
        buffer = io.BytesIO()
        with tarfile.open(fileobj=buffer, mode="w") as archive:
            config = tarfile.TarInfo("adapter_config.json")
            config.size = 2
            archive.addfile(config, io.BytesIO(b"{}"))
            if kind in ("dotdot", "absolute"):
                name = "../escaped.txt" if kind == "dotdot" else "/tmp/whetstone-escaped.txt"
                escaping = tarfile.TarInfo(name)
                escaping.size = 3
                archive.addfile(escaping, io.BytesIO(b"bad"))
            else:
                link = tarfile.TarInfo("escaped-link")
                link.type = tarfile.SYMTYPE if kind == "symlink" else tarfile.LNKTYPE
                link.linkname = "/etc/passwd"
                archive.addfile(link)
        archives[kind] = buffer.getvalue()
    return archives


def serve_hostile(archives: dict[str, bytes]) -> str:
    """A stdlib HTTP server answering GET .../adapters/jobs/ftjob-{kind}/adapter with a tar."""

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            kind = self.path.split("/ftjob-")[1].split("/")[0]
            if kind.startswith("truncated"):
                # A store that fails mid-stream: the answer ends before its content-length,
                # inside a member or just after one (adapter_config.json: 1024 bytes).
                body = archives["dotdot"]
                self.send_response(200)
                self.send_header("content-length", str(len(body)))
                self.end_headers()
                self.wfile.write(body[: 700 if kind == "truncated-inside" else 1024])
                self.close_connection = True
                return
            body = archives[kind]
            self.send_response(200)
            self.send_header("content-length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{server.server_address[1]}"


async def probe(key: str) -> dict[str, object]:
    """What the registered resolver and a few hand-built ones make of real and hostile keys."""
    load_general_plugins()
    resolver = LoRAResolverRegistry.get_resolver("whetstone")
    found = await resolver.resolve_lora("base-model", key)
    again = await resolver.resolve_lora("base-model", key)
    missing = await resolver.resolve_lora("base-model", "jobs/ftjob-nothere/adapter")
    settings = ResolverSettings.from_environment()
    assert settings is not None
    wrong_token = WhetstoneAdapterResolver(
        ResolverSettings(settings.url, "not-the-token-at-all", settings.cache_dir / "wrong")
    )
    try:
        await wrong_token.resolve_lora("base-model", key)
        refused = ""
    except AdapterFetchError as exc:
        refused = str(exc)
    sandbox = Path(tempfile.mkdtemp())
    hostile = WhetstoneAdapterResolver(
        ResolverSettings(serve_hostile(hostile_archives()), "token", sandbox / "cache")
    )
    unsafe = {}
    for kind in ("dotdot", "absolute", "symlink", "hardlink"):
        try:
            await hostile.resolve_lora("base-model", f"jobs/ftjob-{kind}/adapter")
            unsafe[kind] = "accepted"
        except UnsafeArchiveError as exc:
            unsafe[kind] = f"refused: {exc}"
    truncated = {}
    for kind in ("truncated-inside", "truncated-between"):
        try:
            await hostile.resolve_lora("base-model", f"jobs/ftjob-{kind}/adapter")
            truncated[kind] = "accepted"
        except UnsafeArchiveError as exc:
            truncated[kind] = f"unsafe: {exc}"
        except AdapterFetchError as exc:
            truncated[kind] = f"refused: {exc}"
    return {
        "truncated": truncated,
        "resolvers": sorted(LoRAResolverRegistry.get_supported_resolvers()),
        "lora_name": found.lora_name if found else None,
        "lora_path": found.lora_path if found else None,
        "lora_int_id": found.lora_int_id if found else None,
        "same_path_again": again is not None
        and found is not None
        and again.lora_path == found.lora_path,
        "missing": missing,
        "wrong_token": refused,
        "unsafe": unsafe,
        # Nothing of a refused archive stays: no file outside, no staging dir inside.
        "escaped": sorted(p.name for p in sandbox.rglob("*") if p.name != "cache")
        + [p for p in ("/tmp/escaped.txt", "/tmp/whetstone-escaped.txt") if os.path.exists(p)],
    }


if __name__ == "__main__":
    print(json.dumps(asyncio.run(probe(sys.argv[1]))))
