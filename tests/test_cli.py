"""`whetstone serve`: bind address from settings and flags, and a one-line start-up failure."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from tests.harness import REPO_ROOT, MotoServer, ServerProcess, free_port, wait_for_http


def clean_env(data_dir: Path, **extra: str) -> dict[str, str]:
    """The test's environment without WHETSTONE_ variables, plus `extra`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("WHETSTONE_")}
    env.update(
        WHETSTONE_DATA_DIR=str(data_dir),
        WHETSTONE_SCHEDULER_ENABLED="false",
        PYTHONPATH=str(REPO_ROOT),
        **extra,
    )
    return env


def serve(data_dir: Path, args: list[str], **env: str) -> subprocess.Popen:
    """Start `python -m service serve` with `args`."""
    return subprocess.Popen(
        [sys.executable, "-m", "service", "serve", *args],
        env=clean_env(data_dir, **env),
        cwd=data_dir,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )


def stop(process: subprocess.Popen) -> None:
    """Terminate and reap."""
    process.terminate()
    process.wait(timeout=15)


def test_serve_honours_whetstone_host_and_port(data_dir: Path) -> None:
    port = free_port()
    process = serve(data_dir, [], WHETSTONE_HOST="127.0.0.1", WHETSTONE_PORT=str(port))
    try:
        wait_for_http(f"http://127.0.0.1:{port}/healthz", timeout=30, process=process)
    finally:
        stop(process)


def test_flags_override_the_environment(data_dir: Path) -> None:
    port = free_port()
    process = serve(
        data_dir,
        ["--host", "127.0.0.1", "--port", str(port)],
        WHETSTONE_HOST="192.0.2.1",  # unroutable: binding it would fail
        WHETSTONE_PORT=str(free_port()),
    )
    try:
        wait_for_http(f"http://127.0.0.1:{port}/healthz", timeout=30, process=process)
    finally:
        stop(process)


def test_a_missing_bucket_fails_start_up_in_one_line(
    data_dir: Path, moto_server: MotoServer
) -> None:
    process = serve(
        data_dir,
        ["--port", str(free_port())],
        WHETSTONE_STORAGE_URL="s3://bucket-that-does-not-exist/prefix",
        WHETSTONE_S3_ENDPOINT_URL=moto_server.endpoint_url,
    )
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 1
    lines = stderr.decode().strip().splitlines()
    assert len(lines) == 1, lines
    assert lines[0].startswith("whetstone: cannot start: ")
    assert "bucket-that-does-not-exist" in lines[0] and "does not exist" in lines[0]


def test_readyz_is_503_when_the_bucket_goes_away(data_dir: Path, moto_server: MotoServer) -> None:
    import boto3

    s3 = boto3.client("s3", endpoint_url=moto_server.endpoint_url)
    s3.create_bucket(Bucket="readyz-bucket")
    server = ServerProcess(
        data_dir,
        {
            "WHETSTONE_STORAGE_URL": "s3://readyz-bucket/p",
            "WHETSTONE_S3_ENDPOINT_URL": moto_server.endpoint_url,
            "WHETSTONE_SCHEDULER_ENABLED": "false",
        },
    ).start()
    try:
        assert httpx.get(f"{server.base_url}/readyz").status_code == 200
        s3.delete_bucket(Bucket="readyz-bucket")
        response = httpx.get(f"{server.base_url}/readyz")
        assert response.status_code == 503
        error = response.json()["error"]
        assert error["type"] == "server_error" and "readyz-bucket" in error["message"]
        assert response.headers["x-request-id"]
    finally:
        server.stop()


@pytest.mark.parametrize("argv", [["--help"]])
def test_help_lists_serve(argv: list[str], data_dir: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "service", *argv],
        env=clean_env(data_dir),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0 and "serve" in result.stdout


def test_tokenizer_refuses_a_model_the_catalog_lacks(data_dir: Path, tmp_path: Path) -> None:
    # `whetstone tokenizer` writes a catalog model's tokenizer for tinker-cookbook's
    # register_tokenizer (tests/e2e/test_tinker_cookbook.py runs the cookbook on what it writes).
    target = tmp_path / "tokenizer"
    result = subprocess.run(
        [sys.executable, "-m", "service", "tokenizer", "--model", "no-such-model", str(target)],
        env=clean_env(data_dir),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1
    assert result.stderr.strip() == "whetstone: The model 'no-such-model' does not exist."
    assert not target.exists()
