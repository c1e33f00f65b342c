"""/v1/fine_tuning/jobs in-process: create-time checks, the wire shape, lists and transitions.

The scheduler is off here; a test moves a job through validation by calling the scheduler's
validation step itself. Training is covered end to end in tests/e2e/test_fine_tuning.py.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from service.app import create_app
from service.core.config import Settings
from service.fine_tuning import repository as job_rows
from service.fine_tuning.operations import fine_tuned_model_name
from service.scheduler.validation import validate_job_files
from tests.contract.openai_schema import validate_response
from tests.fine_tuning.factories import make_job, reload

AUTH = {"Authorization": "Bearer sk-test"}
YES_GRADER = {
    "type": "string_check",
    "name": "says yes",
    "input": "{{sample.output_text}}",
    "reference": "yes",
    "operation": "eq",
}
JOBS = "/v1/fine_tuning/jobs"


def chat_lines(n: int = 12) -> bytes:
    """A valid chat training file of `n` examples."""
    return b"\n".join(
        json.dumps(
            {
                "messages": [
                    {"role": "user", "content": f"Question {i}?"},
                    {"role": "assistant", "content": "The owl flies at midnight."},
                ]
            }
        ).encode()
        for i in range(n)
    )


@pytest.fixture
def keys_file(tmp_path: Path) -> Path:
    """Two keys, two projects."""
    path = tmp_path / "keys.json"
    path.write_text(
        json.dumps(
            {
                "sk-alice": {"project": "proj_alice", "organization": "org-alice"},
                "sk-bob": {"project": "proj_bob", "organization": "org-bob"},
            }
        )
    )
    return path


@pytest.fixture
def client(migrated_data_dir: Path, keys_file: Path) -> Iterator[TestClient]:
    """The app with the scheduler off, as project alice."""
    settings = Settings(
        data_dir=migrated_data_dir, scheduler_enabled=False, api_keys_file=keys_file
    )
    with TestClient(create_app(settings), headers={"Authorization": "Bearer sk-alice"}) as tc:
        yield tc


def upload(
    client: TestClient, data: bytes | None = None, purpose: str = "fine-tune", key: str = "alice"
) -> str:
    """Upload a file and return its id."""
    response = client.post(
        "/v1/files",
        files={"file": ("train.jsonl", chat_lines() if data is None else data)},
        data={"purpose": purpose},
        headers={"Authorization": f"Bearer sk-{key}"},
    )
    assert response.status_code == 200, response.text
    return response.json()["id"]


def create(client: TestClient, **body: Any) -> Any:
    """POST a job (the training file defaults to a fresh valid upload)."""
    body.setdefault("model", "gpt-4o-mini-2024-07-18")
    if "training_file" not in body:
        body["training_file"] = upload(client)
    return client.post(JOBS, json=body)


def events_of(client: TestClient, job_id: str) -> list[dict]:
    """Every event of a job, oldest first."""
    response = client.get(f"{JOBS}/{job_id}/events", params={"limit": 1000})
    assert response.status_code == 200
    validate_response("/fine_tuning/jobs/{fine_tuning_job_id}/events", "get", 200, response.json())
    return list(reversed(response.json()["data"]))


def validate_files(client: TestClient, job_id: str) -> None:
    """Run the scheduler's validation step for one job."""
    container = client.app.state.container  # type: ignore[attr-defined]
    validate_job_files(container.db, container.store, container.catalog, job_id)


def test_create_stores_a_validating_job_with_its_first_event(client: TestClient) -> None:
    training = upload(client)
    response = create(
        client,
        training_file=training,
        suffix="mine",
        seed=7,
        metadata={"team": "search"},
        method={"type": "supervised", "supervised": {"hyperparameters": {"n_epochs": 2}}},
    )
    assert response.status_code == 200, response.text
    job = response.json()
    validate_response("/fine_tuning/jobs", "post", 200, job)
    assert job["object"] == "fine_tuning.job" and job["id"].startswith("ftjob-")
    assert job["status"] == "validating_files"
    assert job["training_file"] == training and job["validation_file"] is None
    assert job["seed"] == 7 and job["metadata"] == {"team": "search"}
    assert job["organization_id"] == "org-alice"
    assert job["error"] is None and job["fine_tuned_model"] is None
    assert job["hyperparameters"] == {
        "n_epochs": 2,
        "batch_size": "auto",
        "learning_rate_multiplier": "auto",
    }
    assert job["method"]["type"] == "supervised"
    assert [e["message"] for e in events_of(client, job["id"])] == [
        f"Created fine-tuning job: {job['id']}"
    ]


