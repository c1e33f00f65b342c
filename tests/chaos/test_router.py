"""/_whetstone/chaos/faults in-process: who may set rules, what a struck request gets, which
requests a rule strikes, and that nothing of it exists where fault injection is off."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from service.app import create_app
from service.core.config import Settings
from tests.contract.openai_schema import component_pointer, schema_errors
from tests.fine_tuning.test_router import chat_lines

FAULTS = "/_whetstone/chaos/faults"
ADMIN_A = {"Authorization": "Bearer sk-admin-a"}
MEMBER_A = {"Authorization": "Bearer sk-member-a"}
ADMIN_B = {"Authorization": "Bearer sk-admin-b"}


def app_client(data_dir: Path, **settings: Any) -> TestClient:
    """The app with the scheduler off."""
    return TestClient(create_app(Settings(data_dir=data_dir, scheduler_enabled=False, **settings)))


@pytest.fixture
def keys_file(tmp_path: Path) -> Path:
    """Project A with an admin and a member key, project B with an admin key."""
    path = tmp_path / "keys.json"
    path.write_text(
        json.dumps(
            {
                "sk-admin-a": {"project": "proj_a", "role": "admin"},
                "sk-member-a": {"project": "proj_a"},
                "sk-admin-b": {"project": "proj_b", "role": "admin"},
            }
        )
    )
    return path


@pytest.fixture
def local(data_dir: Path) -> Iterator[TestClient]:
    """Local mode (no keys file): fault injection on by default, every key an admin."""
    with app_client(data_dir, chaos_seed=1) as client:
        client.headers["Authorization"] = "Bearer sk-local"
        yield client


@pytest.fixture
def team(data_dir: Path, keys_file: Path) -> Iterator[TestClient]:
    """A keys file with WHETSTONE_CHAOS_ENABLED=true."""
    with app_client(data_dir, api_keys_file=keys_file, chaos_enabled=True) as client:
        yield client


def test_a_429_rule_strikes_count_times_in_openais_envelope_then_is_spent(
    local: TestClient,
) -> None:
    rule = {"path": "/v1/files", "method": "get", "status": 429, "count": 2, "retry_after": 1.5}
    stored = local.post(FAULTS, json=[rule])
    assert stored.status_code == 200
    assert stored.json() == [
        {
            **rule,
            "method": "GET",
            "probability": 1.0,
            "error": None,
            "latency_ms": None,
            "project": "proj_local",
        }
    ]
    for left in (1, 0):
        struck = local.get("/v1/files")
        assert struck.status_code == 429
        assert schema_errors(component_pointer("ErrorResponse"), struck.json()) == []
        assert struck.json()["error"]["code"] == "rate_limit_exceeded"
        assert struck.headers["retry-after"] == "2"  # whole seconds, rounded up
        assert struck.headers["retry-after-ms"] == "1500"
        assert struck.headers["x-whetstone-fault"] == "injected"
        assert struck.headers["x-request-id"].startswith("req_")
        assert [r["count"] for r in local.get(FAULTS).json()] == ([left] if left else [])
    assert local.get("/v1/files").status_code == 200
    assert (
        local.post(
            "/v1/files", files={"file": ("t.jsonl", chat_lines())}, data={"purpose": "fine-tune"}
        ).status_code
        == 200
    )  # the method did not match


def test_globs_methods_custom_errors_and_latency_only_rules(local: TestClient) -> None:
    error = {"message": "Upstream overloaded", "type": "server_error", "code": "overloaded"}
    local.post(
        FAULTS,
        json=[
            {"path": "/v1/models/*", "status": 503, "error": error},
            {"path": "/v1/files", "latency_ms": 1},
        ],
    )
    struck = local.get("/v1/models/gpt-4o-mini-2024-07-18")
    assert struck.status_code == 503
    assert struck.json() == {"error": {**error, "param": None}}
    assert "retry-after" not in struck.headers
    assert local.get("/v1/models").status_code == 200  # the glob wants a segment after /models/
    assert local.get("/v1/files").status_code == 200  # only delayed
    # PATCH adds, DELETE removes the rules that fit every field given, no body removes all.
    local.patch(FAULTS, json=[{"path": "/v1/files", "status": 500}])
    paths = [r["path"] for r in local.get(FAULTS).json()]
    assert paths == ["/v1/models/*", "/v1/files", "/v1/files"]
    left = local.request("DELETE", FAULTS, json=[{"path": "/v1/files", "status": 500}])
    assert [(r["path"], r["status"]) for r in left.json()] == [
        ("/v1/models/*", 503),
        ("/v1/files", None),
    ]
    left = local.request("DELETE", FAULTS, json=[{"path": "/v1/models/*"}])
    assert [(r["path"], r["latency_ms"]) for r in left.json()] == [("/v1/files", 1)]
    assert local.delete(FAULTS).json() == []
    assert local.get("/v1/models/gpt-4o-mini-2024-07-18").status_code == 200


def test_the_chaos_api_is_never_struck_nor_are_requests_without_a_key(local: TestClient) -> None:
    local.post(FAULTS, json=[{"path": "*", "status": 500}])
    assert local.get(FAULTS).status_code == 200
    assert local.get("/v1/files", headers={"Authorization": ""}).status_code == 401
    assert local.get("/v1/files").status_code == 500


def test_invalid_rules_are_refused(local: TestClient) -> None:
    for rule in (
        {"path": "/v1/files"},  # neither a status nor a latency
        {"path": "/v1/files", "status": 200},
        {"path": "/v1/files", "status": 429, "probability": 1.5},
        {"path": "/v1/files", "status": 429, "count": 0},
        {"path": "/v1/files", "status": 429, "colour": "red"},
        {"path": "/v1/files", "status": 429, "project": "proj_other"},
    ):
        response = local.post(FAULTS, json=[rule])
        assert response.status_code == 400, rule
        assert response.json()["error"]["type"] == "invalid_request_error"
    assert local.post(FAULTS, json={"path": "/v1/files", "status": 429}).status_code == 400
    assert local.get(FAULTS).json() == []


def test_only_admin_keys_set_faults_and_they_strike_their_own_project_only(
    team: TestClient,
) -> None:
    rule = [{"path": "*", "status": 500}]
    for method in ("GET", "POST", "PATCH", "DELETE"):
        denied = team.request(method, FAULTS, json=rule, headers=MEMBER_A)
        assert denied.status_code == 403, method
        assert denied.json()["error"]["code"] == "insufficient_permissions"
    assert team.post(FAULTS, json=rule, headers=ADMIN_A).status_code == 200
    assert team.get("/v1/files", headers=MEMBER_A).status_code == 500
    assert team.get("/v1/files", headers=ADMIN_B).status_code == 200
    assert team.get(FAULTS, headers=ADMIN_B).json() == []
    naming_a = team.post(FAULTS, json=[{**rule[0], "project": "proj_a"}], headers=ADMIN_B)
    assert naming_a.status_code == 400
    assert naming_a.json()["error"]["param"] == "[0].project"


def test_with_a_keys_file_fault_injection_is_off_unless_enabled(
    data_dir: Path, keys_file: Path
) -> None:
    with app_client(data_dir, api_keys_file=keys_file) as client:
        missing = client.get(FAULTS, headers=ADMIN_A)
        assert missing.status_code == 404
        assert missing.json()["error"]["code"] == "unknown_url"
        file_id = client.post(
            "/v1/files",
            files={"file": ("t.jsonl", chat_lines())},
            data={"purpose": "fine-tune"},
            headers=ADMIN_A,
        ).json()["id"]
        refused = client.post(
            "/v1/fine_tuning/jobs",
            json={
                "model": "gpt-4o-mini-2024-07-18",
                "training_file": file_id,
                "metadata": {"whetstone_fault": "fail_training"},
            },
            headers=ADMIN_A,
        )
        assert refused.status_code == 400
        assert refused.json()["error"]["param"] == "metadata"
        assert "WHETSTONE_CHAOS_ENABLED" in refused.json()["error"]["message"]
