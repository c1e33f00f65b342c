"""GET /metrics read by Prometheus' own parser, after a real tiny job and a few completions.

One app in-process with its scheduler on: the job trains in a real worker process, and the
completions run on the in-process engine, so every family has a value to check.
"""

from __future__ import annotations

import io
import json
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families
from prometheus_client.samples import Sample

from service.app import create_app
from service.core.config import Settings
from service.core.db import Database
from service.fine_tuning import repository as job_rows
from service.migrations import upgrade_database
from service.observability.metrics import Metrics
from tests.fine_tuning.factories import make_job
from tests.inference.fixtures import shared_models_dir

pytestmark = pytest.mark.slow

AUTH = {"Authorization": "Bearer sk-test"}
BASE = "gpt-4o-mini-2024-07-18"


def training_file(n: int = 10) -> bytes:
    """`n` chat examples answered with one sentence."""
    return "\n".join(
        json.dumps(
            {
                "messages": [
                    {"role": "user", "content": f"Question {i}?"},
                    {"role": "assistant", "content": "The owl flies at midnight."},
                ]
            }
        )
        for i in range(n)
    ).encode()


def scrape(client: TestClient, **headers: str) -> dict[str, list[Sample]]:
    """Family name -> its samples, as Prometheus' text parser reads GET /metrics."""
    response = client.get("/metrics", headers=headers)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/plain")
    return {family.name: family.samples for family in text_string_to_metric_families(response.text)}


def value(samples: list[Sample], name: str, **labels: str) -> float:
    """The value of the one sample called `name` whose labels include `labels`."""
    found = [
        s.value
        for s in samples
        if s.name == name and all(s.labels.get(k) == v for k, v in labels.items())
    ]
    assert len(found) == 1, (name, labels, samples)
    return found[0]


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    """The app with its scheduler (one CPU slot) and the shared emulator."""
    data_dir = tmp_path_factory.mktemp("metrics")
    (data_dir / "models").symlink_to(shared_models_dir(tmp_path_factory), target_is_directory=True)
    settings = Settings(data_dir=data_dir, cpu_slots=1)
    with TestClient(create_app(settings), headers=AUTH) as test_client:
        yield test_client


@pytest.fixture(scope="module")
def tuned(client: TestClient) -> dict[str, str]:
    """A 10-example, 1-epoch, 2-step job trained to success; its id and model name."""
    file_id = client.post(
        "/v1/files",
        files={"file": ("train.jsonl", io.BytesIO(training_file()))},
        data={"purpose": "fine-tune"},
    ).json()["id"]
    job = client.post(
        "/v1/fine_tuning/jobs",
        json={
            "model": BASE,
            "training_file": file_id,
            "hyperparameters": {"n_epochs": 1, "batch_size": 5},
        },
    ).json()
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        job = client.get(f"/v1/fine_tuning/jobs/{job['id']}").json()
        if job["status"] in ("succeeded", "failed", "cancelled"):
            break
        time.sleep(0.2)
    assert job["status"] == "succeeded", job
    return {"id": job["id"], "model": job["fine_tuned_model"]}


def complete(client: TestClient, model: str, max_tokens: int = 4) -> int:
    """One chat completion; its completion tokens."""
    response = client.post(
        "/v1/chat/completions",
        json={
            "model": model,
            "messages": [{"role": "user", "content": "Hello"}],
            "max_tokens": max_tokens,
        },
    )
    assert response.status_code == 200, response.text
    return response.json()["usage"]["completion_tokens"]


