"""Header limits through a real `whetstone serve`: uvicorn's h11 hands heads over
WHETSTONE_MAX_HEADER_BYTES to the middleware (431 in the envelope), up to its own buffer."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from service.cli import H11_HEADROOM_BYTES, http_options
from service.core.config import Settings
from tests.harness import ServerProcess

pytestmark = pytest.mark.e2e

LIMIT = 64 * 1024  # WHETSTONE_MAX_HEADER_BYTES's default


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    """A server with the default header limit and no scheduler."""
    data_dir = Path(tmp_path_factory.mktemp("header-limits"))
    process = ServerProcess(data_dir, env={"WHETSTONE_SCHEDULER_ENABLED": "false"}).start()
    yield process
    process.stop()


def exchange(server: ServerProcess, header_value_bytes: int) -> bytes:
    """GET /v1/models with one `x-pad` header of that size, on a raw socket; what came back
    before the server closed (b"" when it reset the connection first)."""
    head = (
        b"GET /v1/models HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer sk-test\r\n"
        b"Connection: close\r\nx-pad: " + b"a" * header_value_bytes + b"\r\n\r\n"
    )
    received = b""
    with socket.create_connection(("127.0.0.1", server.port), timeout=30) as sock:
        try:
            sock.sendall(head)
            while chunk := sock.recv(65536):
                received += chunk
        except (ConnectionResetError, BrokenPipeError):
            pass
    return received


def test_a_one_mebibyte_header_is_431_in_the_envelope(server: ServerProcess) -> None:
    # Before: uvicorn's plain-text 400 ("Invalid HTTP request received.") and a reset.
    response = exchange(server, 1024 * 1024)
    status, _, rest = response.partition(b"\r\n")
    assert status == b"HTTP/1.1 431 Request Header Fields Too Large"
    head, _, body = rest.partition(b"\r\n\r\n")
    assert b"content-type: application/json" in head.lower()
    assert b"x-request-id: req_" in head.lower()
    assert json.loads(body)["error"]["code"] == "headers_too_large"


def test_headers_under_the_limit_pass(server: ServerProcess) -> None:
    assert exchange(server, LIMIT // 2).startswith(b"HTTP/1.1 200 OK")


def test_past_the_h11_buffer_uvicorn_answers_alone(server: ServerProcess) -> None:
    # The documented edge: h11 refuses the head before the app sees it.
    response = exchange(server, LIMIT + H11_HEADROOM_BYTES + 256 * 1024)
    assert response == b"" or response.startswith(b"HTTP/1.1 400 Bad Request")
    assert b"application/json" not in response


def test_h11_buffers_more_than_the_header_limit() -> None:
    options = http_options(Settings(max_header_bytes=1000))
    assert options["http"] == "h11"
    assert options["h11_max_incomplete_event_size"] == 1000 + H11_HEADROOM_BYTES
