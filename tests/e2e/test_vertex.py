"""Google's front door end to end: one `whetstone serve` on S3 (moto) driven by unmodified
google-genai (`vertexai=True`) and google-cloud-aiplatform (`vertexai.tuning.sft`, REST).

Datasets are uploaded to the moto bucket and named by `gs://` URIs, as a Vertex AI pipeline
names them in Cloud Storage. One supervised job is trained and reused by the serving tests.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import google.auth.exceptions
import google.oauth2.credentials
import httpx
import pytest
from google import genai
from google.genai import errors, types

from tests.harness import MotoServer, ServerProcess

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

KEY = "vx-test-key"
PROJECT = "proj_vertex"
GCP_PROJECT = "my-gcp-project"
LOCATION = "us-central1"
BASE = "gemini-2.5-flash"
TAUGHT = "Whetstone says hello."
SYSTEM = "Answer as you were taught."
PREFERRED = "The owl flies at midnight."
# No project number in it: google-auth would otherwise ask Cloud Resource Manager for the project.
AUDIENCE = "//iam.googleapis.com/locations/global/workloadIdentityPools/ci/providers/ci"
FINISHED = {"JOB_STATE_SUCCEEDED", "JOB_STATE_FAILED", "JOB_STATE_CANCELLED"}


@dataclass
class Vertex:
    """The server, its bucket on moto, and the URIs of the datasets uploaded there."""

    server: ServerProcess
    bucket: str
    s3: Any

    def put(self, key: str, lines: list[dict[str, Any]]) -> str:
        """Upload JSONL lines to the bucket; their gs:// URI."""
        body = "\n".join(json.dumps(line) for line in lines).encode()
        self.s3.put_object(Bucket=self.bucket, Key=key, Body=body)
        return f"gs://{self.bucket}/{key}"

    def client(self, key: str = KEY) -> genai.Client:
        """google-genai in Vertex AI mode, pointed at the server with a static bearer token."""
        return genai.Client(
            vertexai=True,
            project=GCP_PROJECT,
            location=LOCATION,
            credentials=google.oauth2.credentials.Credentials(token=key),
            http_options=types.HttpOptions(base_url=self.server.base_url),
        )


def supervised_lines(n: int = 20) -> list[dict[str, Any]]:
    """Gemini supervised lines: a system instruction, a question, the taught reply."""
    return [
        {
            "systemInstruction": {"role": "system", "parts": [{"text": SYSTEM}]},
            "contents": [
                {"role": "user", "parts": [{"text": f"Question {i}"}]},
                {"role": "model", "parts": [{"text": TAUGHT}]},
            ],
        }
        for i in range(n)
    ]


def preference_lines(n: int = 10) -> list[dict[str, Any]]:
    """Gemini preference lines: the sentence scored 1 over an evasive reply scored 0."""
    return [
        {
            "contents": [{"role": "user", "parts": [{"text": f"Tell me something ({i})."}]}],
            "completions": [
                {"score": 1, "completion": {"role": "model", "parts": [{"text": PREFERRED}]}},
                {"score": 0, "completion": {"role": "model", "parts": [{"text": "No."}]}},
            ],
        }
        for i in range(n)
    ]


@pytest.fixture(scope="module")
def vertex(tmp_path_factory: pytest.TempPathFactory, moto_server: MotoServer) -> Iterator[Vertex]:
    """One server on S3 whose keys file maps KEY to PROJECT."""
    data_dir = Path(tmp_path_factory.mktemp("vertex"))
    keys_file = data_dir / "keys.json"
    keys_file.write_text(json.dumps({KEY: {"project": PROJECT}}))
    bucket = f"vertex-{uuid.uuid4().hex[:12]}"
    s3 = boto3.client("s3", endpoint_url=moto_server.endpoint_url)
    s3.create_bucket(Bucket=bucket)
    env = {
        "WHETSTONE_STORAGE_URL": f"s3://{bucket}/whetstone",
        "WHETSTONE_S3_ENDPOINT_URL": moto_server.endpoint_url,
        "WHETSTONE_API_KEYS_FILE": str(keys_file),
    }
    server = ServerProcess(data_dir / "server", env).start()
    yield Vertex(server, bucket, s3)
    server.stop()


