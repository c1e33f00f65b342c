"""One realistic workflow through the official SDK; every response checked against OpenAI's spec.

Every raw response (and every streamed chunk) the SDK receives is recorded on the wire and
validated against the schema OpenAI documents for the same operation; errors against
ErrorResponse. Tolerated differences live in tests/contract/deviations.py and nowhere else.
The tests run in file order and share one server, one training file and one trained job.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import httpx2
import openai
import pytest

from tests.contract.deviations import DEVIATIONS
from tests.contract.recording import Conformance, Recorder
from tests.contract.workflow import (
    BASE_MODEL,
    FAST_METHOD,
    start_server,
    training_jsonl,
    wait_for,
)
from tests.harness import ServerProcess

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

API_KEY = "sk-contract"
ORGANIZATION = "org-contract"
MAX_FILE_BYTES = 64 * 1024
# Floors for the tally at the end: the workflow below sends about this much and more.
MIN_RESPONSES = 60
MIN_CHUNKS = 20


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    """A server with a keys file (so 401 is reachable) and a small file limit (so is 413)."""
    data_dir = Path(tmp_path_factory.mktemp("contract"))
    keys = data_dir / "keys.json"
    owner = {"project": "proj_contract", "organization": ORGANIZATION}
    keys.write_text(json.dumps({API_KEY: owner}))
    process = start_server(
        data_dir / "data",
        WHETSTONE_API_KEYS_FILE=str(keys),
        WHETSTONE_MAX_FILE_BYTES=str(MAX_FILE_BYTES),
    )
    yield process
    process.stop()


@pytest.fixture(scope="module")
def recorder() -> Recorder:
    """Keeps every response of the module's clients."""
    return Recorder()


@pytest.fixture(scope="module")
def conformance(recorder: Recorder) -> Conformance:
    """Validates what `recorder` keeps; tallied by the last test."""
    return Conformance(recorder)


@pytest.fixture(scope="module")
def client(server: ServerProcess, recorder: Recorder) -> Iterator[openai.OpenAI]:
    """The official client, sending through the recording httpx2 client."""
    http_client = recorder.http_client(timeout=120)
    yield openai.OpenAI(
        base_url=f"{server.base_url}/v1", api_key=API_KEY, max_retries=0, http_client=http_client
    )
    http_client.close()


@pytest.fixture(scope="module")
def training_file(client: openai.OpenAI) -> openai.types.FileObject:
    """The 20-example chat file every job here trains on."""
    return client.files.create(file=("train.jsonl", training_jsonl()), purpose="fine-tune")


@pytest.fixture(scope="module")
def job(
    client: openai.OpenAI, training_file: openai.types.FileObject
) -> openai.types.fine_tuning.FineTuningJob:
    """The module's job, trained to a terminal status."""
    created = client.fine_tuning.jobs.create(
        model=BASE_MODEL,
        training_file=training_file.id,
        suffix="contract",
        seed=7,
        metadata={"suite": "contract"},
        method=FAST_METHOD,
    )
    return wait_for(lambda: client.fine_tuning.jobs.retrieve(created.id))


def test_files(client: openai.OpenAI, conformance: Conformance) -> None:
    scratch = client.files.create(file=("notes.jsonl", b'{"a": 1}\n'), purpose="batch")
    assert client.files.retrieve(scratch.id).bytes == len(b'{"a": 1}\n')
    first_page = client.files.list(limit=1)
    assert len(first_page.data) == 1
    assert scratch.id in [f.id for f in client.files.list(limit=1)]  # the SDK pages with after=
    assert client.files.content(scratch.id).content == b'{"a": 1}\n'
    assert client.files.delete(scratch.id).deleted is True
    with pytest.raises(openai.NotFoundError):
        client.files.retrieve(scratch.id)
    conformance.verify()


def test_uploads(client: openai.OpenAI, conformance: Conformance) -> None:
    payload = training_jsonl(12)
    upload = client.uploads.create(
        bytes=len(payload), filename="up.jsonl", mime_type="application/jsonl", purpose="fine-tune"
    )
    half = len(payload) // 2
    parts = [
        client.uploads.parts.create(upload.id, data=chunk)
        for chunk in (payload[:half], payload[half:])
    ]
    completed = client.uploads.complete(upload.id, part_ids=[part.id for part in parts])
    assert completed.status == "completed"
    assert completed.file is not None
    assert client.files.content(completed.file.id).content == payload
    abandoned = client.uploads.create(
        bytes=10, filename="x.jsonl", mime_type="application/jsonl", purpose="fine-tune"
    )
    assert client.uploads.cancel(abandoned.id).status == "cancelled"
    conformance.verify()


