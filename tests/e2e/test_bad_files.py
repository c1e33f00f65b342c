"""Validation always ends, end to end with the official SDK against a `whetstone serve` process:
bad files (deeply nested JSON and other kinds of the corpus) fail their jobs with the code and
the line, and a training file deleted under a job fails it with the file's id, without a
traceback in the server's log."""

from __future__ import annotations

import json
import time
from typing import Any

import openai
import pytest

from tests.e2e.test_fine_tuning import BASE, FINISHED, chat_file, upload, wait_status
from tests.harness import ServerProcess

pytestmark = pytest.mark.e2e
# Its assertions are about its own jobs, files and models: the worker's shared server will do.
SHARES_SERVER = True


def with_line(bad: bytes, at: int, total: int = 12) -> bytes:
    """A chat file of `total` lines whose line `at` (1-based) is `bad`."""
    rows = chat_file(total).split(b"\n")
    rows[at - 1] = bad
    return b"\n".join(rows)


REPLY = b'{"role": "assistant", "content": "a"}'

# name -> (file, code, line, message fragment)
BAD_FILES: dict[str, tuple[bytes, str, int | None, str]] = {
    "nested JSON": (
        with_line(b'{"messages": ' + b"[" * 1000 + b"]" * 1000 + b"}", at=5),
        "invalid_training_file",
        5,
        "Line 5 nests arrays or objects more than 64 levels deep",
    ),
    "unclosed nesting": (
        with_line(b'{"messages": ' + b"[" * 50_000, at=3),
        "invalid_training_file",
        3,
        "more than 64 levels deep",
    ),
    "NaN": (
        with_line(b'{"messages": [' + REPLY + b'], "score": NaN}', at=2),
        "invalid_training_file",
        2,
        "Line 2 is not valid JSON: NaN",
    ),
    "raw NUL in a string": (
        with_line(b'{"messages": [{"role": "user", "content": "a\x00b"}, ' + REPLY + b"]}", at=8),
        "invalid_training_file",
        8,
        "Invalid control character",
    ),
    "unpaired surrogate": (
        with_line(b'{"messages": [{"role": "user", "content": "\\ud83d"}, ' + REPLY + b"]}", at=6),
        "invalid_training_file",
        6,
        "unpaired surrogate escape \\ud83d",
    ),
    "BOM mid-file": (
        with_line(b"\xef\xbb\xbf" + chat_file(1), at=4),
        "invalid_training_file",
        4,
        "Line 4 is not valid JSON",
    ),
    "weight 0.5": (
        with_line(b'{"messages": [{"role": "assistant", "content": "a", "weight": 0.5}]}', at=9),
        "invalid_training_file",
        9,
        'key "weight": must be 0 or 1',
    ),
    "empty file": (b"", "invalid_n_examples", None, "has 0 example(s)"),
}


def log_since(server: ServerProcess, offset: int) -> str:
    """What the server (and its workers) printed after `offset` characters."""
    return server.log()[offset:]


def assert_clean(log: str, *job_ids: str) -> None:
    """No traceback at all, and no error-level line about these jobs."""
    assert "Traceback" not in log, log
    for line in log.splitlines():
        if " ERROR " in line:
            assert not any(job_id in line for job_id in job_ids), line


def test_bad_files_fail_their_jobs_with_the_code_and_line(
    client: openai.OpenAI, server: ServerProcess
) -> None:
    offset = len(server.log())
    started = time.monotonic()
    jobs = {
        name: client.fine_tuning.jobs.create(model=BASE, training_file=upload(client, data)).id
        for name, (data, *_) in BAD_FILES.items()
    }
    for name, job_id in jobs.items():
        _, code, line, fragment = BAD_FILES[name]
        job = wait_status(client, job_id, FINISHED)
        assert job.status == "failed", name
        assert job.error is not None
        assert (job.error.code, job.error.param) == (code, "training_file"), name
        assert fragment in job.error.message, (name, job.error.message)
        if line is not None:
            assert job.error.message.startswith(f"Invalid file format. Line {line}"), name
        # The failure is also the job's last event, at error level.
        last = client.fine_tuning.jobs.list_events(job_id, limit=1).data[0]
        assert (last.level, last.message) == ("error", job.error.message)
    # Every one on its first attempt: no retry waits 5 s.
    assert time.monotonic() - started < 30
    log = log_since(server, offset)
    assert "validating job" not in log  # neither an outage wait nor an unexpected error
    assert_clean(log, *jobs.values())