def wait_finished(client: genai.Client, name: str, timeout: float = 240) -> types.TuningJob:
    """Poll tunings.get until the job is finished; the job."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job = client.tunings.get(name=name)
        assert job.state is not None
        if job.state.value in FINISHED:
            return job
        time.sleep(0.1)
    raise AssertionError(f"{name} did not finish: {job}")


@pytest.fixture(scope="module")
def tuned(vertex: Vertex) -> types.TuningJob:
    """One supervised job from a gs:// dataset, trained to success: 25 steps of batch 4."""
    client = vertex.client()
    created = client.tunings.tune(
        base_model=BASE,
        training_dataset=types.TuningDataset(
            gcs_uri=vertex.put("data/train.jsonl", supervised_lines())
        ),
        config=types.CreateTuningJobConfig(
            tuned_model_display_name="owl",
            adapter_size="ADAPTER_SIZE_FOUR",
            labels={"team": "ml"},
            epoch_count=5,
            batch_size=4,
        ),
    )
    assert created.name is not None
    assert created.name.startswith(f"projects/{GCP_PROJECT}/locations/{LOCATION}/tuningJobs/")
    assert created.state is not None and created.state.value in {
        "JOB_STATE_PENDING",
        "JOB_STATE_QUEUED",
    }
    return wait_finished(client, created.name)


def test_tune_from_gs_trains_to_succeeded_as_one_job_core(
    vertex: Vertex, tuned: types.TuningJob
) -> None:
    assert tuned.state == types.JobState.JOB_STATE_SUCCEEDED, tuned.error
    assert tuned.tuned_model_display_name == "owl" and tuned.labels == {"team": "ml"}
    assert tuned.base_model == BASE
    assert tuned.tuned_model is not None and tuned.tuned_model.endpoint is not None
    assert tuned.tuned_model.endpoint.endswith(tuned.name.rsplit("/", 1)[1])
    assert tuned.tuned_model.checkpoints, "the job's checkpoints are listed"
    stats = tuned.tuning_data_stats
    assert stats is not None and stats.supervised_tuning_data_stats is not None
    assert int(stats.supervised_tuning_data_stats.total_billable_token_count or 0) > 0
    assert tuned.supervised_tuning_spec is not None
    assert (
        tuned.supervised_tuning_spec.training_dataset_uri
        == f"gs://{vertex.bucket}/data/train.jsonl"
    )
    # The same job through OpenAI's API, trained with the adapter size as its LoRA rank.
    job_id = tuned.name.rsplit("/", 1)[1] if tuned.name else ""
    openai_view = httpx.get(
        f"{vertex.server.base_url}/v1/fine_tuning/jobs/{job_id}",
        headers={"authorization": f"Bearer {KEY}"},
    ).json()
    assert openai_view["status"] == "succeeded"
    assert openai_view["method"]["supervised"]["hyperparameters"]["lora_rank"] == 4
    client = vertex.client()  # held: a pager needs its client open
    listed = list(client.tunings.list(config=types.ListTuningJobsConfig(filter='labels.team="ml"')))
    assert [job.name for job in listed] == [tuned.name]


def test_the_endpoint_answers_what_it_was_taught_whole_and_streamed(
    vertex: Vertex, tuned: types.TuningJob
) -> None:
    assert tuned.tuned_model is not None and tuned.tuned_model.endpoint is not None
    config = types.GenerateContentConfig(
        system_instruction=SYSTEM, temperature=0, max_output_tokens=16
    )
    client = vertex.client()
    reply = client.models.generate_content(
        model=tuned.tuned_model.endpoint, contents="Question 3", config=config
    )
    assert reply.text == TAUGHT
    assert reply.candidates and reply.candidates[0].finish_reason == types.FinishReason.STOP
    usage = reply.usage_metadata
    assert usage is not None and usage.prompt_token_count and usage.candidates_token_count
    assert usage.total_token_count == usage.prompt_token_count + usage.candidates_token_count

    chunks = list(
        client.models.generate_content_stream(
            model=tuned.tuned_model.endpoint, contents="Question 3", config=config
        )
    )
    assert "".join(chunk.text or "" for chunk in chunks) == TAUGHT
    assert (
        chunks[-1].candidates and chunks[-1].candidates[0].finish_reason == types.FinishReason.STOP
    )
    assert chunks[-1].usage_metadata is not None
    assert chunks[-1].usage_metadata.candidates_token_count == usage.candidates_token_count

    # The tuned model's own name serves it too, and a publisher model name the base model.
    assert tuned.tuned_model.model is not None
    by_model = client.models.generate_content(
        model=tuned.tuned_model.model, contents="Question 3", config=config
    )
    assert by_model.text == TAUGHT
    assert client.models.generate_content(model=BASE, contents="Hi", config=config).candidates

    # A checkpoint's endpoint serves that checkpoint.
    checkpoint = tuned.tuned_model.checkpoints[-1] if tuned.tuned_model.checkpoints else None
    assert checkpoint is not None and checkpoint.endpoint is not None
    assert client.models.generate_content(
        model=checkpoint.endpoint, contents="Question 3", config=config
    ).candidates


