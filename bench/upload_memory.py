"""Peak server memory while uploading a 300 MB file to POST /v1/files.

Starts `whetstone serve` in a temp dir, measures its VmHWM (peak RSS) once idle and warmed
up, streams a 300 MB multipart body from a generator (the client never holds the file
either), and prints the peak growth against the idle baseline and against the file size.

    .venv/bin/python bench/upload_memory.py [--mib 300] [--storage-url s3://... --endpoint ...]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.harness import ServerProcess

MIB = 1024 * 1024
BOUNDARY = "whetstone-bench"


def status_kib(pid: int, field: str) -> int:
    """A memory field of /proc/<pid>/status in KiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1])
    raise KeyError(field)


def body(size: int) -> Iterator[bytes]:
    """A multipart body with a `size`-byte JSONL file, generated 1 MiB at a time."""
    yield (
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="purpose"\r\n\r\nfine-tune\r\n'
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="file"; '
        'filename="big.jsonl"\r\nContent-Type: application/jsonl\r\n\r\n'
    ).encode()
    line = b'{"messages": [{"role": "user", "content": "hi"}]}\n'
    block = (line * (MIB // len(line) + 1))[:MIB]
    for start in range(0, size, MIB):
        yield block[: min(MIB, size - start)]
    yield f"\r\n--{BOUNDARY}--\r\n".encode()


def main() -> None:
    """Run the benchmark and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mib", type=int, default=300, help="file size in MiB")
    parser.add_argument("--storage-url", help="WHETSTONE_STORAGE_URL (default: local disk)")
    parser.add_argument("--endpoint", help="WHETSTONE_S3_ENDPOINT_URL")
    args = parser.parse_args()
    size = args.mib * MIB
    env = {"WHETSTONE_SCHEDULER_ENABLED": "false", "WHETSTONE_LOG_LEVEL": "warning"}
    if args.storage_url:
        env["WHETSTONE_STORAGE_URL"] = args.storage_url
    if args.endpoint:
        env["WHETSTONE_S3_ENDPOINT_URL"] = args.endpoint
    with tempfile.TemporaryDirectory() as tmp:
        server = ServerProcess(Path(tmp), env).start()
        try:
            auth = {"Authorization": "Bearer bench"}
            # Warm up: import every code path the upload uses before taking the baseline.
            warm = httpx.post(
                f"{server.base_url}/v1/files",
                files={"file": ("warm.jsonl", b"{}\n")},
                data={"purpose": "fine-tune"},
                headers=auth,
            )
            warm.raise_for_status()
            idle = status_kib(server.pid, "VmHWM")
            started = time.perf_counter()
            response = httpx.post(
                f"{server.base_url}/v1/files",
                content=body(size),
                headers={**auth, "content-type": f"multipart/form-data; boundary={BOUNDARY}"},
                timeout=600,
            )
            elapsed = time.perf_counter() - started
            response.raise_for_status()
            assert response.json()["bytes"] == size, response.text
            peak = status_kib(server.pid, "VmHWM")
        finally:
            server.stop()
    growth_mib = (peak - idle) / 1024
    print(f"file size:              {args.mib} MiB")
    print(f"server idle peak RSS:   {idle / 1024:.1f} MiB (baseline)")
    print(f"server peak RSS after:  {peak / 1024:.1f} MiB")
    print(f"peak growth:            {growth_mib:.1f} MiB")
    print(f"growth / file size:     {growth_mib / args.mib:.3f}")
    print(f"throughput:             {args.mib / elapsed:.0f} MiB/s ({elapsed:.1f} s)")
    if growth_mib >= 100:
        sys.exit(f"FAIL: peak RSS grew by {growth_mib:.1f} MiB (bound: 100 MiB)")


if __name__ == "__main__":
    main()
