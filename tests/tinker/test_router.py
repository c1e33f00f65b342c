"""The Tinker routes in process (no scheduler: futures stay where the front door puts them):
the envelope, versions, keys, submits that fail their future, long polls and refusals."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
import zstandard
from fastapi.testclient import TestClient
from sqlalchemy import select
from tinker import types
from tinker.proto.request_conv import forward_backward_request_to_proto

from service.app import create_app
from service.core.config import Settings
from service.core.tables import TinkerRequestRow
from service.tinker import futures

KEY = {"X-API-Key": "tml-router-test", "x-sdk-version": "0.38.0"}


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    """The app with a short long poll and no scheduler."""
    settings = Settings(
        data_dir=tmp_path_factory.mktemp("data"),
        scheduler_enabled=False,
        tinker_long_poll_seconds=0.05,
    )
    with TestClient(create_app(settings), headers=KEY) as test_client:
        yield test_client


def _session(client: TestClient) -> str:
    answer = client.post(
        "/api/v1/create_session", json={"tags": [], "user_metadata": {}, "sdk_version": "0.38.0"}
    )
    assert answer.status_code == 200, answer.text
    session_id: str = answer.json()["session_id"]
    return session_id


def _result(client: TestClient, request_id: str) -> dict[str, object]:
    answer = client.post("/api/v1/retrieve_future", json={"request_id": request_id})
    assert answer.status_code == 200, answer.text
    body: dict[str, object] = answer.json()
    return body


def _create_model(client: TestClient, session_id: str, **overrides: object) -> dict[str, object]:
    body: dict[str, object] = {
        "session_id": session_id,
        "model_seq_id": 0,
        "base_model": "whetstone-tiny",
        "lora_config": {"rank": 8},
        "optimizer_config": {"type": "adamw"},
        **overrides,
    }
    answer = client.post("/api/v1/create_model", json=body)
    assert answer.status_code == 200, answer.text
    future: dict[str, object] = answer.json()
    return future


def _forward_backward_body(model_id: str, seq_id: int) -> bytes:
    request = types.ForwardBackwardRequest(
        forward_backward_input=types.ForwardBackwardInput(
            data=[
                types.Datum(
                    model_input=types.ModelInput.from_ints([1, 2, 3]),
                    loss_fn_inputs={
                        "target_tokens": types.TensorData.from_numpy(np.array([2, 3, 4]))
                    },
                )
            ],
            loss_fn="cross_entropy",
        ),
        model_id=model_id,
        seq_id=seq_id,
    )
    payload: bytes = forward_backward_request_to_proto(request).SerializeToString()
    return payload


def test_client_config_and_health(client: TestClient) -> None:
    config = client.post("/api/v1/client/config", json={"sdk_version": "0.38.0"})
    assert config.status_code == 200
    assert config.json()["pjwt_auth_enabled"] is False
    assert client.get("/api/v1/healthz").json() == {"status": "ok"}
    models = client.get("/api/v1/get_server_capabilities").json()["supported_models"]
    assert "whetstone-tiny" in [model["model_name"] for model in models]
    assert all(model["trainable"] and model["max_context_length"] > 0 for model in models)


def test_an_unsupported_sdk_is_refused_in_body_and_header(client: TestClient) -> None:
    for path in ("/api/v1/client/config", "/api/v1/create_session"):
        answer = client.post(path, json={"sdk_version": "0.24.1", "tags": []})
        assert answer.status_code == 400
        assert ">=0.38.0,<0.39" in answer.json()["error"]
        # The SDK must not retry a refusal.
        assert answer.headers["x-should-retry"] == "false"
    answer = client.get("/api/v1/healthz", headers={"x-sdk-version": "0.39.1"})
    assert answer.status_code == 200  # health answers anyone
    answer = client.post(
        "/api/v1/create_session",
        json={"sdk_version": "0.38.0", "tags": []},
        headers={"x-sdk-version": "0.39.1"},
    )
    assert answer.status_code == 400
    assert "0.39.1" in answer.json()["error"]


def test_a_missing_key_is_a_401_in_tinkers_envelope(client: TestClient) -> None:
    answer = client.post(
        "/api/v1/create_session",
        json={"sdk_version": "0.38.0", "tags": []},
        headers={"X-API-Key": ""},
    )
    assert answer.status_code == 401
    assert answer.json()["category"] == "user"
    assert "X-API-Key" in answer.json()["error"]


def test_create_model_queues_a_pending_model(client: TestClient) -> None:
    session_id = _session(client)
    future = _create_model(client, session_id)
    assert future["model_id"] == f"{session_id}:train:0"
    # A retried submit (the SDK retries when an answer is lost) gets the same future.
    assert _create_model(client, session_id) == future
    pending = _result(client, str(future["request_id"]))
    # No scheduler here: the model waits for a device slot.
    assert pending == {
        "type": "try_again",
        "request_id": future["request_id"],
        "queue_state": "paused_capacity",
    }
    info = client.post("/api/v1/get_info", json={"model_id": future["model_id"]}).json()
    assert (info["model_data"]["model_name"], info["lora_rank"]) == ("whetstone-tiny", 8)


@pytest.mark.parametrize(
    ("overrides", "named"),
    [
        ({"base_model": "Qwen/Qwen3-8B"}, "Qwen/Qwen3-8B"),
        ({"lora_config": {"rank": 0}}, "rank 0"),
        ({"optimizer_config": {"type": "dimuon", "version": 1}}, "dimuon"),
        ({"lora_config": None}, "full fine-tuning"),
    ],
)
def test_a_bad_create_model_fails_its_future_naming_the_problem(
    client: TestClient, overrides: dict[str, object], named: str
) -> None:
    future = _create_model(client, _session(client), **overrides)
    failed = _result(client, str(future["request_id"]))
    assert failed["category"] == "user"
    assert named in str(failed["error"])


def test_forward_backward_takes_zstd_and_keeps_a_retried_submit_once(client: TestClient) -> None:
    session_id = _session(client)
    model_id = str(_create_model(client, session_id)["model_id"])
    body = zstandard.ZstdCompressor().compress(_forward_backward_body(model_id, 1))
    headers = {"Content-Type": "application/x-protobuf", "Content-Encoding": "zstd"}
    first = client.post("/api/v1/forward_backward", content=body, headers=headers).json()
    again = client.post("/api/v1/forward_backward", content=body, headers=headers).json()
    assert first == again == {"request_id": first["request_id"], "model_id": model_id}
    assert _result(client, first["request_id"])["type"] == "try_again"


def test_a_zstd_body_that_inflates_past_the_limit_is_a_413(client: TestClient) -> None:
    limit = client.app.state.container.settings.tinker_max_request_bytes  # type: ignore[attr-defined]
    bomb = zstandard.ZstdCompressor().compress(bytes(limit + 1))
    answer = client.post(
        "/api/v1/forward_backward",
        content=bomb,
        headers={"Content-Type": "application/x-protobuf", "Content-Encoding": "zstd"},
    )
    assert answer.status_code == 413
    assert "WHETSTONE_TINKER_MAX_REQUEST_BYTES" in answer.json()["error"]


def test_requests_to_a_model_that_is_not_ours_fail_their_future(client: TestClient) -> None:
    answer = client.post(
        "/api/v1/forward_backward",
        content=_forward_backward_body("nobody:train:0", 1),
        headers={"Content-Type": "application/x-protobuf"},
    )
    assert answer.status_code == 200
    failed = _result(client, answer.json()["request_id"])
    assert failed["category"] == "user"
    assert "nobody:train:0" in str(failed["error"])
    step = client.post(
        "/api/v1/optim_step",
        json={"model_id": "nobody:train:0", "seq_id": 2, "adam_params": {"learning_rate": 0.1}},
    ).json()
    assert _result(client, step["request_id"])["category"] == "user"


def test_a_body_that_is_no_protobuf_is_a_400(client: TestClient) -> None:
    answer = client.post(
        "/api/v1/forward_backward",
        content=b"\xff\xfe not protobuf",
        headers={"Content-Type": "application/x-protobuf"},
    )
    assert answer.status_code == 400
    assert "ForwardBackwardRequest" in answer.json()["error"]


def test_a_finished_proto_result_goes_back_as_protobuf(client: TestClient) -> None:
    db = client.app.state.container.db  # type: ignore[attr-defined]
    request_id = futures.submit(
        db,
        project="proj_local",
        kind="sample",
        model_id=None,
        seq_id=None,
        payload=b"",
        payload_type="json",
    )
    futures.finish(db, request_id=request_id, result=b"\x0a\x00", result_type="proto")
    answer = client.post("/api/v1/retrieve_future", json={"request_id": request_id})
    assert answer.headers["content-type"] == "application/x-protobuf"
    assert answer.content == b"\x0a\x00"
    failed = futures.submit_failed(
        db, project="proj_local", kind="sample", model_id=None, message="no such sampler"
    )
    assert _result(client, failed) == {"error": "no such sampler", "category": "user"}


@pytest.mark.parametrize(
    ("path", "named"),
    [
        ("/api/v1/create_custom_loss", "create_custom_loss"),
        ("/api/v1/copy_weights", "copy_weights"),
        ("/api/v1/cancel_future", "cancel_future"),
        ("/api/v1/retrieve_futures", "retrieve_futures"),
    ],
)
def test_what_is_not_implemented_is_refused_by_name(
    client: TestClient, path: str, named: str
) -> None:
    answer = client.post(path, json={})
    assert answer.status_code == 400
    assert named in answer.json()["error"]
    assert answer.headers["x-should-retry"] == "false"


def test_the_admin_clients_hosted_features_are_refused_by_name(client: TestClient) -> None:
    answer = client.get("/api/v1/audit")
    assert answer.status_code == 400
    assert "audit" in answer.json()["error"]


def test_finishing_a_session_unloads_its_models_after_their_requests(client: TestClient) -> None:
    session_id = _session(client)
    model_id = str(_create_model(client, session_id)["model_id"])
    client.post(
        "/api/v1/optim_step",
        json={"model_id": model_id, "seq_id": 1, "adam_params": {"learning_rate": 0.1}},
    )
    answer = client.post(
        f"/api/v1/sessions/{session_id}/finish",
        json={"reason": {"type": "success"}, "detail": None},
    )
    assert answer.status_code == 200
    db = client.app.state.container.db  # type: ignore[attr-defined]
    with db.session() as session:
        queued = session.execute(
            select(TinkerRequestRow.kind, TinkerRequestRow.seq_id)
            .where(TinkerRequestRow.model_id == model_id, TinkerRequestRow.seq_id.is_not(None))
            .order_by(TinkerRequestRow.seq_id)
        ).all()
    assert [tuple(row) for row in queued] == [("optim_step", 1), ("unload_model", 2)]
    missing = client.post("/api/v1/sessions/nope/finish", json={"reason": {"type": "success"}})
    assert missing.status_code == 404


def test_tinker_routes_stay_out_of_the_openapi_document(client: TestClient) -> None:
    paths = json.loads(client.get("/openapi.json").text)["paths"]
    assert not [path for path in paths if path.startswith("/api/v1")]


def test_keys_map_to_projects_and_a_model_of_another_is_not_found(tmp_path: Path) -> None:
    keys = tmp_path / "keys.json"
    keys.write_text(
        json.dumps({"tml-team-a": {"project": "proj_a"}, "tml-team-b": {"project": "proj_b"}})
    )
    settings = Settings(data_dir=tmp_path / "data", scheduler_enabled=False, api_keys_file=keys)
    with TestClient(create_app(settings)) as app_client:
        team_a = {"X-API-Key": "tml-team-a"}
        session = app_client.post(
            "/api/v1/create_session", json={"sdk_version": "0.38.0", "tags": []}, headers=team_a
        ).json()["session_id"]
        model = app_client.post(
            "/api/v1/create_model",
            json={
                "session_id": session,
                "model_seq_id": 0,
                "base_model": "whetstone-tiny",
                "lora_config": {"rank": 4},
            },
            headers=team_a,
        ).json()["model_id"]

        team_b = {"X-API-Key": "tml-team-b"}
        step = app_client.post(
            "/api/v1/optim_step",
            json={"model_id": model, "seq_id": 1, "adam_params": {}},
            headers=team_b,
        ).json()
        failed = app_client.post(
            "/api/v1/retrieve_future", json={"request_id": step["request_id"]}, headers=team_b
        ).json()
        assert failed["category"] == "user"
        assert "No training model" in failed["error"]
        # Team A cannot read team B's future either, and an unlisted key is refused.
        other = app_client.post(
            "/api/v1/retrieve_future", json={"request_id": step["request_id"]}, headers=team_a
        )
        assert other.status_code == 404
        stranger = app_client.post(
            "/api/v1/create_session",
            json={"sdk_version": "0.38.0", "tags": []},
            headers={"X-API-Key": "tml-stranger"},
        )
        assert stranger.status_code == 401