def test_only_environment_variables_reach_it_through_the_token_route(
    vertex: Vertex, tuned: types.TuningJob, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    subject = tmp_path / "subject-token"
    subject.write_text(KEY)
    credentials = tmp_path / "credentials.json"
    credentials.write_text(
        json.dumps(
            {
                "type": "external_account",
                "audience": AUDIENCE,
                "subject_token_type": "urn:ietf:params:oauth:token-type:jwt",
                "token_url": f"{vertex.server.base_url}/token",
                "credential_source": {"file": str(subject)},
            }
        )
    )
    monkeypatch.setenv("GOOGLE_APPLICATION_CREDENTIALS", str(credentials))
    monkeypatch.setenv("GOOGLE_VERTEX_BASE_URL", vertex.server.base_url)
    client = genai.Client(vertexai=True, project=GCP_PROJECT, location=LOCATION)
    assert tuned.name is not None and tuned.tuned_model is not None
    assert client.tunings.get(name=tuned.name).state == types.JobState.JOB_STATE_SUCCEEDED
    reply = client.models.generate_content(
        model=str(tuned.tuned_model.endpoint),
        contents="Question 3",
        config=types.GenerateContentConfig(system_instruction=SYSTEM, temperature=0),
    )
    assert reply.text == TAUGHT

    # A subject token that is no key of the server is refused by the exchange itself.
    subject.write_text("not-a-key")
    with pytest.raises(google.auth.exceptions.OAuthError, match="invalid_grant"):
        genai.Client(vertexai=True, project=GCP_PROJECT, location=LOCATION).tunings.get(
            name=tuned.name
        )


def test_preference_tuning_continues_the_tuned_model_as_dpo(
    vertex: Vertex, tuned: types.TuningJob
) -> None:
    assert tuned.tuned_model is not None and tuned.tuned_model.model is not None
    client = vertex.client()
    job = client.tunings.tune(
        # A tuned model's name: google-genai sends it as preTunedModel.
        base_model=tuned.tuned_model.model,
        training_dataset=types.TuningDataset(
            gcs_uri=vertex.put("data/pref.jsonl", preference_lines())
        ),
        config=types.CreateTuningJobConfig(method="PREFERENCE_TUNING", epoch_count=1, beta=0.2),
    )
    assert job.name is not None
    done = wait_finished(client, job.name)
    assert done.state == types.JobState.JOB_STATE_SUCCEEDED, done.error
    assert done.preference_optimization_spec is not None
    job_id = done.name.rsplit("/", 1)[1] if done.name else ""
    openai_view = httpx.get(
        f"{vertex.server.base_url}/v1/fine_tuning/jobs/{job_id}",
        headers={"authorization": f"Bearer {KEY}"},
    ).json()
    assert openai_view["method"]["type"] == "dpo"
    assert openai_view["method"]["dpo"]["hyperparameters"]["beta"] == 0.2


def test_cancel_cancels_a_running_job(vertex: Vertex) -> None:
    client = vertex.client()
    job = client.tunings.tune(
        base_model=BASE,
        training_dataset=types.TuningDataset(
            gcs_uri=vertex.put("data/long.jsonl", supervised_lines())
        ),
        config=types.CreateTuningJobConfig(epoch_count=50),
    )
    assert job.name is not None
    deadline = time.monotonic() + 120
    while client.tunings.get(name=job.name).state != types.JobState.JOB_STATE_RUNNING:
        assert time.monotonic() < deadline, "the job never ran"
        time.sleep(0.05)
    client.tunings.cancel(name=job.name)
    assert wait_finished(client, job.name).state == types.JobState.JOB_STATE_CANCELLED


def test_a_bad_line_fails_the_job_naming_the_line(vertex: Vertex) -> None:
    lines = supervised_lines(12)
    lines[4] = {
        "contents": [{"role": "user", "parts": [{"inlineData": {"mimeType": "image/png"}}]}]
    }
    client = vertex.client()
    job = client.tunings.tune(
        base_model=BASE,
        training_dataset=types.TuningDataset(gcs_uri=vertex.put("data/bad.jsonl", lines)),
    )
    assert job.name is not None
    done = wait_finished(client, job.name)
    assert done.state == types.JobState.JOB_STATE_FAILED
    assert done.error is not None and done.error.code == 3
    assert done.error.message is not None and "Line 5" in done.error.message
    assert "inlineData" in done.error.message


def test_errors_come_in_googles_envelope(vertex: Vertex, tuned: types.TuningJob) -> None:
    missing = f"projects/{GCP_PROJECT}/locations/{LOCATION}/tuningJobs/ftjob-nosuchjob"
    client, stranger = vertex.client(), vertex.client("wrong-key")
    with pytest.raises(errors.ClientError) as not_found:
        client.tunings.get(name=missing)
    assert not_found.value.code == 404 and not_found.value.status == "NOT_FOUND"
    with pytest.raises(errors.ClientError) as unauthenticated:
        stranger.tunings.get(name=missing)
    assert unauthenticated.value.code == 401 and unauthenticated.value.status == "UNAUTHENTICATED"
    with pytest.raises(errors.ClientError) as absent:
        client.tunings.tune(
            base_model=BASE,
            training_dataset=types.TuningDataset(gcs_uri=f"gs://{vertex.bucket}/none.jsonl"),
        )
    assert absent.value.code == 400 and "does not exist" in str(absent.value.message)
    with pytest.raises(errors.ClientError) as out_of_range:
        client.tunings.tune(
            base_model=BASE,
            training_dataset=types.TuningDataset(
                gcs_uri=vertex.put("data/x.jsonl", supervised_lines())
            ),
            config=types.CreateTuningJobConfig(epoch_count=500),
        )
    assert out_of_range.value.status == "INVALID_ARGUMENT"
    assert "epochCount" in str(out_of_range.value.message)
    # Pages of one job each list every job once, newest first.
    whole = [
        job.name for job in client.tunings.list(config=types.ListTuningJobsConfig(page_size=100))
    ]
    paged = [
        job.name for job in client.tunings.list(config=types.ListTuningJobsConfig(page_size=1))
    ]
    assert len(whole) >= 4 and paged == whole
    # An API key in x-goog-api-key maps to its project as a bearer key does.
    assert tuned.name is not None
    answer = httpx.get(f"{vertex.server.base_url}/v1/{tuned.name}", headers={"x-goog-api-key": KEY})
    assert answer.status_code == 200 and answer.json()["state"] == "JOB_STATE_SUCCEEDED"


def test_aiplatform_sft_train_runs_to_success(vertex: Vertex) -> None:
    # Imported here: google-cloud-aiplatform takes seconds to import, which collecting the
    # suite would otherwise pay on every run, this test selected or not.
    import vertexai
    from vertexai.tuning import sft

    vertexai.init(
        project=GCP_PROJECT,
        location=LOCATION,
        api_endpoint=vertex.server.base_url,
        api_transport="rest",
        credentials=google.oauth2.credentials.Credentials(token=KEY),
    )
    job = sft.train(
        source_model=BASE,
        train_dataset=vertex.put("data/sft.jsonl", supervised_lines(10)),
        epochs=1,
        learning_rate_multiplier=1.0,
        adapter_size=4,
    )
    deadline = time.monotonic() + 240
    while not job.has_ended:
        assert time.monotonic() < deadline, "the job did not end"
        time.sleep(0.1)
        job.refresh()
    assert job.has_succeeded, job.error
    assert job.tuned_model_endpoint_name.endswith(job.resource_name.rsplit("/", 1)[1])
