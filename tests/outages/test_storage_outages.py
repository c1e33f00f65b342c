"""S3 outages against a real server: moto frozen with SIGSTOP (connections hang), and killed.

Every request that needs S3 ends with a 503 `storage_unavailable`, requests that need only the
database or nothing keep working, and once S3 is back the same requests succeed and the files
stored before are intact.
"""

from __future__ import annotations

import hashlib
import os
import signal
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import boto3
import httpx
import pytest

from tests.harness import MotoServer, ServerProcess
from tests.outages.conftest import (
    AUTH,
    CLIENT_TIMEOUT,
    Answer,
    ask,
    assert_unavailable,
    chat,
    eventually,
    log_since,
    ready,
    training_file,
    upload,
)

pytestmark = pytest.mark.e2e

MIB = 1024 * 1024
BUCKET = f"outage-{uuid.uuid4().hex[:10]}"


def start_moto(port: int | None = None) -> MotoServer:
    """A moto process of this module's own (on `port` when given) holding BUCKET."""
    moto = MotoServer()
    if port is not None:
        moto.port, moto.endpoint_url = port, f"http://127.0.0.1:{port}"
    moto.start()
    boto3.client("s3", endpoint_url=moto.endpoint_url).create_bucket(Bucket=BUCKET)
    return moto


@pytest.fixture(scope="module")
def moto() -> Iterator[MotoServer]:
    """The module's moto; a test that kills it leaves a new one on the same port."""
    server = start_moto()
    yield server
    if server.process is not None and server.process.poll() is None:
        os.kill(server.process.pid, signal.SIGCONT)
        server.stop()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, moto: MotoServer) -> Iterator[ServerProcess]:
    """A server on SQLite and S3 (the module's moto)."""
    process = ServerProcess(
        Path(tmp_path_factory.mktemp("s3-outage")),
        {
            "WHETSTONE_STORAGE_URL": f"s3://{BUCKET}/whetstone",
            "WHETSTONE_S3_ENDPOINT_URL": moto.endpoint_url,
        },
    ).start()
    # Loaded before any outage: serving a loaded base model needs neither dependency.
    assert chat(process).status == 200
    yield process
    process.stop()


def content(server: ServerProcess, file_id: str) -> Answer:
    """GET /v1/files/{id}/content."""
    return ask(server, "GET", f"/v1/files/{file_id}/content")


def frozen(moto: MotoServer) -> None:
    """SIGSTOP moto: it keeps its sockets, so connections are made and then never answered."""
    assert moto.process is not None
    os.kill(moto.process.pid, signal.SIGSTOP)


def thawed(moto: MotoServer) -> None:
    """SIGCONT moto: it carries on with everything it held."""
    assert moto.process is not None
    os.kill(moto.process.pid, signal.SIGCONT)


def test_a_frozen_s3_is_a_503_and_nothing_stored_is_lost(
    server: ServerProcess, moto: MotoServer
) -> None:
    small, large = training_file(4096), training_file(20 * MIB)  # large goes multipart
    stored = upload(server, small)
    assert stored.status == 200, stored
    offset = len(server.log())

    frozen(moto)
    try:
        with ThreadPoolExecutor(8) as pool:
            # At once: each ends by its own deadline, and the suite does not wait them in turn.
            readyz = pool.submit(ask, server, "GET", "/readyz")
            small_upload = pool.submit(upload, server, small)
            large_upload = pool.submit(upload, server, large)
            download = pool.submit(content, server, stored.body["id"])
            healthz = pool.submit(ask, server, "GET", "/healthz")
            listing = pool.submit(ask, server, "GET", "/v1/files")
            completion = pool.submit(chat, server)
        assert_unavailable(readyz.result(), "storage_unavailable")
        assert_unavailable(small_upload.result(), "storage_unavailable")
        assert_unavailable(large_upload.result(), "storage_unavailable")
        assert_unavailable(download.result(), "storage_unavailable")
        assert healthz.result().status == 200
        # The database still answers, and the loaded base model needs no dependency.
        assert listing.result().status == 200
        assert completion.result().status == 200
    finally:
        thawed(moto)

    eventually(lambda: ready(server))
    got = content(server, stored.body["id"])
    assert got.status == 200 and got.body == small
    again = upload(server, large)
    assert again.status == 200, again
    assert content(server, again.body["id"]).body == large
    # Failed uploads left no file rows behind: only what was acknowledged is listed.
    listed = {item["id"] for item in ask(server, "GET", "/v1/files").body["data"]}
    assert listed == {stored.body["id"], again.body["id"]}
    outage_log = log_since(server, offset)
    assert "Traceback" not in outage_log and " ERROR " not in outage_log, outage_log


def test_a_download_cut_off_mid_stream_ends_instead_of_hanging(
    server: ServerProcess, moto: MotoServer
) -> None:
    data = training_file(48 * MIB)
    stored = upload(server, data)
    assert stored.status == 200, stored
    received = 0
    offset = len(server.log())
    with httpx.stream(
        "GET",
        f"{server.base_url}/v1/files/{stored.body['id']}/content",
        headers=AUTH,
        timeout=CLIENT_TIMEOUT,
    ) as response:
        assert response.status_code == 200
        chunks = response.iter_bytes()
        received += len(next(chunks))
        frozen(moto)
        try:
            # The status is sent already; what can still be done is to end the body short,
            # which every client sees as an error rather than as a complete file.
            # (Not any TransportError: a hang would be a ReadTimeout, which must fail here.)
            with pytest.raises((httpx.RemoteProtocolError, httpx.ReadError)):
                for chunk in chunks:
                    received += len(chunk)
        finally:
            thawed(moto)
    assert received < len(data)
    # An expected outage is a warning, never a traceback at error level.
    eventually(lambda: "ended mid-response" in server.log()[offset:])
    assert "Traceback" not in server.log()[offset:]
    eventually(lambda: ready(server))
    assert hashlib.sha256(content(server, stored.body["id"]).body).digest() == (
        hashlib.sha256(data).digest()
    )


def test_a_killed_s3_is_a_503_and_the_server_recovers_when_it_is_back(
    server: ServerProcess, moto: MotoServer
) -> None:
    stored = upload(server, training_file(4096))
    assert stored.status == 200, stored
    offset = len(server.log())
    assert moto.process is not None
    moto.process.kill()
    moto.process.wait(timeout=10)

    assert_unavailable(ask(server, "GET", "/readyz"), "storage_unavailable")
    assert_unavailable(upload(server, training_file(4096)), "storage_unavailable")
    assert_unavailable(content(server, stored.body["id"]), "storage_unavailable")
    assert ask(server, "GET", "/healthz").status == 200
    assert chat(server).status == 200

    # moto keeps objects in memory, so a new one on the same port is an empty bucket: the
    # server must take it up by itself, with no restart.
    back = start_moto(moto.port)
    moto.process = back.process
    eventually(lambda: ready(server))
    again = upload(server, training_file(4096))
    assert again.status == 200, again
    assert content(server, again.body["id"]).status == 200
    outage_log = log_since(server, offset)
    assert "Traceback" not in outage_log and " ERROR " not in outage_log, outage_log
