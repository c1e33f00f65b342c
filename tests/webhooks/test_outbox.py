"""The outbox row is written by the state machine, in the transaction of the status change:
one delivery per subscribed endpoint of the job's project, for each final status alone."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import select

from service.core.config import Settings
from service.core.db import Database
from service.core.tables import WebhookDeliveryRow
from service.fine_tuning import transitions
from service.fine_tuning.schemas import JobStatus
from service.webhooks import operations
from service.webhooks.schemas import EMITTED_EVENT_TYPES, CreateWebhookEndpointRequest
from tests.fine_tuning.factories import make_job, reload


def subscribe(database: Database, tmp_path: Path, project: str, types: list[str]) -> str:
    """An endpoint of `project` for `types`; its id."""
    body = CreateWebhookEndpointRequest(name="ci", url="http://127.0.0.1:9/hook", event_types=types)
    settings = Settings(data_dir=tmp_path)
    return operations.create_endpoint(database, settings, project=project, body=body).id


def outbox(database: Database) -> list[tuple[str, str, str]]:
    """(endpoint, event type, job id) of every delivery."""
    with database.session() as session:
        rows = session.scalars(select(WebhookDeliveryRow).order_by(WebhookDeliveryRow.seq))
        return [
            (row.endpoint_id, row.event_type, json.loads(row.payload)["data"]["id"]) for row in rows
        ]


def test_each_final_status_writes_one_delivery_per_subscribed_endpoint(
    database: Database, tmp_path: Path
) -> None:
    everything = subscribe(database, tmp_path, "proj_a", list(EMITTED_EVENT_TYPES))
    only_failed = subscribe(database, tmp_path, "proj_a", ["fine_tuning.job.failed"])
    subscribe(database, tmp_path, "proj_b", list(EMITTED_EVENT_TYPES))

    cancelled = make_job(database, status="running", worker="w1")
    transitions.cancel(database, project="proj_a", job_id=cancelled.id)
    failed = make_job(database, status="validating_files")
    transitions.files_rejected(database, failed, transitions.JobFailure("invalid_file", "bad"))
    succeeded = make_job(database, status="running", worker="w2")
    assert transitions.succeed(
        database,
        succeeded,
        worker="w2",
        fine_tuned_model="ft:x",
        adapter_key="k",
        trained_tokens=1,
        result_files=[],
    )
    # Changes that finish nothing write nothing.
    paused = make_job(database, status="queued")
    transitions.pause(database, project="proj_a", job_id=paused.id)

    assert outbox(database) == [
        (everything, "fine_tuning.job.cancelled", cancelled.id),
        (everything, "fine_tuning.job.failed", failed.id),
        (only_failed, "fine_tuning.job.failed", failed.id),
        (everything, "fine_tuning.job.succeeded", succeeded.id),
    ]


def test_a_status_change_rolled_back_leaves_no_delivery(database: Database, tmp_path: Path) -> None:
    subscribe(database, tmp_path, "proj_a", list(EMITTED_EVENT_TYPES))
    job = make_job(database, status="running", worker="w1")
    with pytest.raises(RuntimeError), database.session() as session:
        assert transitions._move(
            session, job, JobStatus.FAILED, sources=[JobStatus.RUNNING], message="boom"
        )
        raise RuntimeError("the process died before the commit")
    assert reload(database, job.id).status == "running"
    assert outbox(database) == []


def test_a_lost_race_writes_no_delivery(database: Database, tmp_path: Path) -> None:
    subscribe(database, tmp_path, "proj_a", list(EMITTED_EVENT_TYPES))
    job = make_job(database, status="running", worker="w1")
    transitions.cancel(database, project="proj_a", job_id=job.id)
    # The worker, not yet told, tries to record its own ending: the guarded UPDATE loses.
    assert not transitions.fail(
        database, job, worker="w1", failure=transitions.JobFailure("training_failed", "x")
    )
    assert [event_type for _, event_type, _ in outbox(database)] == ["fine_tuning.job.cancelled"]