def test_a_seed_is_chosen_when_none_is_given(client: TestClient) -> None:
    job = create(client).json()
    assert isinstance(job["seed"], int) and 0 <= job["seed"] < 2**31


def test_legacy_hyperparameters_fill_in_for_method(client: TestClient) -> None:
    job = create(client, hyperparameters={"n_epochs": 3, "batch_size": 2}).json()
    assert job["method"]["supervised"]["hyperparameters"]["n_epochs"] == 3
    assert job["hyperparameters"]["batch_size"] == 2


@pytest.mark.parametrize(
    ("body", "param"),
    [
        ({"model": "no-such-model"}, "model"),
        ({"training_file": "file-doesnotexist"}, "training_file"),
        ({"validation_file": "file-doesnotexist"}, "validation_file"),
        ({"suffix": "x" * 65}, "suffix"),
        ({"seed": -1}, "seed"),
        ({"hyperparameters": {"n_epochs": 0}}, "hyperparameters.n_epochs"),
        ({"hyperparameters": {"batch_size": 257}}, "hyperparameters.batch_size"),
        ({"hyperparameters": {"warmup": 3}}, "hyperparameters.warmup"),
        (
            {"method": {"type": "supervised", "supervised": {"hyperparameters": {"n_epochs": 51}}}},
            "method.supervised.hyperparameters.n_epochs",
        ),
        (
            {
                "method": {
                    "type": "supervised",
                    "supervised": {"hyperparameters": {"learning_rate_multiplier": 0}},
                }
            },
            "method.supervised.hyperparameters.learning_rate_multiplier",
        ),
        (
            {"method": {"type": "supervised", "supervised": {"hyperparameters": {"lora_rank": 0}}}},
            "method.supervised.hyperparameters.lora_rank",
        ),
        (
            {"method": {"type": "supervised", "supervised": {"hyperparameters": {"beta": 1}}}},
            "method.supervised.hyperparameters.beta",
        ),
        (
            {"method": {"type": "dpo", "dpo": {"hyperparameters": {"beta": 0}}}},
            "method.dpo.hyperparameters.beta",
        ),
        (
            {"method": {"type": "dpo", "dpo": {"hyperparameters": {"beta": 2.5}}}},
            "method.dpo.hyperparameters.beta",
        ),
        (
            {"method": {"type": "dpo", "dpo": {"hyperparameters": {"lora_rank": 0}}}},
            "method.dpo.hyperparameters.lora_rank",
        ),
        (
            {"method": {"type": "dpo", "dpo": {"hyperparameters": {"warmup": 3}}}},
            "method.dpo.hyperparameters.warmup",
        ),
        ({"method": {"type": "reinforcement"}}, "method.reinforcement.grader"),
        (
            {"method": {"type": "reinforcement", "reinforcement": {"grader": {"type": "nope"}}}},
            "method.reinforcement.grader.type",
        ),
        (
            {
                "method": {
                    "type": "reinforcement",
                    "reinforcement": {
                        "grader": YES_GRADER,
                        "hyperparameters": {"num_generations": 1},
                    },
                }
            },
            "method.reinforcement.hyperparameters.num_generations",
        ),
        (
            {
                "method": {
                    "type": "reinforcement",
                    "reinforcement": {"grader": YES_GRADER, "hyperparameters": {"beta": -1}},
                }
            },
            "method.reinforcement.hyperparameters.beta",
        ),
        (
            {
                "method": {
                    "type": "reinforcement",
                    "reinforcement": {
                        "grader": {
                            "type": "score_model",
                            "name": "judge",
                            "model": "no-such-model",
                            "input": [{"role": "user", "content": "{{sample.output_text}}"}],
                        }
                    },
                }
            },
            "method.reinforcement.grader.model",
        ),
        ({"metadata": {f"k{i}": "v" for i in range(17)}}, "metadata"),
        ({"metadata": {"k" * 65: "v"}}, "metadata"),
        ({"metadata": {"k": "v" * 513}}, "metadata"),
        ({"integrations": [{"type": "slack", "slack": {}}]}, "integrations[0].type"),
        ({"unknown_field": 1}, "unknown_field"),
    ],
)
def test_create_refuses_bad_requests_with_400_naming_the_param(
    client: TestClient, body: dict, param: str
) -> None:
    response = create(client, **body)
    assert response.status_code == 400, response.text
    error = response.json()["error"]
    assert error["param"] == param
    assert error["type"] == "invalid_request_error"
    assert client.get(JOBS).json()["data"] == []  # nothing was stored