def test_a_job_runs_to_succeeded(
    client: openai.OpenAI, job: openai.types.fine_tuning.FineTuningJob, conformance: Conformance
) -> None:
    assert job.status == "succeeded", job.error
    assert job.fine_tuned_model is not None
    assert job.fine_tuned_model.startswith(f"ft:{BASE_MODEL}:{ORGANIZATION}:contract:")
    assert job.trained_tokens
    listed = client.fine_tuning.jobs.list(limit=5, metadata={"suite": "contract"})
    assert [j.id for j in listed.data] == [job.id]
    conformance.verify()


def test_events_checkpoints_and_results(
    client: openai.OpenAI, job: openai.types.fine_tuning.FineTuningJob, conformance: Conformance
) -> None:
    events = list(client.fine_tuning.jobs.list_events(job.id, limit=4))  # pages of 4
    messages = [event.message for event in reversed(events)]
    assert messages[0].startswith("Created fine-tuning job")
    assert messages[-1] == "The job has successfully completed"
    assert any(event.type == "metrics" for event in events)
    checkpoints = client.fine_tuning.jobs.checkpoints.list(job.id, limit=1)
    assert len(checkpoints.data) == 1
    assert checkpoints.data[0].fine_tuned_model_checkpoint.startswith(job.fine_tuned_model or "")
    assert len(list(client.fine_tuning.jobs.checkpoints.list(job.id, limit=1))) >= 1
    (results,) = job.result_files
    assert client.files.retrieve(results).purpose == "fine-tune-results"
    assert client.files.content(results).content
    conformance.verify()


def test_pause_resume_and_cancel(
    client: openai.OpenAI, training_file: openai.types.FileObject, conformance: Conformance
) -> None:
    long_job = client.fine_tuning.jobs.create(
        model=BASE_MODEL,
        training_file=training_file.id,
        method={
            "type": "supervised",
            "supervised": {"hyperparameters": {"n_epochs": 50, "batch_size": 4}},
        },
    )
    running = wait_for_status(client, long_job.id, "running")
    assert running.status == "running"
    assert client.fine_tuning.jobs.pause(long_job.id).status in ("running", "paused")
    assert wait_for_status(client, long_job.id, "paused").status == "paused"
    assert [j.status for j in client.fine_tuning.jobs.list(limit=1).data] == ["paused"]
    assert client.fine_tuning.jobs.resume(long_job.id).status in ("queued", "running")
    assert client.fine_tuning.jobs.cancel(long_job.id).status == "cancelled"
    conformance.verify()


def wait_for_status(
    client: openai.OpenAI, job_id: str, status: str
) -> openai.types.fine_tuning.FineTuningJob:
    """Poll the job until it is `status` (or terminal)."""
    return wait_for(
        lambda: client.fine_tuning.jobs.retrieve(job_id),
        until=lambda job: job.status == status,
        every=0.2,
    )


def test_models(
    client: openai.OpenAI, job: openai.types.fine_tuning.FineTuningJob, conformance: Conformance
) -> None:
    ids = [model.id for model in client.models.list()]
    assert BASE_MODEL in ids
    assert job.fine_tuned_model in ids
    assert client.models.retrieve(BASE_MODEL).id == BASE_MODEL
    fine_tuned = client.models.retrieve(job.fine_tuned_model or "")
    assert fine_tuned.owned_by == ORGANIZATION
    checkpoint = client.fine_tuning.jobs.checkpoints.list(job.id).data[0]
    assert client.models.retrieve(checkpoint.fine_tuned_model_checkpoint).id
    conformance.verify()


def test_chat_completions(
    client: openai.OpenAI, job: openai.types.fine_tuning.FineTuningJob, conformance: Conformance
) -> None:
    model = job.fine_tuned_model or ""
    messages = [{"role": "user", "content": "Tell me about tool number 3."}]
    whole = client.chat.completions.create(
        model=model, messages=messages, temperature=0, max_tokens=16, logprobs=True, top_logprobs=2
    )
    assert whole.choices[0].message.content
    stream = client.chat.completions.create(
        model=model,
        messages=messages,
        temperature=0,
        max_tokens=16,
        stream=True,
        stream_options={"include_usage": True},
    )
    chunks = list(stream)
    streamed = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert streamed == whole.choices[0].message.content
    assert chunks[-1].usage is not None
    several = client.chat.completions.create(
        model=BASE_MODEL, messages=messages, n=2, max_completion_tokens=8, seed=1, stop=["\n"]
    )
    assert len(several.choices) == 2
    # The untrained base model rarely stops early, so this stream runs to max_tokens for both
    # choices, with logprobs in every chunk.
    base_chunks = list(
        client.chat.completions.create(
            model=BASE_MODEL,
            messages=messages,
            n=2,
            max_tokens=8,
            temperature=0,
            logprobs=True,
            top_logprobs=1,
            stream=True,
        )
    )
    assert {choice.index for chunk in base_chunks for choice in chunk.choices} == {0, 1}
    conformance.verify()