def test_a_bad_validation_file_names_the_validation_file(client: openai.OpenAI) -> None:
    bad = b'{"messages": ' + b"[" * 2000 + b"]" * 2000 + b"}"
    job = client.fine_tuning.jobs.create(
        model=BASE, training_file=upload(client), validation_file=upload(client, bad)
    )
    done = wait_status(client, job.id, FINISHED)
    assert done.error is not None
    assert (done.error.code, done.error.param) == ("invalid_validation_file", "validation_file")
    assert done.error.message.startswith("Invalid file format. Line 1 nests")


def expect_deleted(client: openai.OpenAI, job_id: str, file_id: str) -> Any:
    """The job ends `failed` with OpenAI's file error naming `file_id`."""
    job = wait_status(client, job_id, FINISHED)
    assert job.status == "failed", job.error
    assert job.error is not None
    assert (job.error.code, job.error.param) == ("invalid_training_file", "training_file")
    assert job.error.message == (
        f"The training file {file_id} was deleted before the job could read it."
    )
    return job


def test_a_training_file_deleted_right_after_create_fails_the_job(
    client: openai.OpenAI, server: ServerProcess
) -> None:
    offset = len(server.log())
    file_id = upload(client)
    job = client.fine_tuning.jobs.create(model=BASE, training_file=file_id)
    assert client.files.delete(file_id).deleted
    expect_deleted(client, job.id, file_id)
    assert_clean(log_since(server, offset), job.id)


def wait_until_status(client: openai.OpenAI, job_id: str, status: str) -> None:
    """Poll until the job is in `status` (fail if it finishes first)."""
    deadline = time.monotonic() + 120
    while (current := client.fine_tuning.jobs.retrieve(job_id).status) != status:
        assert current not in FINISHED and time.monotonic() < deadline, current
        time.sleep(0.05)


def test_a_file_deleted_while_queued_or_paused_fails_the_job(
    client: openai.OpenAI, server: ServerProcess
) -> None:
    offset = len(server.log())
    # One CPU slot: a long job holds it while the others wait behind it.
    long_file = "\n".join(
        json.dumps(
            {
                "messages": [
                    {"role": "user", "content": f"Question {i}?"},
                    {"role": "assistant", "content": "An answer."},
                ]
            }
        )
        for i in range(100)
    ).encode()
    long = client.fine_tuning.jobs.create(
        model=BASE,
        training_file=upload(client, long_file),
        hyperparameters={"n_epochs": 50, "batch_size": 1},
    )
    wait_until_status(client, long.id, "running")
    queued_file, paused_file = upload(client), upload(client)
    queued = client.fine_tuning.jobs.create(model=BASE, training_file=queued_file)
    paused = client.fine_tuning.jobs.create(model=BASE, training_file=paused_file)
    wait_until_status(client, queued.id, "queued")
    wait_until_status(client, paused.id, "queued")
    assert client.fine_tuning.jobs.pause(paused.id).status == "paused"

    client.files.delete(queued_file)
    client.files.delete(paused_file)
    assert client.fine_tuning.jobs.resume(paused.id).status == "queued"
    assert client.fine_tuning.jobs.retrieve(long.id).status == "running"  # they still wait
    client.fine_tuning.jobs.cancel(long.id)

    expect_deleted(client, queued.id, queued_file)
    expect_deleted(client, paused.id, paused_file)
    assert_clean(log_since(server, offset), queued.id, paused.id)
