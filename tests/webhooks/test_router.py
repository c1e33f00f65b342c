"""/v1/webhook_endpoints in-process: the SDK's shapes, per-project endpoints, the secret shown
only at create and rotate, event types, the SSRF rules, and `test` sending at once."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from openai.types.webhooks import (
    DeletedWebhookEndpoint,
    WebhookEndpoint,
    WebhookEndpointList,
    WebhookEndpointTestResult,
    WebhookEndpointWithSecret,
    WebhookEventTypeList,
)

from service.app import create_app
from service.core.config import Settings
from tests.webhooks.contract import check_sdk_shape
from tests.webhooks.receiver import Receiver, unwrap

LOCAL = {"Authorization": "Bearer sk-local"}
A = {"Authorization": "Bearer sk-a"}
B = {"Authorization": "Bearer sk-b"}
ENDPOINTS = "/v1/webhook_endpoints"
SUCCEEDED = "fine_tuning.job.succeeded"
PUBLIC_URL = "https://93.184.215.14/hook"  # a literal public address: nothing to resolve


@pytest.fixture(scope="module")
def local(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    """The app without a keys file (one local project, private addresses allowed); shared by
    the module's tests, which each make their own endpoints."""
    settings = Settings(data_dir=tmp_path_factory.mktemp("local"), scheduler_enabled=False)
    with TestClient(create_app(settings), headers=LOCAL) as client:
        yield client


def keyed_app(data_dir: Path, **settings: Any) -> TestClient:
    """The app with a keys file of two projects (a and b)."""
    keys = data_dir / "keys.json"
    keys.write_text(json.dumps({"sk-a": {"project": "proj_a"}, "sk-b": {"project": "proj_b"}}))
    return TestClient(
        create_app(
            Settings(data_dir=data_dir, scheduler_enabled=False, api_keys_file=keys, **settings)
        )
    )


@pytest.fixture(scope="module")
def keyed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    """The app with a keys file, private addresses refused; shared by the module's tests."""
    with keyed_app(tmp_path_factory.mktemp("keyed")) as client:
        yield client


