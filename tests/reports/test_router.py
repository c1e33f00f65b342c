"""GET /_whetstone/files/{file_id}/report in-process: findings with lines, tenancy, the cache,
the training estimate, and the one warn event of a job that starts on a file with findings."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from service.app import create_app
from service.core.config import Settings
from service.core.ids import now
from service.files.operations import report_prefix
from service.fine_tuning import repository as jobs
from service.fine_tuning.schemas import JobStatus
from service.fine_tuning.transitions import STARTED_MESSAGE
from service.scheduler import validation
from service.scheduler.validation import validate_job_files

ALICE = {"Authorization": "Bearer sk-alice"}
BOB = {"Authorization": "Bearer sk-bob"}


@pytest.fixture
def client(tmp_path: Path, migrated_data_dir: Path) -> Iterator[TestClient]:
    """The app with two projects and no scheduler loop (validation is run by hand)."""
    keys = tmp_path / "keys.json"
    keys.write_text(
        json.dumps(
            {
                "sk-alice": {"project": "proj_alice", "organization": "org-alice"},
                "sk-bob": {"project": "proj_bob", "organization": "org-bob"},
            }
        )
    )
    settings = Settings(data_dir=migrated_data_dir, api_keys_file=keys, scheduler_enabled=False)
    with TestClient(create_app(settings), headers=ALICE) as test_client:
        yield test_client


def example(question: str, answer: str) -> dict[str, Any]:
    """A chat example with a system prompt."""
    return {
        "messages": [
            {"role": "system", "content": "You are terse but complete."},
            {"role": "user", "content": question},
            {"role": "assistant", "content": answer},
        ]
    }


def planted_file() -> bytes:
    """Twelve examples with a duplicate on line 4, a short reply on line 7 and an example longer
    than the emulator's 1024-token context on line 9."""
    lines = [
        example(f"What is {i} + {i}?", f"{i} + {i} makes {2 * i}, as usual.") for i in range(12)
    ]
    lines[3] = lines[1]
    lines[6] = example("Hi.", "Hello.")
    lines[8] = example("Count.", " ".join(str(n) for n in range(1200)))
    return b"\n".join(json.dumps(line).encode() for line in lines)


def upload(client: TestClient, data: bytes, headers: dict[str, str] = ALICE) -> str:
    """POST /v1/files for fine-tuning; the file's id."""
    response = client.post(
        "/v1/files",
        files={"file": ("train.jsonl", data)},
        data={"purpose": "fine-tune"},
        headers=headers,
    )
    assert response.status_code == 200, response.text
    return response.json()["id"]


def report(client: TestClient, file_id: str, **params: Any) -> Any:
    """GET the report."""
    return client.get(f"/_whetstone/files/{file_id}/report", params=params)


def test_the_report_names_each_planted_problem_with_its_line(client: TestClient) -> None:
    file_id = upload(client, planted_file())
    response = report(client, file_id)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["object"] == "file.data_report" and body["file_id"] == file_id
    assert body["format"] == "chat" and body["n_examples"] == 12
    assert body["model"] == "whetstone-tiny" and body["context_length"] == 1024
    lines = {finding["code"]: finding["lines"] for finding in body["findings"]}
    assert lines == {"exact_duplicate": [4], "short_reply": [7], "longer_than_context": [9]}
    tokens = body["tokens_per_example"]
    assert tokens["max"] > 1024 >= tokens["p50"] >= tokens["min"] > 0
    assert body["role_sequences"] == {"system > user > assistant": 12}
    # No job has succeeded on this server yet: the tokens are known, the time is not.
    estimate = body["estimate"]
    assert estimate["basis"] == "unknown" and estimate["seconds"] is None
    assert estimate["n_epochs"] == 9  # OpenAI's auto rule for 12 examples: ceil(100 / 12)
    assert estimate["trained_tokens"] == body["n_tokens"] * 9
    assert report(client, file_id, n_epochs=2).json()["estimate"]["n_epochs"] == 2


def test_the_time_estimate_uses_the_throughput_of_succeeded_jobs(client: TestClient) -> None:
    file_id = upload(client, planted_file())
    container = client.app.state.container  # type: ignore[attr-defined]
    finished = now()
    with container.db.session() as session:
        job = jobs.insert_job(
            session,
            status=JobStatus.SUCCEEDED,
            project="proj_bob",
            organization="org-bob",
            model="whetstone-tiny",
            training_file=file_id,
            validation_file=None,
            suffix=None,
            seed=1,
            method={"type": "supervised"},
            metadata=None,
            integrations=None,
        )
        jobs.add_event(session, job_id=job.id, project="proj_bob", message=STARTED_MESSAGE)
        # Started 10 s before it finished: 400 tokens per second, whoever's job it was.
        job.trained_tokens, job.finished_at = 4000, finished + 10
    estimate = report(client, file_id, n_epochs=1).json()["estimate"]
    assert estimate["tokens_per_second"] == pytest.approx(400, rel=0.15)
    assert estimate["seconds"] == pytest.approx(estimate["trained_tokens"] / 400, rel=0.15)