def test_a_reinforcement_job_echoes_its_grader_and_openai_hyperparameters(
    client: TestClient,
) -> None:
    response = create(
        client,
        model="o4-mini-2025-04-16",
        method={
            "type": "reinforcement",
            "reinforcement": {
                "grader": YES_GRADER,
                "hyperparameters": {"reasoning_effort": "low", "eval_interval": 2},
            },
        },
    )
    assert response.status_code == 200, response.text
    method = response.json()["method"]
    assert method["type"] == "reinforcement"
    assert method["reinforcement"]["grader"] == YES_GRADER
    hyperparameters = method["reinforcement"]["hyperparameters"]
    assert hyperparameters["reasoning_effort"] == "low"
    assert hyperparameters["eval_interval"] == 2
    assert hyperparameters["n_epochs"] == "auto"


def preference_lines(n: int = 12) -> bytes:
    """A valid preference (DPO) training file of `n` examples."""
    return b"\n".join(
        json.dumps(
            {
                "input": {"messages": [{"role": "user", "content": f"Question {i}?"}]},
                "preferred_output": [{"role": "assistant", "content": "At midnight."}],
                "non_preferred_output": [{"role": "assistant", "content": "No idea."}],
            }
        ).encode()
        for i in range(n)
    )


def test_a_dpo_job_is_stored_and_queued_with_its_hyperparameters_as_numbers(
    client: TestClient,
) -> None:
    dpo = {"type": "dpo", "dpo": {"hyperparameters": {"beta": "auto", "lora_rank": 8}}}
    response = create(client, training_file=upload(client, preference_lines()), method=dpo)
    assert response.status_code == 200, response.text
    job = response.json()
    validate_response("/fine_tuning/jobs", "post", 200, job)
    assert job["method"] == {
        "type": "dpo",
        "dpo": {
            "hyperparameters": {
                "beta": "auto",
                "batch_size": "auto",
                "learning_rate_multiplier": "auto",
                "n_epochs": "auto",
                "lora_rank": 8,
            }
        },
    }
    validate_files(client, job["id"])
    queued = client.get(f"{JOBS}/{job['id']}").json()
    validate_response("/fine_tuning/jobs/{fine_tuning_job_id}", "get", 200, queued)
    assert queued["status"] == "queued", queued["error"]
    resolved = queued["method"]["dpo"]["hyperparameters"]
    assert resolved["beta"] == 0.1 and resolved["lora_rank"] == 8
    assert isinstance(resolved["n_epochs"], int) and isinstance(resolved["batch_size"], int)
    assert isinstance(resolved["learning_rate_multiplier"], float)
    assert "auto" not in resolved.values()
    assert queued["hyperparameters"] == {
        key: resolved[key] for key in ("batch_size", "learning_rate_multiplier", "n_epochs")
    }


def test_a_chat_file_fails_a_dpo_job_and_a_preference_file_a_supervised_one(
    client: TestClient,
) -> None:
    dpo = create(client, method={"type": "dpo", "dpo": {"hyperparameters": {"beta": 0.2}}})
    supervised = create(client, training_file=upload(client, preference_lines()))
    for response, expected in (
        (dpo, "Line 1 is a chat example"),
        (supervised, "Line 1 is a preference (DPO) example"),
    ):
        job_id = response.json()["id"]
        validate_files(client, job_id)
        failed = client.get(f"{JOBS}/{job_id}").json()
        assert failed["status"] == "failed"
        assert failed["error"]["code"] == "invalid_training_file"
        assert failed["error"]["param"] == "training_file"
        assert expected in failed["error"]["message"]