def create(client: TestClient, headers: dict[str, str] = LOCAL, **fields: Any) -> dict:
    """POST /v1/webhook_endpoints and return the JSON answer (asserting 200)."""
    body = {"name": "ci", "url": PUBLIC_URL, "event_types": [SUCCEEDED], **fields}
    response = client.post(ENDPOINTS, json=body, headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


def test_create_answers_the_secret_once_and_a_hint_afterwards(local: TestClient) -> None:
    created = create(local)
    check_sdk_shape(created, WebhookEndpointWithSecret)
    assert created["signing_secret"].startswith("whsec_")
    assert created["signing_secret_hint"].endswith(created["signing_secret"][-4:])
    assert created["updated_at"] == created["created_at"]

    fetched = local.get(f"{ENDPOINTS}/{created['id']}").json()
    check_sdk_shape(fetched, WebhookEndpoint)
    assert "signing_secret" not in fetched
    assert fetched["signing_secret_hint"] == created["signing_secret_hint"]
    assert fetched["url"] == PUBLIC_URL and fetched["event_types"] == [SUCCEEDED]


def test_list_pages_newest_first(local: TestClient) -> None:
    ids = [create(local, name=f"e{i}")["id"] for i in range(3)]
    first = local.get(ENDPOINTS, params={"limit": 2}).json()
    check_sdk_shape(first, WebhookEndpointList)
    assert [e["id"] for e in first["data"]] == ids[:0:-1] and first["has_more"] is True
    rest = local.get(ENDPOINTS, params={"limit": 1, "after": first["last_id"]}).json()
    assert [e["id"] for e in rest["data"]] == ids[:1]
    assert all("signing_secret" not in e for e in first["data"] + rest["data"])
    everything = local.get(ENDPOINTS, params={"limit": 100}).json()
    assert everything["has_more"] is False and everything["last_id"] == everything["data"][-1]["id"]


def test_update_moves_updated_at_only_on_a_change(local: TestClient) -> None:
    created = create(local)
    url = f"{ENDPOINTS}/{created['id']}"
    same = local.post(url, json={"name": "ci"}).json()
    assert same["updated_at"] == created["updated_at"]
    types = ["fine_tuning.job.failed", "fine_tuning.job.cancelled"]
    changed = local.post(url, json={"name": "nightly", "event_types": types}).json()
    check_sdk_shape(changed, WebhookEndpoint)
    assert changed["name"] == "nightly" and changed["event_types"] == types
    assert local.get(url).json()["name"] == "nightly"


def test_rotate_returns_a_new_secret(local: TestClient) -> None:
    created = create(local)
    rotated = local.post(f"{ENDPOINTS}/{created['id']}/rotate_secret", json={}).json()
    check_sdk_shape(rotated, WebhookEndpointWithSecret)
    assert rotated["signing_secret"] != created["signing_secret"]
    assert rotated["signing_secret_hint"] == "whsec_****" + rotated["signing_secret"][-4:]
    bare = local.post(f"{ENDPOINTS}/{created['id']}/rotate_secret")
    assert bare.status_code == 200 and bare.json()["signing_secret"] != rotated["signing_secret"]


def test_delete_then_404(local: TestClient) -> None:
    created = create(local)
    deleted = local.delete(f"{ENDPOINTS}/{created['id']}").json()
    check_sdk_shape(deleted, DeletedWebhookEndpoint)
    assert deleted == {"id": created["id"], "object": "webhook_endpoint.deleted", "deleted": True}
    again = local.delete(f"{ENDPOINTS}/{created['id']}")
    assert again.status_code == 404 and again.json()["error"]["type"] == "invalid_request_error"


@pytest.mark.parametrize(
    "types", [["batch.completed"], ["fine_tuning.job.succeeded", "nonsense"], []]
)
def test_event_types_must_be_ones_we_emit(local: TestClient, types: list[str]) -> None:
    response = local.post(ENDPOINTS, json={"name": "x", "url": PUBLIC_URL, "event_types": types})
    assert response.status_code == 400
    assert response.json()["error"]["param"] == "event_types"


def test_event_types_lists_what_we_emit(local: TestClient) -> None:
    body = local.get("/v1/webhook_event_types").json()
    check_sdk_shape(body, WebhookEventTypeList)
    assert body["data"] == [
        "fine_tuning.job.succeeded",
        "fine_tuning.job.failed",
        "fine_tuning.job.cancelled",
        "eval.run.succeeded",
        "eval.run.failed",
        "eval.run.canceled",
    ]


def test_endpoints_belong_to_their_project(keyed: TestClient) -> None:
    mine = create(keyed, A)
    assert keyed.get(f"{ENDPOINTS}/{mine['id']}", headers=B).status_code == 404
    assert keyed.post(f"{ENDPOINTS}/{mine['id']}", json={"name": "x"}, headers=B).status_code == 404
    assert keyed.delete(f"{ENDPOINTS}/{mine['id']}", headers=B).status_code == 404
    assert keyed.get(ENDPOINTS, headers=B).json()["data"] == []
    assert mine["id"] in [e["id"] for e in keyed.get(ENDPOINTS, headers=A).json()["data"]]


PRIVATE_URLS = [
    "http://127.0.0.1:8080/hook",  # loopback
    "http://localhost/hook",  # a name for loopback (resolved from /etc/hosts)
    "http://[::1]/hook",  # IPv6 loopback
    "http://[::ffff:127.0.0.1]/hook",  # loopback behind an IPv4-mapped IPv6 address
    "http://169.254.169.254/latest/meta-data",  # link-local (cloud metadata)
    "http://10.1.2.3/hook",  # private
    "https://192.168.0.10/hook",  # private
    "http://172.16.0.1/hook",  # private
    "http://100.64.0.1/hook",  # shared address space (carrier-grade NAT)
    "http://0.0.0.0/hook",  # unspecified
]


@pytest.mark.parametrize("url", PRIVATE_URLS)
def test_with_a_keys_file_private_addresses_are_refused(keyed: TestClient, url: str) -> None:
    response = keyed.post(
        ENDPOINTS, json={"name": "x", "url": url, "event_types": [SUCCEEDED]}, headers=A
    )
    assert response.status_code == 400, response.text
    assert response.json()["error"]["param"] == "url"
    mine = create(keyed, A)
    update = keyed.post(f"{ENDPOINTS}/{mine['id']}", json={"url": url}, headers=A)
    assert update.status_code == 400 and update.json()["error"]["param"] == "url"


@pytest.mark.parametrize("url", ["ftp://example.com/x", "http:///nohost", "http://u:p@1.1.1.1/"])
def test_only_plain_http_urls_are_accepted(local: TestClient, url: str) -> None:
    response = local.post(ENDPOINTS, json={"name": "x", "url": url, "event_types": [SUCCEEDED]})
    assert response.status_code == 400 and response.json()["error"]["param"] == "url"


def test_private_addresses_are_allowed_when_the_operator_says_so(data_dir: Path) -> None:
    with keyed_app(data_dir, webhook_allow_private_networks=True) as client:
        create(client, A, url="http://127.0.0.1:9/hook")


def test_without_a_keys_file_private_addresses_are_allowed(local: TestClient) -> None:
    for url in ("http://127.0.0.1:9/hook", "http://localhost:9/hook", "http://10.0.0.1/hook"):
        create(local, url=url)


def test_test_sends_a_signed_event_at_once(local: TestClient) -> None:
    with Receiver(default_status=204) as receiver:
        created = create(local, url=receiver.url)
        response = local.post(
            f"{ENDPOINTS}/{created['id']}/test", json={"event_type": "fine_tuning.job.failed"}
        )
        assert response.status_code == 200, response.text
        check_sdk_shape(response.json(), WebhookEndpointTestResult)
        assert response.json()["status_code"] == 204
        assert response.json()["webhook_endpoint_id"] == created["id"]
        (request,) = receiver.received
    event = unwrap(request, created["signing_secret"])
    assert event.type == "fine_tuning.job.failed" and event.object == "event"
    assert request.headers["webhook-id"].startswith("wh_")


def test_test_does_not_follow_a_redirect(local: TestClient) -> None:
    with Receiver(default_status=302) as receiver, Receiver() as elsewhere:
        receiver.redirect_to = elsewhere.url
        created = create(local, url=receiver.url)
        result = local.post(f"{ENDPOINTS}/{created['id']}/test", json={"event_type": SUCCEEDED})
        assert result.json()["status_code"] == 302
        assert len(receiver.received) == 1 and elsewhere.received == []


def test_test_of_an_unreachable_endpoint_is_a_400(local: TestClient) -> None:
    with Receiver() as receiver:
        url = receiver.url
    created = create(local, url=url)  # nothing listens there any more
    response = local.post(f"{ENDPOINTS}/{created['id']}/test", json={"event_type": SUCCEEDED})
    assert response.status_code == 400 and response.json()["error"]["param"] == "url"


def test_test_refuses_event_types_we_do_not_emit(local: TestClient) -> None:
    created = create(local)
    response = local.post(
        f"{ENDPOINTS}/{created['id']}/test", json={"event_type": "batch.completed"}
    )
    assert response.status_code == 400 and response.json()["error"]["param"] == "event_type"
