"""PostgreSQL outages against a real server: the database behind a FaultProxy that refuses
connections, resets them, or accepts them and never answers (blackhole).

Every request that needs the database ends with a 503 `database_unavailable`, requests that need
neither dependency keep working, and once the database is back the server takes it up again
by itself: what was acknowledged before is there, and the scheduler trains again.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tests.harness import ServerProcess
from tests.outages.conftest import (
    BASE,
    TRAINING_LINE,
    ask,
    assert_unavailable,
    chat,
    eventually,
    log_since,
    ready,
    training_file,
    upload,
)
from tests.outages.faults import FaultProxy, Mode

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def proxy() -> Iterator[FaultProxy]:
    """The FaultProxy in front of the test PostgreSQL."""
    from sqlalchemy.engine import make_url

    from tests.conftest import POSTGRES_URL

    url = make_url(POSTGRES_URL)
    fault = FaultProxy(url.host or "127.0.0.1", url.port or 5432).start()
    yield fault
    fault.stop()


@pytest.fixture(scope="module")
def server(
    tmp_path_factory: pytest.TempPathFactory, postgres_database: str, proxy: FaultProxy
) -> Iterator[ServerProcess]:
    """A server on PostgreSQL through the proxy, with artifacts on local disk."""
    process = ServerProcess(
        Path(tmp_path_factory.mktemp("db-outage")),
        {
            "WHETSTONE_DATABASE_URL": (
                f"postgresql+psycopg://postgres@127.0.0.1:{proxy.port}/{postgres_database}"
            ),
        },
    ).start()
    assert chat(process).status == 200  # loaded before any outage
    yield process
    process.stop()


def job_request(file_id: str) -> dict[str, object]:
    """A fine-tuning job of one short epoch."""
    return {
        "model": BASE,
        "training_file": file_id,
        "hyperparameters": {"n_epochs": 1, "batch_size": 4},
    }


@pytest.mark.parametrize("mode", ["refuse", "reset", "blackhole"])
def test_a_database_outage_is_a_503_and_the_server_recovers_by_itself(
    server: ServerProcess, proxy: FaultProxy, mode: Mode
) -> None:
    proxy.set_mode("forward")
    eventually(lambda: ready(server))
    stored = upload(server, training_file(4096))
    assert stored.status == 200, stored
    file_id = stored.body["id"]
    offset = len(server.log())

    proxy.set_mode(mode)
    try:
        with ThreadPoolExecutor(8) as pool:
            # At once: each ends by its own deadline, and the suite does not wait them in turn.
            readyz = pool.submit(ask, server, "GET", "/readyz")
            listing = pool.submit(ask, server, "GET", "/v1/files")
            retrieve = pool.submit(ask, server, "GET", f"/v1/files/{file_id}")
            new_file = pool.submit(upload, server, training_file(4096))
            job = pool.submit(
                ask, server, "POST", "/v1/fine_tuning/jobs", json=job_request(file_id)
            )
            healthz = pool.submit(ask, server, "GET", "/healthz")
            completion = pool.submit(chat, server)
        for answer in (readyz, listing, retrieve, new_file, job):
            assert_unavailable(answer.result(), "database_unavailable")
        assert healthz.result().status == 200
        assert completion.result().status == 200
    finally:
        proxy.set_mode("forward")

    eventually(lambda: ask(server, "GET", "/v1/files").status == 200)
    listed = {item["id"] for item in ask(server, "GET", "/v1/files").body["data"]}
    assert file_id in listed
    assert ask(server, "GET", f"/v1/files/{file_id}/content").body == training_file(4096)
    again = upload(server, training_file(4096))
    assert again.status == 200, again
    assert ready(server)
    outage_log = log_since(server, offset)
    assert "Traceback" not in outage_log and " ERROR " not in outage_log, outage_log


def test_the_scheduler_trains_again_after_the_outages(
    server: ServerProcess, proxy: FaultProxy
) -> None:
    # Runs after the outage cases above: the scheduler's ticks failed through all of them.
    proxy.set_mode("forward")
    eventually(lambda: ready(server))
    small = ((TRAINING_LINE + "\n") * 10).encode()
    file_id = upload(server, small).body["id"]
    created = ask(server, "POST", "/v1/fine_tuning/jobs", json=job_request(file_id))
    assert created.status == 200, created
    deadline = time.monotonic() + 120
    while True:
        job = ask(server, "GET", f"/v1/fine_tuning/jobs/{created.body['id']}").body
        if job["status"] in ("succeeded", "failed", "cancelled"):
            break
        assert time.monotonic() < deadline, job
        time.sleep(0.5)
    assert job["status"] == "succeeded", job