def test_a_dpo_job_validates_its_validation_file_as_preference_lines(client: TestClient) -> None:
    lines = preference_lines(3).split(b"\n")
    lines[1] = b'{"input": {"messages": [{"role": "user", "content": "q"}]}}'
    job = create(
        client,
        training_file=upload(client, preference_lines()),
        validation_file=upload(client, b"\n".join(lines)),
        method={"type": "dpo"},
    ).json()
    validate_files(client, job["id"])
    failed = client.get(f"{JOBS}/{job['id']}").json()
    assert failed["error"]["code"] == "invalid_validation_file"
    assert failed["error"]["param"] == "validation_file"
    assert 'Line 2, key "preferred_output": missing' in failed["error"]["message"]


def test_a_file_of_another_project_or_purpose_is_refused(client: TestClient) -> None:
    bobs = upload(client, key="bob")
    assert create(client, training_file=bobs).json()["error"]["param"] == "training_file"
    batch = upload(client, purpose="batch")
    response = create(client, training_file=batch)
    assert response.status_code == 400
    assert "purpose" in response.json()["error"]["message"]


def test_wandb_integration_is_echoed_with_a_warning_event(client: TestClient) -> None:
    integration = {"type": "wandb", "wandb": {"project": "p", "tags": ["a"]}}
    job = create(client, integrations=[integration]).json()
    assert job["integrations"][0]["wandb"]["project"] == "p"
    warnings = [e for e in events_of(client, job["id"]) if e["level"] == "warn"]
    assert len(warnings) == 1 and "W&B" in warnings[0]["message"]


def test_another_projects_job_is_404(client: TestClient) -> None:
    job = create(client).json()
    bob = {"Authorization": "Bearer sk-bob"}
    for method, path in [
        ("get", f"{JOBS}/{job['id']}"),
        ("get", f"{JOBS}/{job['id']}/events"),
        ("get", f"{JOBS}/{job['id']}/checkpoints"),
        ("post", f"{JOBS}/{job['id']}/cancel"),
        ("post", f"{JOBS}/{job['id']}/pause"),
    ]:
        response = client.request(method, path, headers=bob)
        assert response.status_code == 404, (method, path)
    assert client.get(JOBS, headers=bob).json()["data"] == []


def test_list_is_newest_first_and_pages_with_after(client: TestClient) -> None:
    training = upload(client)
    ids = [create(client, training_file=training).json()["id"] for _ in range(3)]
    first = client.get(JOBS, params={"limit": 2}).json()
    validate_response("/fine_tuning/jobs", "get", 200, first)
    assert [job["id"] for job in first["data"]] == [ids[2], ids[1]] and first["has_more"]
    rest = client.get(JOBS, params={"limit": 2, "after": ids[1]}).json()
    assert [job["id"] for job in rest["data"]] == [ids[0]] and not rest["has_more"]


def test_list_filters_on_metadata(client: TestClient) -> None:
    training = upload(client)
    search = create(client, training_file=training, metadata={"team": "search", "env": "ci"})
    ads = create(client, training_file=training, metadata={"team": "ads"})
    bare = create(client, training_file=training)

    def listed(query: str) -> list[str]:
        return [job["id"] for job in client.get(f"{JOBS}?{query}").json()["data"]]

    assert listed("metadata[team]=search") == [search.json()["id"]]
    assert listed("metadata[team]=search&metadata[env]=ci") == [search.json()["id"]]
    assert listed("metadata[team]=search&metadata[env]=prod") == []
    assert listed("metadata[team]=ads") == [ads.json()["id"]]
    assert listed("metadata=null") == [bare.json()["id"]]


def test_validation_queues_the_job_with_resolved_hyperparameters(client: TestClient) -> None:
    job = create(client, hyperparameters={"n_epochs": 2}).json()
    validate_files(client, job["id"])
    queued = client.get(f"{JOBS}/{job['id']}").json()
    validate_response("/fine_tuning/jobs/{fine_tuning_job_id}", "get", 200, queued)
    assert queued["status"] == "queued"
    assert queued["hyperparameters"]["n_epochs"] == 2
    assert isinstance(queued["hyperparameters"]["batch_size"], int)
    assert isinstance(queued["hyperparameters"]["learning_rate_multiplier"], float)
    assert [e["message"] for e in events_of(client, job["id"])] == [
        f"Created fine-tuning job: {job['id']}",
        f"Validating training file: {job['training_file']}",
        "Files validated, moving job to queued state",
    ]


