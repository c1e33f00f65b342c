"""One realistic workflow through the official SDK; every response checked against OpenAI's spec.

Every raw response (and every streamed chunk) the SDK receives is recorded on the wire and
validated against the schema OpenAI documents for the same operation; errors against
ErrorResponse. Tolerated differences live in tests/contract/deviations.py and nowhere else.
The tests run in file order and share one server, one training file and one trained job.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
from pathlib import Path

import httpx2
import openai
import pytest

from service.fine_tuning.schemas import JobStatus
from tests.contract.deviations import DEVIATIONS
from tests.contract.messages import CHECKPOINT_EVENT, JOB_STATUSES, METRICS_EVENT
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
# A member key of the same project, and another project of the organization to share with.
MEMBER_KEY = "sk-contract-member"
OTHER_PROJECT = "proj_contract_other"
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
    other = {"project": OTHER_PROJECT, "organization": ORGANIZATION}
    keys.write_text(
        json.dumps(
            {API_KEY: {**owner, "role": "admin"}, MEMBER_KEY: owner, "sk-contract-other": other}
        )
    )
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
    """The module's job, trained to a terminal status (with a validation file, so that its
    events carry the validation losses)."""
    validation = client.files.create(file=("valid.jsonl", training_jsonl(4)), purpose="fine-tune")
    created = client.fine_tuning.jobs.create(
        model=BASE_MODEL,
        training_file=training_file.id,
        validation_file=validation.id,
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


def test_event_texts_are_openais_word_for_word(
    client: openai.OpenAI, job: openai.types.fine_tuning.FineTuningJob, conformance: Conformance
) -> None:
    events = list(reversed(client.fine_tuning.jobs.list_events(job.id, limit=1000).data))
    snapshots = {
        (int(match["step"]), match["snapshot"])
        for match in (CHECKPOINT_EVENT.match(event.message) for event in events)
        if match
    }
    listed = client.fine_tuning.jobs.checkpoints.list(job.id, limit=100).data
    assert listed
    assert {(c.step_number, c.fine_tuned_model_checkpoint) for c in listed} <= snapshots
    metrics = [event for event in events if event.type == "metrics"]
    parsed = [METRICS_EVENT.match(event.message) for event in metrics]
    assert all(parsed), [event.message for event in metrics]
    last = parsed[-1]
    assert last is not None and last["step"] == last["total"] and last["full"]
    assert metrics[-1].data is not None and "full_valid_loss" in metrics[-1].data
    assert not any(match and match["full"] for match in parsed[:-1])
    # The statuses a job can report are exactly those of OpenAI's API reference.
    assert sorted(JobStatus) == sorted(JOB_STATUSES)
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
    assert client.fine_tuning.jobs.pause(long_job.id).status == "pausing"
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


def test_responses_structured_outputs_and_tools(
    client: openai.OpenAI, job: openai.types.fine_tuning.FineTuningJob, conformance: Conformance
) -> None:
    model = job.fine_tuned_model or ""
    first = client.responses.create(model=model, input="Hello", temperature=0, max_output_tokens=8)
    events = list(
        client.responses.create(
            model=model, input="Hello", temperature=0, max_output_tokens=8, stream=True
        )
    )
    assert events[-1].response.output_text == first.output_text  # type: ignore[union-attr]
    client.responses.retrieve(first.id)
    client.responses.input_items.list(first.id)
    weather = {
        "type": "object",
        "properties": {"city": {"type": "string", "maxLength": 8}},
        "required": ["city"],
        "additionalProperties": False,
    }
    tool = {"type": "function", "name": "get_weather", "parameters": weather, "strict": True}
    called = client.responses.create(
        model=BASE_MODEL,
        previous_response_id=first.id,
        input="Weather?",
        tools=[tool],  # type: ignore[list-item]
        tool_choice="required",
        temperature=0,
        max_output_tokens=100,
    )
    assert called.output[0].type == "function_call"
    client.responses.delete(first.id)
    schema = {"name": "weather", "schema": weather, "strict": True}
    chat_tool = {"type": "function", "function": {"name": "get_weather", "parameters": weather}}
    for body in (
        {"response_format": {"type": "json_schema", "json_schema": schema}},
        {"tools": [chat_tool], "tool_choice": "required"},
        {"tools": [chat_tool], "tool_choice": "required", "stream": True},
    ):
        reply = client.chat.completions.create(
            model=BASE_MODEL,
            messages=[{"role": "user", "content": "Weather?"}],
            temperature=0,
            max_tokens=100,
            **body,  # type: ignore[arg-type]
        )
        if body.get("stream"):
            list(reply)  # type: ignore[call-overload]
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


def test_checkpoint_permissions(
    client: openai.OpenAI, job: openai.types.fine_tuning.FineTuningJob, conformance: Conformance
) -> None:
    checkpoint = client.fine_tuning.jobs.checkpoints.list(job.id).data[0]
    name = checkpoint.fine_tuned_model_checkpoint
    permissions = client.fine_tuning.checkpoints.permissions
    (permission,) = permissions.create(name, project_ids=[OTHER_PROJECT]).data
    listed = permissions.list(name, project_id=OTHER_PROJECT, limit=5, order="ascending")
    assert [p.id for p in listed] == [permission.id]
    with pytest.raises(openai.PermissionDeniedError):
        client.with_options(api_key=MEMBER_KEY).fine_tuning.checkpoints.permissions.create(
            name, project_ids=[OTHER_PROJECT]
        )
    assert permissions.delete(permission.id, fine_tuned_model_checkpoint=name).deleted is True
    with pytest.raises(openai.NotFoundError):
        permissions.delete(permission.id, fine_tuned_model_checkpoint=name)
    conformance.verify()


def test_deleting_the_model(
    client: openai.OpenAI, job: openai.types.fine_tuning.FineTuningJob, conformance: Conformance
) -> None:
    model = job.fine_tuned_model or ""
    assert client.models.delete(model).deleted is True
    with pytest.raises(openai.NotFoundError):
        client.models.retrieve(model)
    conformance.verify()


def test_every_method_and_the_graders(
    client: openai.OpenAI, training_file: openai.types.FileObject, conformance: Conformance
) -> None:
    grader = {
        "type": "string_check",
        "name": "exact",
        "input": "{{sample.output_text}}",
        "reference": "{{item.answer}}",
        "operation": "eq",
    }
    methods = [
        {"type": "dpo", "dpo": {"hyperparameters": {"beta": 0.2}}},
        {
            "type": "reinforcement",
            "reinforcement": {"grader": grader, "hyperparameters": {"reasoning_effort": "low"}},
        },
    ]
    for method in methods:
        created = client.fine_tuning.jobs.create(
            model="o4-mini-2025-04-16", training_file=training_file.id, method=method
        )
        assert created.method.type == method["type"]
        client.fine_tuning.jobs.retrieve(created.id)
        # The chat file fails a reinforcement job's validation; either way it ends here.
        with contextlib.suppress(openai.BadRequestError):
            client.fine_tuning.jobs.cancel(created.id)
    run = client.fine_tuning.alpha.graders.run(
        grader=grader, model_sample="Paris", item={"answer": "Paris"}
    )
    assert run.reward == 1.0
    client.fine_tuning.alpha.graders.validate(grader=grader)
    conformance.verify()


def test_evals(client: openai.OpenAI, conformance: Conformance) -> None:
    evals = client.evals
    evaluation = evals.create(
        name="contract",
        metadata={"suite": "contract"},
        data_source_config={
            "type": "custom",
            "item_schema": {"type": "object", "properties": {"answer": {"type": "string"}}},
            "include_sample_schema": True,
        },
        testing_criteria=[
            {
                "type": "string_check",
                "name": "exact",
                "input": "{{sample.output_text}}",
                "reference": "{{item.answer}}",
                "operation": "eq",
            },
            {
                "type": "text_similarity",
                "name": "close",
                "input": "{{sample.output_text}}",
                "reference": "{{item.answer}}",
                "evaluation_metric": "fuzzy_match",
                "pass_threshold": 0.5,
            },
        ],
    )
    evals.retrieve(evaluation.id)
    evals.update(evaluation.id, name="contract (renamed)")
    assert evals.list(limit=5, order="desc").data[0].id == evaluation.id
    content = [
        {"item": {"answer": "Paris"}, "sample": {"output_text": "Paris"}},
        {"item": {"answer": "4"}, "sample": {"output_text": "five"}},
    ]
    graded = evals.runs.create(
        evaluation.id,
        data_source={"type": "jsonl", "source": {"type": "file_content", "content": content}},
    )
    sampled = evals.runs.create(
        evaluation.id,
        data_source={
            "type": "completions",
            "model": BASE_MODEL,
            "input_messages": {
                "type": "template",
                "template": [{"role": "user", "content": "The answer is {{item.answer}}?"}],
            },
            "sampling_params": {"temperature": 0, "max_completion_tokens": 4},
            "source": {"type": "file_content", "content": [{"item": c["item"]} for c in content]},
        },
    )
    for run in (graded, sampled):
        done = wait_for(
            lambda run=run: evals.runs.retrieve(run.id, eval_id=evaluation.id),
            until=lambda current: current.status not in ("queued", "in_progress"),
            timeout=60,
            every=0.1,
        )
        assert done.status == "completed"
        items = evals.runs.output_items.list(run.id, eval_id=evaluation.id, limit=10)
        evals.runs.output_items.retrieve(items.data[0].id, eval_id=evaluation.id, run_id=run.id)
    assert evals.runs.retrieve(graded.id, eval_id=evaluation.id).result_counts.passed == 1
    evals.runs.list(evaluation.id, limit=10, status="completed")
    with pytest.raises(openai.BadRequestError):
        evals.runs.cancel(graded.id, eval_id=evaluation.id)  # it has finished
    with pytest.raises(openai.BadRequestError):
        evals.runs.create(evaluation.id, data_source={"type": "responses", "source": {}})
    assert evals.runs.delete(graded.id, eval_id=evaluation.id).deleted is True
    with pytest.raises(openai.NotFoundError):
        evals.runs.retrieve(graded.id, eval_id=evaluation.id)
    assert evals.delete(evaluation.id).deleted is True
    conformance.verify()


def test_the_tally(conformance: Conformance, capsys: pytest.CaptureFixture[str]) -> None:
    conformance.verify()
    unused = [d for d in DEVIATIONS if not conformance.used[d]]
    with capsys.disabled():
        print(f"\nconformance: {conformance.summary()}; unused deviations: {len(unused)}")
    assert conformance.responses >= MIN_RESPONSES
    assert conformance.chunks >= MIN_CHUNKS
    assert conformance.events > conformance.chunks  # each chunk, plus each [DONE]
