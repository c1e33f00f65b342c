"""Webhooks end to end: the official SDK registers endpoints on a `whetstone serve` process and
every delivery reaching a local receiver is verified with `client.webhooks.unwrap`.

A succeeded, a failed (bad training file) and a cancelled job each deliver one event; a receiver
that answers 500 first gets the event on a retry, with the same `webhook-id`; a delivery still
pending when the server is killed with SIGKILL arrives after it restarts on the same data dir.
No keys file, so the receiver on 127.0.0.1 is allowed. One server for the module.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import openai
import pytest

from tests.e2e.conftest import openai_client
from tests.e2e.test_fine_tuning import BASE, chat_file, wait_status
from tests.harness import ServerProcess
from tests.webhooks.contract import check_event
from tests.webhooks.receiver import Received, Receiver, unwrap

pytestmark = pytest.mark.e2e

ALL_TYPES = ["fine_tuning.job.succeeded", "fine_tuning.job.failed", "fine_tuning.job.cancelled"]
TINY = {"type": "supervised", "supervised": {"hyperparameters": {"n_epochs": 1, "batch_size": 5}}}
# Many steps: a job that must still be unfinished when it is cancelled.
LONG = {"type": "supervised", "supervised": {"hyperparameters": {"n_epochs": 50, "batch_size": 1}}}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    """One server whose retries come quickly (a 500 is retried within a second)."""
    process = ServerProcess(
        Path(tmp_path_factory.mktemp("webhooks")),
        env={
            "WHETSTONE_CPU_SLOTS": "1",
            "WHETSTONE_WEBHOOK_RETRY_INITIAL_SECONDS": "0.2",
            "WHETSTONE_WEBHOOK_RETRY_MAX_SECONDS": "0.5",
            "WHETSTONE_WEBHOOK_TIMEOUT_SECONDS": "2",
        },
    ).start()
    yield process
    process.stop()


@pytest.fixture(scope="module")
def client(server: ServerProcess) -> openai.OpenAI:
    """The official client for the module's server."""
    return openai_client(server)


@pytest.fixture(scope="module")
def training_file(client: openai.OpenAI) -> str:
    """Ten valid examples."""
    return client.files.create(file=("t.jsonl", io.BytesIO(chat_file(10))), purpose="fine-tune").id


def events_for(received: list[Received], job_id: str, secret: str) -> list[tuple[str, str]]:
    """(webhook-id, type) of each delivery about `job_id`, each verified by the SDK."""
    seen = []
    for request in received:
        event = unwrap(request, secret)
        if event.data.id == job_id:
            check_event(request.body)
            seen.append((request.headers["webhook-id"], event.type))
    return seen


def cancelled_job(client: openai.OpenAI, training_file: str) -> str:
    """A job cancelled before it could finish; its id."""
    job = client.fine_tuning.jobs.create(model=BASE, training_file=training_file, method=LONG)
    client.fine_tuning.jobs.cancel(job.id)
    return job.id


def test_each_final_status_delivers_one_verified_event(
    client: openai.OpenAI, training_file: str
) -> None:
    with Receiver() as receiver:
        endpoint = client.webhooks.create(name="ci", url=receiver.url, event_types=ALL_TYPES)
        assert endpoint.signing_secret.startswith("whsec_")
        bad = client.files.create(
            file=("bad.jsonl", io.BytesIO(b"not json\n")), purpose="fine-tune"
        )
        failed = client.fine_tuning.jobs.create(model=BASE, training_file=bad.id, method=TINY)
        succeeded = client.fine_tuning.jobs.create(
            model=BASE, training_file=training_file, method=TINY
        )
        cancelled = cancelled_job(client, training_file)
        for job_id, status in ((failed.id, "failed"), (succeeded.id, "succeeded")):
            assert (
                wait_status(client, job_id, ("succeeded", "failed", "cancelled")).status == status
            )
        received = receiver.wait_for(lambda seen: len(seen) >= 3, timeout=60)
        client.webhooks.delete(endpoint.id)
    secret = endpoint.signing_secret
    assert [kind for _, kind in events_for(received, succeeded.id, secret)] == [ALL_TYPES[0]]
    assert [kind for _, kind in events_for(received, failed.id, secret)] == [ALL_TYPES[1]]
    assert [kind for _, kind in events_for(received, cancelled, secret)] == [ALL_TYPES[2]]
    assert len(received) == 3


def test_a_receiver_answering_500_gets_the_event_on_a_retry(
    server: ServerProcess, client: openai.OpenAI, training_file: str
) -> None:
    with Receiver() as receiver:
        receiver.statuses = [500]
        endpoint = client.webhooks.create(
            name="flaky", url=receiver.url, event_types=["fine_tuning.job.cancelled"]
        )
        job_id = cancelled_job(client, training_file)
        received = receiver.wait_for(lambda seen: len(seen) >= 2)
        client.webhooks.delete(endpoint.id)
    (first_id, _), (retry_id, kind) = events_for(received[:2], job_id, endpoint.signing_secret)
    assert first_id == retry_id and kind == "fine_tuning.job.cancelled"
    # Every attempt is logged, with its number.
    log = server.log()
    where = f"webhook {first_id} (fine_tuning.job.cancelled) to {receiver.url}"
    assert f"{where}: attempt 1 failed (HTTP 500)" in log
    assert f"{where}: attempt 2 delivered (HTTP 200)" in log


def test_a_delivery_pending_at_kill_9_arrives_after_the_restart(
    server: ServerProcess, client: openai.OpenAI, training_file: str
) -> None:
    with Receiver(default_status=503) as receiver:
        endpoint = client.webhooks.create(
            name="down", url=receiver.url, event_types=["fine_tuning.job.cancelled"]
        )
        job_id = cancelled_job(client, training_file)
        receiver.wait_for(lambda seen: len(seen) >= 1)  # attempted and refused: still pending
        server.kill()
        receiver.default_status = 200
        refused = len(receiver.received)
        server.start()
        received = receiver.wait_for(lambda seen: len(seen) > refused, timeout=60)
    events = events_for(received, job_id, endpoint.signing_secret)
    # Every attempt, before and after the kill, carries the one webhook-id.
    assert {webhook_id for webhook_id, _ in events} == {received[0].headers["webhook-id"]}
    assert events[-1][1] == "fine_tuning.job.cancelled"