def test_a_bad_file_fails_the_job_with_its_code_and_line(client: TestClient) -> None:
    lines = chat_lines(12).split(b"\n")
    lines[4] = b'{"messages": [{"role": "wizard", "content": "hi"}]}'
    job = create(client, training_file=upload(client, b"\n".join(lines))).json()
    validate_files(client, job["id"])
    failed = client.get(f"{JOBS}/{job['id']}").json()
    validate_response("/fine_tuning/jobs/{fine_tuning_job_id}", "get", 200, failed)
    assert failed["status"] == "failed" and failed["finished_at"] is not None
    assert failed["error"]["code"] == "invalid_training_file"
    assert failed["error"]["param"] == "training_file"
    assert "line 5" in failed["error"]["message"].lower()
    assert events_of(client, job["id"])[-1]["level"] == "error"


def test_too_few_examples_fail_with_invalid_n_examples(client: TestClient) -> None:
    job = create(client, training_file=upload(client, chat_lines(3))).json()
    validate_files(client, job["id"])
    error = client.get(f"{JOBS}/{job['id']}").json()["error"]
    assert error["code"] == "invalid_n_examples" and error["param"] == "training_file"


def test_cancel_a_waiting_job_then_refuse_a_second_cancel(client: TestClient) -> None:
    job = create(client).json()
    response = client.post(f"{JOBS}/{job['id']}/cancel")
    assert response.status_code == 200
    validate_response("/fine_tuning/jobs/{fine_tuning_job_id}/cancel", "post", 200, response.json())
    assert response.json()["status"] == "cancelled"
    again = client.post(f"{JOBS}/{job['id']}/cancel")
    assert again.status_code == 400
    assert client.post(f"{JOBS}/{job['id']}/resume").status_code == 400


def test_pause_and_resume_a_queued_job(client: TestClient) -> None:
    job = create(client).json()
    assert client.post(f"{JOBS}/{job['id']}/pause").status_code == 400  # still validating
    validate_files(client, job["id"])
    paused = client.post(f"{JOBS}/{job['id']}/pause")
    assert paused.status_code == 200 and paused.json()["status"] == "paused"
    assert client.post(f"{JOBS}/{job['id']}/pause").status_code == 400
    resumed = client.post(f"{JOBS}/{job['id']}/resume")
    assert resumed.status_code == 200 and resumed.json()["status"] == "queued"
    assert client.post(f"{JOBS}/{job['id']}/resume").status_code == 400


def test_checkpoints_of_a_new_job_are_an_empty_page(client: TestClient) -> None:
    job = create(client).json()
    body = client.get(f"{JOBS}/{job['id']}/checkpoints").json()
    validate_response("/fine_tuning/jobs/{fine_tuning_job_id}/checkpoints", "get", 200, body)
    assert body["data"] == [] and body["has_more"] is False


def test_events_page_newest_first_with_after(client: TestClient) -> None:
    job = create(client).json()
    validate_files(client, job["id"])
    first = client.get(f"{JOBS}/{job['id']}/events", params={"limit": 2}).json()
    assert [e["message"] for e in first["data"]] == [
        "Files validated, moving job to queued state",
        f"Validating training file: {job['training_file']}",
    ]
    assert first["has_more"] is True
    rest = client.get(
        f"{JOBS}/{job['id']}/events", params={"limit": 2, "after": first["data"][-1]["id"]}
    ).json()
    assert [e["message"] for e in rest["data"]] == [f"Created fine-tuning job: {job['id']}"]
    assert rest["has_more"] is False


def test_operation_ids_are_stable(client: TestClient) -> None:
    document = client.get("/openapi.json").json()
    ids = {
        operation["operationId"]
        for path, operations in document["paths"].items()
        if path.startswith("/v1/fine_tuning/jobs")
        for operation in operations.values()
    }
    assert ids == {
        "fine_tuning-jobs-create",
        "fine_tuning-jobs-list",
        "fine_tuning-jobs-retrieve",
        "fine_tuning-jobs-cancel",
        "fine_tuning-jobs-pause",
        "fine_tuning-jobs-resume",
        "fine_tuning-jobs-events-list",
        "fine_tuning-jobs-checkpoints-list",
    }