def test_every_family_parses_with_sensible_values_after_a_job_and_completions(
    client: TestClient, tuned: dict[str, str]
) -> None:
    adapter_tokens = sum(complete(client, tuned["model"]) for _ in range(3))
    base_tokens = complete(client, BASE)
    families = scrape(client)

    jobs = families["whetstone_jobs"]
    assert value(jobs, "whetstone_jobs", status="succeeded") == 1
    assert value(jobs, "whetstone_jobs", status="running") == 0
    job = client.get(f"/v1/fine_tuning/jobs/{tuned['id']}").json()
    assert (
        value(families["whetstone_training_tokens"], "whetstone_training_tokens_total")
        == (job["trained_tokens"])
    )
    # 10 examples in batches of 5, one epoch.
    assert value(families["whetstone_training_steps"], "whetstone_training_steps_total") == 2

    generated = families["whetstone_generated_tokens"]
    assert value(generated, "whetstone_generated_tokens_total", kind="adapter") == adapter_tokens
    assert value(generated, "whetstone_generated_tokens_total", kind="base") == base_tokens
    ttft = families["whetstone_time_to_first_token_seconds"]
    assert value(ttft, "whetstone_time_to_first_token_seconds_count") == 4
    batch = families["whetstone_batch_size"]
    assert value(batch, "whetstone_batch_size_count") > 0
    assert value(batch, "whetstone_batch_size_bucket", le="1.0") == value(
        batch, "whetstone_batch_size_count"
    )  # one request at a time: every decode step ran one row
    cache = families["whetstone_adapter_cache_events"]
    assert value(cache, "whetstone_adapter_cache_events_total", event="miss") == 1
    assert value(cache, "whetstone_adapter_cache_events_total", event="load") == 1
    assert value(cache, "whetstone_adapter_cache_events_total", event="hit") == 2
    assert value(cache, "whetstone_adapter_cache_events_total", event="evict") == 0
    webhooks = families["whetstone_webhook_deliveries"]
    assert value(webhooks, "whetstone_webhook_deliveries_total", outcome="delivered") == 0

    requests = families["whetstone_http_requests"]
    template = "/v1/fine_tuning/jobs/{fine_tuning_job_id}"
    assert value(requests, "whetstone_http_requests_total", route=template, status="200") >= 2
    assert all(tuned["id"] not in s.labels["route"] for s in requests)  # never the raw path
    assert value(requests, "whetstone_http_requests_total", route="/v1/chat/completions") == 4
    durations = families["whetstone_http_request_duration_seconds"]
    count = value(
        durations,
        "whetstone_http_request_duration_seconds_count",
        method="POST",
        route="/v1/chat/completions",
    )
    assert count == 4


def test_two_replicas_on_one_database_report_the_same_job_figures(database_url: str) -> None:
    db = Database(database_url)
    upgrade_database(db)
    try:
        running = make_job(db, status="running")
        done = make_job(db, status="succeeded", trained_tokens=120)
        for job, steps in ((running, 3), (done, 5)):
            for step in range(1, steps + 1):
                add_step(db, job.id, step)
        one, two = Metrics(db), Metrics(db)
        for metrics in (one, two):
            families = parse(metrics)
            assert value(families["whetstone_jobs"], "whetstone_jobs", status="running") == 1
            tokens = families["whetstone_training_tokens"]
            assert value(tokens, "whetstone_training_tokens_total") == 120
            steps = families["whetstone_training_steps"]
            assert value(steps, "whetstone_training_steps_total") == 8
        add_step(db, running.id, 4)  # the running job goes on; the finished one was kept
        steps = parse(one)["whetstone_training_steps"]
        assert value(steps, "whetstone_training_steps_total") == 9
    finally:
        db.dispose()


def add_step(db: Database, job_id: str, step: int) -> None:
    """A metrics event of `step`, as the worker's reporter writes it."""
    with db.session() as session:
        job_rows.add_event(
            session,
            job_id=job_id,
            project="proj_a",
            message=f"Step {step}",
            type="metrics",
            data={"step": step, "train_loss": 1.0},
        )


def parse(metrics: Metrics) -> dict[str, list[Sample]]:
    """Family name -> samples of one Metrics' exposition."""
    text = metrics.render().decode()
    return {family.name: family.samples for family in text_string_to_metric_families(text)}


def test_a_metrics_token_is_required_once_set(data_dir: Path) -> None:
    settings = Settings(data_dir=data_dir, scheduler_enabled=False, metrics_token="s3cret")
    with TestClient(create_app(settings)) as client:
        refused = client.get("/metrics")
        assert refused.status_code == 401
        assert refused.json()["error"]["code"] == "invalid_metrics_token"
        assert client.get("/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 401
        assert "whetstone_jobs" in scrape(client, Authorization="Bearer s3cret")
