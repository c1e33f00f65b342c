"""Job faults without a worker: the checks at create, validation failing on request, how each
fault strikes after its step, and the request-fault store's seeded draws."""

from __future__ import annotations

import random
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from service.chaos.job_faults import InjectedFailure, JobFault, check_job_metadata, job_fault
from service.chaos.rules import FaultRuleStore
from service.chaos.schemas import FaultRule
from service.core.errors import InvalidRequestError
from tests.chaos.test_router import app_client
from tests.fine_tuning.test_router import JOBS, create, events_of, validate_files


@pytest.fixture
def client(migrated_data_dir: Path) -> Iterator[TestClient]:
    """Local mode, where fault injection is on by default."""
    with app_client(migrated_data_dir) as client:
        client.headers["Authorization"] = "Bearer sk-local"
        yield client


@pytest.mark.parametrize(
    ("metadata", "param"),
    [
        ({"whetstone_fault": "explode"}, "metadata.whetstone_fault"),
        (
            {"whetstone_fault": "stall", "whetstone_fault_step": "0"},
            "metadata.whetstone_fault_step",
        ),
        (
            {"whetstone_fault": "stall", "whetstone_fault_step": "2.5"},
            "metadata.whetstone_fault_step",
        ),
        ({"whetstone_fault_step": "3"}, "metadata.whetstone_fault_step"),
        ({"whetstone_fault": "stall", "whetstone_faults": "x"}, "metadata.whetstone_faults"),
        (
            {"whetstone_fault": "fail_training", "whetstone_fault_message": ""},
            "metadata.whetstone_fault_message",
        ),
    ],
)
def test_invalid_fault_metadata_is_a_400_naming_the_key(
    client: TestClient, metadata: dict[str, str], param: str
) -> None:
    response = create(client, metadata={"team": "ci", **metadata})
    assert response.status_code == 400
    assert response.json()["error"]["param"] == param


def test_valid_fault_metadata_is_stored_as_sent() -> None:
    metadata = {
        "whetstone_fault": "fail_training",
        "whetstone_fault_step": "4",
        "whetstone_fault_code": "gpu_fell_over",
        "whetstone_fault_message": "It fell over.",
    }
    check_job_metadata(metadata, enabled=True)
    assert job_fault(metadata) == JobFault("fail_training", 4, "gpu_fell_over", "It fell over.")
    assert job_fault({"team": "ci"}) is None
    check_job_metadata({"team": "ci"}, enabled=False)  # other metadata is no fault
    with pytest.raises(InvalidRequestError) as refused:
        check_job_metadata(metadata, enabled=False)
    assert refused.value.param == "metadata"


def test_fail_validation_fails_the_job_with_invalid_training_file(client: TestClient) -> None:
    plain = create(client, metadata={"whetstone_fault": "fail_validation"}).json()
    custom = create(
        client,
        metadata={
            "whetstone_fault": "fail_validation",
            "whetstone_fault_code": "invalid_n_examples",
            "whetstone_fault_message": "Too few examples, says the test.",
        },
    ).json()
    for job in (plain, custom):
        validate_files(client, job["id"])
    failed = client.get(f"{JOBS}/{plain['id']}").json()
    assert failed["status"] == "failed"
    assert failed["error"]["code"] == "invalid_training_file"
    assert failed["error"]["param"] == "training_file"
    assert events_of(client, plain["id"])[-1]["level"] == "error"
    assert client.get(f"{JOBS}/{custom['id']}").json()["error"] == {
        "code": "invalid_n_examples",
        "message": "Too few examples, says the test.",
        "param": "training_file",
    }


def strike(
    fault: JobFault, *, step: int, attempt: int = 0, polls: list[bool] | None = None
) -> list[str]:
    """Strike `fault` after `step`; the announcements it made."""
    said: list[str] = []
    answers = iter(polls or [])
    fault.strike(
        step=step,
        attempt=attempt,
        stop_requested=lambda: next(answers),
        announce=said.append,
    )
    return said


def test_each_fault_strikes_at_its_step_only() -> None:
    failing = JobFault("fail_training", step=2, code="boom")
    assert strike(failing, step=1) == []
    with pytest.raises(InjectedFailure) as raised:
        strike(failing, step=2)
    assert raised.value.code == "boom" and "step 2" in raised.value.message
    # A stall holds the worker until a cancel or pause is seen, then lets the step report.
    stalling = JobFault("stall", step=1)
    assert strike(stalling, step=1, polls=[False, False, True]) == [
        "Injected fault (whetstone_fault=stall): training stalls at step 1"
    ]
    # The retry after the crash goes through: only the first attempt dies.
    assert strike(JobFault("crash_worker", step=1), step=1, attempt=1) == []


def test_probabilities_draw_from_the_seeded_generator() -> None:
    def pattern(seed: int) -> list[bool]:
        store = FaultRuleStore(rng=random.Random(seed))
        store.replace(
            project="p", rules=[FaultRule(path="/v1/*", status=500, probability=0.5, project="p")]
        )
        return [
            store.strike(project="p", method="GET", path="/v1/x") is not None for _ in range(40)
        ]

    first = pattern(7)
    assert first == pattern(7)
    assert 0 < sum(first) < 40
    never = FaultRuleStore(rng=random.Random(7))
    never.add(project="p", rules=[FaultRule(path="*", status=500, probability=0, project="p")])
    assert never.strike(project="p", method="GET", path="/v1/x") is None