def plant_model(client: TestClient, *, project: str = "proj_alice", lora_rank: int = 8) -> str:
    """A succeeded job of `project` whose model a new job may continue; its `ft:` name."""
    container = client.app.state.container  # type: ignore[attr-defined]
    name = f"ft:gpt-4o-mini-2024-07-18:org:src:{project[-5:]}"
    hyperparameters = {"n_epochs": 1, "lora_rank": lora_rank, "lora_alpha": 16}
    job = make_job(
        container.db,
        status="succeeded",
        project=project,
        fine_tuned_model=name,
        adapter_key=f"jobs/{project}/adapter",
        method={"type": "supervised", "supervised": {"hyperparameters": hyperparameters}},
    )
    with container.db.session() as session:
        job_rows.add_checkpoint(
            session,
            job_id=job.id,
            project=project,
            step=3,
            metrics={"step": 3},
            model_name=f"{name}:ckpt-step-3",
            storage_key=f"jobs/{job.id}/checkpoints/step-3",
        )
    return name


def test_a_job_continues_the_callers_fine_tuned_model(client: TestClient) -> None:
    source = plant_model(client)
    response = create(client, model=source, suffix="next")
    assert response.status_code == 200, response.text
    job = response.json()
    assert job["model"] == source
    validate_files(client, job["id"])
    queued = client.get(f"{JOBS}/{job['id']}").json()
    assert queued["status"] == "queued"
    resolved = queued["method"]["supervised"]["hyperparameters"]
    assert (resolved["lora_rank"], resolved["lora_alpha"]) == (8, 16)
    container = client.app.state.container  # type: ignore[attr-defined]
    row = reload(container.db, job["id"])
    assert row.base_model == "gpt-4o-mini-2024-07-18"
    assert row.initial_adapter_key == "jobs/proj_alice/adapter"
    # Named after the base at the root of the lineage, not `ft:ft:...`.
    assert fine_tuned_model_name(row).startswith("ft:gpt-4o-mini-2024-07-18:org-alice:next:")


def test_a_job_continues_a_checkpoint(client: TestClient) -> None:
    source = plant_model(client)
    response = create(client, model=f"{source}:ckpt-step-3")
    assert response.status_code == 200, response.text
    container = client.app.state.container  # type: ignore[attr-defined]
    row = reload(container.db, response.json()["id"])
    assert row.initial_adapter_key is not None
    assert row.initial_adapter_key.endswith("/checkpoints/step-3/adapter")


def test_a_continued_job_keeps_the_lora_shape(client: TestClient) -> None:
    source = plant_model(client, lora_rank=8)
    response = create(
        client,
        model=source,
        method={"type": "supervised", "supervised": {"hyperparameters": {"lora_rank": 16}}},
    )
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["param"] == "method.supervised.hyperparameters.lora_rank"
    assert "lora_rank=8" in error["message"]


@pytest.mark.parametrize("which", ["unknown", "other project"])
def test_only_the_callers_fine_tuned_models_can_be_continued(
    client: TestClient, which: str
) -> None:
    if which == "unknown":
        source = "ft:gpt-4o-mini-2024-07-18:org:src:nothere"
    else:
        source = plant_model(client, project="proj_bob")
    response = create(client, model=source)
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "model_not_available"
    assert response.json()["error"]["param"] == "model"


def test_a_job_may_name_its_forgetting_check_reference_file(client: TestClient) -> None:
    def supervised(reference: Any) -> dict[str, Any]:
        return {
            "type": "supervised",
            "supervised": {"hyperparameters": {"reference_file": reference}},
        }

    missing = create(client, method=supervised("file-doesnotexist"))
    assert missing.status_code == 400, missing.text
    assert missing.json()["error"]["param"] == "method.supervised.hyperparameters.reference_file"
    assert create(client, method=supervised(3)).status_code == 400
    reference = upload(client, b'{"text": "General text."}\n')
    job = create(client, method=supervised(reference))
    assert job.status_code == 200, job.text
    assert job.json()["method"]["supervised"]["hyperparameters"]["reference_file"] == reference
    reinforcement = create(
        client,
        method={
            "type": "reinforcement",
            "reinforcement": {
                "grader": YES_GRADER,
                "hyperparameters": {"reference_file": reference},
            },
        },
    )
    assert reinforcement.status_code == 400
    assert reinforcement.json()["error"]["param"].endswith("reference_file")