def test_another_projects_file_and_unknown_names_are_404(client: TestClient) -> None:
    bobs = upload(client, planted_file(), headers=BOB)
    assert report(client, bobs).status_code == 404
    assert report(client, "file-nope").status_code == 404
    mine = upload(client, planted_file())
    unknown = report(client, mine, model="no-such-model")
    assert unknown.status_code == 404 and unknown.json()["error"]["param"] == "model"


def test_reports_are_cached_per_file_and_removed_with_it(client: TestClient) -> None:
    file_id = upload(client, planted_file())
    container = client.app.state.container  # type: ignore[attr-defined]
    store, prefix = container.store, report_prefix("proj_alice", file_id)
    first = report(client, file_id).json()
    # An alias of the emulator shares its tokenizer, and so its cached report.
    assert report(client, file_id, model="gpt-4o-mini-2024-07-18").json() == first
    (key,) = store.list_keys(prefix)
    cached = json.loads(store.get_bytes(key))
    cached["n_lines"] = 999  # proof that the next answer is read from the cache
    store.put_bytes(key, json.dumps(cached).encode())
    assert report(client, file_id).json()["n_lines"] == 999
    assert client.delete(f"/v1/files/{file_id}").status_code == 200
    assert store.list_keys(prefix) == []


def test_a_job_on_a_file_with_findings_gets_one_warn_event(client: TestClient) -> None:
    file_id = upload(client, planted_file())
    response = client.post(
        "/v1/fine_tuning/jobs", json={"model": "gpt-4o-mini-2024-07-18", "training_file": file_id}
    )
    assert response.status_code == 200, response.text
    job_id = response.json()["id"]
    container = client.app.state.container  # type: ignore[attr-defined]
    validate_job_files(container.db, container.store, container.catalog, job_id)
    events = client.get(f"/v1/fine_tuning/jobs/{job_id}/events", params={"limit": 100}).json()
    warnings = [event["message"] for event in events["data"] if event["level"] == "warn"]
    assert len(warnings) == 1, warnings
    assert "(lines 4)" in warnings[0] and "(lines 7)" in warnings[0] and "(lines 9)" in warnings[0]
    assert client.get(f"/v1/fine_tuning/jobs/{job_id}").json()["status"] == "queued"


def test_a_large_file_without_a_cached_report_gets_no_event(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Counting a large file's tokens would hold the job in validation: only a report computed
    # already (the page was opened) is summarised.
    monkeypatch.setattr(validation, "REPORT_AT_VALIDATION_MAX_BYTES", 100)
    container = client.app.state.container  # type: ignore[attr-defined]
    for opened in (False, True):
        file_id = upload(client, planted_file())
        if opened:
            assert report(client, file_id).status_code == 200
        response = client.post(
            "/v1/fine_tuning/jobs", json={"model": "whetstone-tiny", "training_file": file_id}
        )
        job_id = response.json()["id"]
        validation.validate_job_files(container.db, container.store, container.catalog, job_id)
        events = client.get(f"/v1/fine_tuning/jobs/{job_id}/events").json()["data"]
        assert len([e for e in events if e["level"] == "warn"]) == int(opened)


def test_reporting_keeps_torch_out_of_the_process(tmp_path: Path) -> None:
    # The API process reports on files: its tokenizer (the emulator's, built for the purpose)
    # must load and count without torch, which the API process never imports.
    code = (
        "import sys\n"
        "from pathlib import Path\n"
        "from service.catalog.emulator import ensure_emulator_tokenizer\n"
        "from service.catalog.loading import load_fast_tokenizer\n"
        "from service.reports.analysis import build_report\n"
        f"tokenizer = load_fast_tokenizer(ensure_emulator_tokenizer(Path({str(tmp_path)!r})))\n"
        f"report = build_report([{planted_file()!r}], tokenizer, model='m', context_length=1024)\n"
        "assert report.n_examples == 12, report\n"
        "print('torch' in sys.modules)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.stdout.strip() == "False", result.stderr
