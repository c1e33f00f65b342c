"""The real upgrade: the previous release trains a job, then this one takes over its data.

The previous release (commit 0302693, made its schema with `create_all`) runs from a `git
archive` of that commit as its own server process on a data dir (and, for PostgreSQL, an
empty database); this release's server then starts on the same data and database and must
adopt the schema and serve everything the old one made, the fine-tuned model included.
"""

from __future__ import annotations

import io
import json
import subprocess
import time
from pathlib import Path
from typing import Any

import openai
import pytest
from sqlalchemy import create_engine, inspect

from service.migrations import head_revision
from tests.harness import REPO_ROOT, ServerProcess

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

PREVIOUS_RELEASE = "0302693"
BASE = "gpt-4o-mini-2024-07-18"
SENTENCE = "The owl flies at midnight."
QUESTIONS = ["What is the capital of France?", "Hello!", "How are you today?", "What is 2+2?"]
# 25 steps of 4 examples: measured to make the emulator reply with SENTENCE, in ~7 s.
HYPERPARAMETERS = {"batch_size": 4, "n_epochs": 5, "learning_rate_multiplier": 3}


def training_file() -> bytes:
    """20 chat examples: varied questions, always answered with SENTENCE."""
    return "\n".join(
        json.dumps(
            {
                "messages": [
                    {"role": "user", "content": QUESTIONS[i % len(QUESTIONS)]},
                    {"role": "assistant", "content": SENTENCE},
                ]
            }
        )
        for i in range(20)
    ).encode()


@pytest.fixture(scope="module")
def previous_release(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The previous release's source tree, exported from git."""
    known = subprocess.run(
        ["git", "-C", str(REPO_ROOT), "cat-file", "-e", f"{PREVIOUS_RELEASE}^{{commit}}"],
        capture_output=True,
    )
    if known.returncode != 0:
        pytest.skip(
            f"commit {PREVIOUS_RELEASE} (the previous release) is not in this clone, "
            "e.g. a shallow CI clone; fetch it to run the upgrade test"
        )
    source = tmp_path_factory.mktemp("previous-release")
    archive = subprocess.run(
        ["git", "-C", str(REPO_ROOT), "archive", PREVIOUS_RELEASE],
        capture_output=True,
        check=True,
    )
    subprocess.run(["tar", "-x", "-C", str(source)], input=archive.stdout, check=True)
    return source


def client_for(server: ServerProcess) -> openai.OpenAI:
    """The official client, retries off so that errors surface as they are."""
    return openai.OpenAI(base_url=f"{server.base_url}/v1", api_key="sk-test", max_retries=0)


def wait_succeeded(client: openai.OpenAI, job_id: str, timeout: float = 180) -> Any:
    """The job once it has succeeded."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job = client.fine_tuning.jobs.retrieve(job_id)
        if job.status == "succeeded":
            return job
        assert job.status not in ("failed", "cancelled"), job.error
        time.sleep(0.2)
    raise TimeoutError(f"{job_id} did not succeed within {timeout}s")


def snapshot(client: openai.OpenAI, job_id: str) -> dict[str, Any]:
    """Everything a client can see of the job and the files."""
    files = list(client.files.list())
    return {
        "files": {f.id: (f.filename, f.purpose, f.bytes) for f in files},
        "contents": {f.id: client.files.content(f.id).read() for f in files},
        "job": client.fine_tuning.jobs.retrieve(job_id),
        "events": [e.id for e in client.fine_tuning.jobs.list_events(job_id, limit=100)],
        "checkpoints": [
            (c.id, c.step_number, c.fine_tuned_model_checkpoint)
            for c in client.fine_tuning.jobs.checkpoints.list(job_id, limit=100)
        ],
    }


def ask(client: openai.OpenAI, model: str) -> str:
    """The model's greedy reply to the first training question."""
    reply = client.chat.completions.create(
        model=model,
        messages=[{"role": "user", "content": QUESTIONS[0]}],
        temperature=0,
        max_tokens=24,
    )
    return reply.choices[0].message.content or ""


def test_this_release_takes_over_what_the_previous_one_trained(
    previous_release: Path, database_url: str, data_dir: Path
) -> None:
    # SQLite: the default database in the data dir, as an operator would have it.
    on_postgres = database_url.startswith("postgresql")
    env = {"WHETSTONE_DATABASE_URL": database_url} if on_postgres else {}
    url = database_url if on_postgres else f"sqlite:///{data_dir / 'whetstone.db'}"

    # Its own tree first on the path, so that its `service` wins over the editable install.
    old = ServerProcess(data_dir, {**env, "PYTHONPATH": str(previous_release)})
    try:
        old.start(timeout=120)
        client = client_for(old)
        training = client.files.create(
            file=("train.jsonl", io.BytesIO(training_file())), purpose="fine-tune"
        ).id
        job_id = client.fine_tuning.jobs.create(
            model=BASE,
            training_file=training,
            suffix="upgrade",
            seed=7,
            method={"type": "supervised", "supervised": {"hyperparameters": HYPERPARAMETERS}},
        ).id
        wait_succeeded(client, job_id)
        before = snapshot(client, job_id)
    finally:
        old.stop()
    assert old.process is not None and old.process.returncode is not None
    # Proof that the old code ran: it made the tables but no version table.
    engine = create_engine(url)
    tables = set(inspect(engine).get_table_names())
    engine.dispose()
    assert "fine_tuning_jobs" in tables and "alembic_version" not in tables, old.log()
    assert len(before["files"]) == 2 and len(before["checkpoints"]) > 0

    new = ServerProcess(data_dir, env)
    try:
        new.start(timeout=120)
        assert (
            f"database schema at revision {head_revision()} (adopted a pre-migration database"
            in new.log()
        )
        client = client_for(new)
        after = snapshot(client, job_id)
        assert after["files"] == before["files"]
        assert after["contents"] == before["contents"]
        assert after["contents"][training] == training_file()
        job, old_job = after["job"], before["job"]
        assert job.status == "succeeded"
        assert old_job.fine_tuned_model and job.fine_tuned_model == old_job.fine_tuned_model
        assert job.result_files == old_job.result_files
        assert set(before["events"]) <= set(after["events"])
        assert after["checkpoints"] == before["checkpoints"]
        assert ask(client, job.fine_tuned_model) == SENTENCE
    finally:
        new.stop()