def test_completions(
    client: openai.OpenAI, job: openai.types.fine_tuning.FineTuningJob, conformance: Conformance
) -> None:
    model = job.fine_tuned_model or ""
    whole = client.completions.create(
        model=model, prompt=["Once", "Twice"], max_tokens=8, temperature=0, logprobs=2
    )
    assert len(whole.choices) == 2
    streamed = client.completions.create(
        model=model, prompt="Once", max_tokens=8, temperature=0, stream=True
    )
    text = "".join(chunk.choices[0].text for chunk in streamed if chunk.choices)
    assert text == whole.choices[0].text
    echoed = client.completions.create(model=BASE_MODEL, prompt="Echo", max_tokens=4, echo=True)
    assert echoed.choices[0].text.startswith("Echo")
    conformance.verify()


def test_errors(
    client: openai.OpenAI, server: ServerProcess, recorder: Recorder, conformance: Conformance
) -> None:
    with pytest.raises(openai.NotFoundError):
        client.get("/no/such/route", cast_to=httpx2.Response)
    with pytest.raises(openai.NotFoundError):
        client.files.retrieve("file-does-not-exist")
    with pytest.raises(openai.NotFoundError):
        client.fine_tuning.jobs.retrieve("ftjob-does-not-exist")
    with pytest.raises(openai.NotFoundError):
        client.models.retrieve("ft:gpt-4o-mini-2024-07-18:nobody::00000000")
    with pytest.raises(openai.BadRequestError) as bad_model:
        client.fine_tuning.jobs.create(model="no-such-model", training_file="file-x")
    assert bad_model.value.param == "model"
    with pytest.raises(openai.BadRequestError) as bad_purpose:
        client.files.create(file=("a.jsonl", b"{}\n"), purpose="nonsense")  # type: ignore[arg-type]
    assert bad_purpose.value.param == "purpose"
    with pytest.raises(openai.BadRequestError):
        client.chat.completions.create(model=BASE_MODEL, messages=[], temperature=9)
    with pytest.raises(openai.BadRequestError):
        client.post(
            "/fine_tuning/jobs",
            cast_to=httpx2.Response,
            content=b'{"model": ',
            options={"headers": {"content-type": "application/json"}},
        )
    with pytest.raises(openai.AuthenticationError):
        client.with_options(api_key="sk-unknown").models.list()
    with pytest.raises(openai.APIStatusError) as wrong_method:
        client.put("/files", cast_to=httpx2.Response)
    assert wrong_method.value.status_code == 405
    with pytest.raises(openai.APIStatusError) as too_large:
        client.files.create(file=("big.jsonl", b"x" * (MAX_FILE_BYTES + 1)), purpose="batch")
    assert too_large.value.status_code == 413
    missing_key = recorder.http_client(timeout=10)
    assert missing_key.get(f"{server.base_url}/v1/files").status_code == 401
    missing_key.close()
    conformance.verify()


def test_deleting_the_model(
    client: openai.OpenAI, job: openai.types.fine_tuning.FineTuningJob, conformance: Conformance
) -> None:
    model = job.fine_tuned_model or ""
    assert client.models.delete(model).deleted is True
    with pytest.raises(openai.NotFoundError):
        client.models.retrieve(model)
    conformance.verify()


def test_the_tally(conformance: Conformance, capsys: pytest.CaptureFixture[str]) -> None:
    conformance.verify()
    unused = [d for d in DEVIATIONS if not conformance.used[d]]
    with capsys.disabled():
        print(f"\nconformance: {conformance.summary()}; unused deviations: {len(unused)}")
    assert conformance.responses >= MIN_RESPONSES
    assert conformance.chunks >= MIN_CHUNKS
    assert conformance.events > conformance.chunks  # each chunk, plus each [DONE]
