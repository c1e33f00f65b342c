"""Eval runs have one owner among API replicas: a live owner's runs are left alone, a dead
owner's are taken over once its heartbeat is stale, and each item is graded once."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import update

from service.core.tables import EvalRunRow
from service.evals import repository
from service.evals.runner import EvalRunner
from tests.evals.test_router import ROWS, new_eval, new_run, wait_run
from tests.inference.fixtures import serving_client, shared_models_dir


@pytest.fixture
def client(tmp_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    """The app, its own eval runner stopped: the runs are left to the runners a test starts."""
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    with serving_client(data_dir, shared_models_dir(tmp_path_factory)) as test_client:
        test_client.portal.call(test_client.app.state.container.evals.stop)  # type: ignore[attr-defined]
        yield test_client


def own(client: TestClient, run_id: str, runner: str, heartbeat_at: int) -> None:
    """Make `runner` the run's owner, last heard from at `heartbeat_at`."""
    db = client.app.state.container.db  # type: ignore[attr-defined]
    with db.session() as session:
        session.execute(
            update(EvalRunRow)
            .where(EvalRunRow.id == run_id)
            .values(runner=runner, heartbeat_at=heartbeat_at, status="in_progress")
        )


def row(client: TestClient, run_id: str) -> EvalRunRow:
    """The run's row as it is now."""
    db = client.app.state.container.db  # type: ignore[attr-defined]
    with db.session() as session:
        found = repository.find_run(session, run_id=run_id)
        assert found is not None
        session.expunge(found)
        return found


def test_a_dead_replicas_runs_are_taken_over_and_a_live_ones_are_not(client: TestClient) -> None:
    container = client.app.state.container  # type: ignore[attr-defined]
    evaluation = new_eval(client)
    source = {"type": "jsonl", "source": {"type": "file_content", "content": ROWS}}
    dead, alive = (new_run(client, evaluation["id"], source)["id"] for _ in range(2))
    own(client, dead, "evals-dead", int(time.time()) - 60)
    own(client, alive, "evals-alive", int(time.time()) + 3600)  # beats as far as anyone sees
    runner = EvalRunner(
        container.settings,
        container.db,
        container.catalog,
        container.inference,
        heartbeat_seconds=0.1,
        stale_seconds=5,
    )
    client.portal.call(runner.start)
    try:
        finished = wait_run(client, evaluation["id"], dead)
        assert finished["status"] == "completed"
        assert finished["result_counts"] == {"total": 3, "errored": 0, "failed": 2, "passed": 1}
        assert row(client, dead).runner == runner.name
        time.sleep(1.0)  # ten beats: each one looks for runs to take
        untouched = row(client, alive)
        assert (untouched.status, untouched.runner) == ("in_progress", "evals-alive")
        # The live replica dies: its heartbeat goes stale, and the run is taken and finished.
        own(client, alive, "evals-alive", int(time.time()) - 60)
        assert wait_run(client, evaluation["id"], alive)["status"] == "completed"
        assert row(client, alive).runner == runner.name
    finally:
        client.portal.call(runner.stop)


def test_a_runner_that_stops_gives_its_runs_up(client: TestClient) -> None:
    container = client.app.state.container  # type: ignore[attr-defined]
    evaluation = new_eval(client)
    source = {"type": "jsonl", "source": {"type": "file_content", "content": ROWS}}
    run_id = new_run(client, evaluation["id"], source)["id"]
    runner = EvalRunner(container.settings, container.db, container.catalog, container.inference)
    with container.db.session() as session:
        assert repository.claim_run(
            session, run_id=run_id, runner=runner.name, now=int(time.time()), stale_before=0
        )
        # Claimed: another live runner cannot take it.
        assert not repository.claim_run(
            session, run_id=run_id, runner="evals-other", now=int(time.time()), stale_before=0
        )
    # Not started: a started runner would grade the run, and a finished run keeps its owner.
    client.portal.call(runner.stop)
    assert row(client, run_id).runner is None  # any replica may resume it at once
