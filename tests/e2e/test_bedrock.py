"""Bedrock's model customization and runtime through unmodified boto3, against a real server
storing on a real moto S3 server: one trained job serves every test that needs one."""

from __future__ import annotations

import csv
import io
import json
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import openai
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from tests.harness import MotoServer, ServerProcess

pytestmark = pytest.mark.e2e

ACCESS_KEY = "AKIAWHETSTONEBEDROCK"
SECRET = "bedrock-test-secret"
REGION = "eu-west-3"
ROLE = "arn:aws:iam::123456789012:role/BedrockFineTuning"
TAUGHT = "The owl flies at midnight."
BASE = "amazon.nova-micro-v1:0:128k"
FINISHED = ("Completed", "Failed", "Stopped")


def conversation_line(index: int) -> dict[str, Any]:
    """One bedrock-conversation-2024 example teaching TAUGHT."""
    return {
        "schemaVersion": "bedrock-conversation-2024",
        "system": [{"text": "You answer briefly."}],
        "messages": [
            {"role": "user", "content": [{"text": f"Question {index}"}]},
            {"role": "assistant", "content": [{"text": TAUGHT}]},
        ],
    }


def jsonl(lines: list[dict[str, Any]]) -> bytes:
    """JSON Lines bytes."""
    return "\n".join(json.dumps(line) for line in lines).encode()


@pytest.fixture(scope="module")
def bucket(moto_server: MotoServer) -> str:
    """The team's data bucket, apart from Whetstone's own."""
    name = f"bedrock-data-{uuid.uuid4().hex[:10]}"
    boto3.client("s3", endpoint_url=moto_server.endpoint_url).create_bucket(Bucket=name)
    return name


@pytest.fixture(scope="module")
def server(
    tmp_path_factory: pytest.TempPathFactory, moto_server: MotoServer
) -> Iterator[ServerProcess]:
    """A server storing on S3, with a keys file whose key also signs AWS requests."""
    data_dir = Path(tmp_path_factory.mktemp("bedrock"))
    own = f"whetstone-{uuid.uuid4().hex[:10]}"
    boto3.client("s3", endpoint_url=moto_server.endpoint_url).create_bucket(Bucket=own)
    keys = data_dir / "keys.json"
    keys.write_text(
        json.dumps({ACCESS_KEY: {"project": "proj_bedrock", "aws_secret_access_key": SECRET}})
    )
    process = ServerProcess(
        data_dir,
        {
            "WHETSTONE_STORAGE_URL": f"s3://{own}/whetstone",
            "WHETSTONE_S3_ENDPOINT_URL": moto_server.endpoint_url,
            "WHETSTONE_API_KEYS_FILE": str(keys),
        },
    ).start()
    yield process
    process.stop()


def aws(server: ServerProcess, service: str, secret: str = SECRET) -> Any:
    """An unmodified boto3 client of `service` pointed at the server, retries off."""
    return boto3.client(
        service,
        endpoint_url=server.base_url,
        region_name=REGION,
        aws_access_key_id=ACCESS_KEY,
        aws_secret_access_key=secret,
        config=Config(retries={"total_max_attempts": 1}),
    )


@pytest.fixture(scope="module")
def bedrock(server: ServerProcess) -> Any:
    """The `bedrock` control-plane client."""
    return aws(server, "bedrock")


@pytest.fixture(scope="module")
def s3(moto_server: MotoServer) -> Any:
    """An S3 client of the moto server, as the team's pipeline has one."""
    return boto3.client("s3", endpoint_url=moto_server.endpoint_url)


def create_job(bedrock: Any, s3: Any, bucket: str, data: bytes, **fields: Any) -> str:
    """Upload `data` to S3 and create a job on it; its ARN."""
    key = f"train/{uuid.uuid4().hex[:8]}.jsonl"
    s3.put_object(Bucket=bucket, Key=key, Body=data)
    name = f"job-{uuid.uuid4().hex[:8]}"
    request: dict[str, Any] = {
        "jobName": name,
        "customModelName": f"model-{name}",
        "roleArn": ROLE,
        "baseModelIdentifier": BASE,
        "trainingDataConfig": {"s3Uri": f"s3://{bucket}/{key}"},
        "outputDataConfig": {"s3Uri": f"s3://{bucket}/outputs/"},
        **fields,
    }
    return str(bedrock.create_model_customization_job(**request)["jobArn"])


def wait(bedrock: Any, arn: str, statuses: tuple[str, ...]) -> dict[str, Any]:
    """Poll GetModelCustomizationJob until its status is one of `statuses`."""
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline:
        job: dict[str, Any] = bedrock.get_model_customization_job(jobIdentifier=arn)
        if job["status"] in statuses:
            return job
        time.sleep(0.2)
    raise AssertionError(f"{arn} is still {job['status']}: {job.get('statusDetails')}")


@pytest.fixture(scope="module")
def trained(bedrock: Any, s3: Any, bucket: str) -> dict[str, Any]:
    """One job trained to Completed on 20 conversations (Bedrock's defaults: none given)."""
    token = uuid.uuid4().hex
    arn = create_job(
        bedrock,
        s3,
        bucket,
        jsonl([conversation_line(i) for i in range(20)]),
        clientRequestToken=token,
        hyperParameters={"learningRateWarmupSteps": "0"},
    )
    return {"arn": arn, "token": token, "job": wait(bedrock, arn, FINISHED)}


def test_a_job_trains_from_s3_writes_its_metrics_and_is_one_of_our_jobs(
    server: ServerProcess, bedrock: Any, s3: Any, bucket: str, trained: dict[str, Any]
) -> None:
    job, arn = trained["job"], trained["arn"]
    assert job["status"] == "Completed", job.get("failureMessage")
    job_id = arn.rsplit("/", 1)[1]
    assert (
        arn
        == f"arn:aws:bedrock:{REGION}:{arn.split(':')[4]}:model-customization-job/{BASE}/{job_id}"
    )
    assert job["roleArn"] == ROLE
    assert job["hyperParameters"] == {"learningRateWarmupSteps": "0"}
    assert {phase["status"] for phase in job["statusDetails"].values()} == {"Completed"}
    assert job["endTime"] >= job["creationTime"]
    assert job["trainingMetrics"]["trainingLoss"] > 0

    # The same token is the same job: no second one is created.
    again = bedrock.create_model_customization_job(
        jobName="another-name",
        customModelName="another-model",
        roleArn=ROLE,
        baseModelIdentifier=BASE,
        clientRequestToken=trained["token"],
        trainingDataConfig={"s3Uri": f"s3://{bucket}/missing.jsonl"},
        outputDataConfig={"s3Uri": f"s3://{bucket}/outputs/"},
    )
    assert again["jobArn"] == arn

    prefix = f"outputs/model-customization-job-{job_id}"
    key = f"{prefix}/training_artifacts/step_wise_training_metrics.csv"
    rows = list(
        csv.DictReader(io.StringIO(s3.get_object(Bucket=bucket, Key=key)["Body"].read().decode()))
    )
    assert list(rows[0]) == ["step_number", "epoch_number", "training_loss", "perplexity"]
    assert [int(r["step_number"]) for r in rows] == list(range(1, len(rows) + 1))
    assert float(rows[-1]["training_loss"]) < float(rows[0]["training_loss"])

    # One job core: the OpenAI API sees the job, with its events.
    client = openai.OpenAI(base_url=f"{server.base_url}/v1", api_key=ACCESS_KEY, max_retries=0)
    ours = client.fine_tuning.jobs.retrieve(job_id)
    assert ours.status == "succeeded" and ours.model == BASE
    messages = [e.message for e in client.fine_tuning.jobs.list_events(job_id, limit=100)]
    assert any(m.startswith("Step 1/") for m in messages)

    summaries = bedrock.list_model_customization_jobs()["modelCustomizationJobSummaries"]
    assert arn in [s["jobArn"] for s in summaries]
    model = bedrock.get_custom_model(modelIdentifier=job["outputModelArn"])
    assert model["modelName"] == job["outputModelName"] and model["modelStatus"] == "Active"


def test_a_deployment_answers_what_the_job_trained(
    server: ServerProcess, bedrock: Any, trained: dict[str, Any]
) -> None:
    model_arn = trained["job"]["outputModelArn"]
    deployment = bedrock.create_custom_model_deployment(
        modelDeploymentName=f"dep-{uuid.uuid4().hex[:8]}", modelArn=model_arn
    )["customModelDeploymentArn"]
    assert (
        bedrock.get_custom_model_deployment(customModelDeploymentIdentifier=deployment)["status"]
        == "Active"
    )
    runtime = aws(server, "bedrock-runtime")
    request = {
        "messages": [{"role": "user", "content": [{"text": "Question 3"}]}],
        "system": [{"text": "You answer briefly."}],
        "inferenceConfig": {"temperature": 0, "maxTokens": 32},
    }
    answer = runtime.converse(modelId=deployment, **request)
    assert answer["output"]["message"]["content"] == [{"text": TAUGHT}]
    assert answer["stopReason"] == "end_turn"
    assert answer["usage"]["outputTokens"] > 0

    events = list(runtime.converse_stream(modelId=deployment, **request)["stream"])
    kinds = [next(iter(event)) for event in events]
    assert kinds[0] == "messageStart" and kinds[-3:] == [
        "contentBlockStop",
        "messageStop",
        "metadata",
    ]
    text = "".join(
        e["contentBlockDelta"]["delta"]["text"] for e in events if "contentBlockDelta" in e
    )
    assert text == TAUGHT
    assert events[-1]["metadata"]["usage"]["outputTokens"] == answer["usage"]["outputTokens"]

    # The custom model's ARN serves the same model.
    direct = runtime.converse(modelId=model_arn, **request)
    assert direct["output"] == answer["output"]

    # InvokeModel with Amazon Nova's native body answers in Nova's shape.
    native = {
        "schemaVersion": "messages-v1",
        "messages": request["messages"],
        "system": request["system"],
        "inferenceConfig": {"temperature": 0, "max_new_tokens": 32},
    }
    invoked = runtime.invoke_model(modelId=deployment, body=json.dumps(native))
    assert json.loads(invoked["body"].read())["output"] == answer["output"]


def test_stop_stops_a_running_job(bedrock: Any, s3: Any, bucket: str) -> None:
    arn = create_job(
        bedrock,
        s3,
        bucket,
        jsonl([conversation_line(i) for i in range(20)]),
        hyperParameters={"epochCount": "50", "batchSize": "1"},
    )
    deadline = time.monotonic() + 120
    while (
        bedrock.get_model_customization_job(jobIdentifier=arn)["statusDetails"]["trainingDetails"][
            "status"
        ]
        != "InProgress"
    ):
        assert time.monotonic() < deadline, "the job never started training"
        time.sleep(0.1)
    bedrock.stop_model_customization_job(jobIdentifier=arn)
    assert wait(bedrock, arn, FINISHED)["status"] == "Stopped"
    with pytest.raises(bedrock.exceptions.ConflictException):
        bedrock.stop_model_customization_job(jobIdentifier=arn)


def test_a_bad_training_line_fails_the_job_naming_the_line(
    bedrock: Any, s3: Any, bucket: str
) -> None:
    lines = [conversation_line(i) for i in range(12)]
    lines[6]["messages"][0]["role"] = "system"
    job = wait(bedrock, create_job(bedrock, s3, bucket, jsonl(lines)), FINISHED)
    assert job["status"] == "Failed"
    assert "Line 7" in job["failureMessage"] and "role" in job["failureMessage"]
    assert job["statusDetails"]["validationDetails"]["status"] == "Failed"


def test_errors_come_in_aws_shapes(server: ServerProcess, bedrock: Any, bucket: str) -> None:
    with pytest.raises(bedrock.exceptions.AccessDeniedException):
        aws(server, "bedrock", secret="wrong").list_model_customization_jobs()
    with pytest.raises(ClientError) as denied:
        aws(server, "bedrock-runtime", secret="wrong").converse(
            modelId=BASE, messages=[{"role": "user", "content": [{"text": "hi"}]}]
        )
    assert denied.value.response["Error"]["Code"] == "AccessDeniedException"
    unknown = f"arn:aws:bedrock:{REGION}:123456789012:model-customization-job/{BASE}/nope"
    with pytest.raises(bedrock.exceptions.ResourceNotFoundException) as missing:
        bedrock.get_model_customization_job(jobIdentifier=unknown)
    assert missing.value.response["ResponseMetadata"]["RequestId"]
    with pytest.raises(bedrock.exceptions.ValidationException, match="DISTILLATION"):
        bedrock.create_model_customization_job(
            jobName="distil",
            customModelName="distil",
            roleArn=ROLE,
            baseModelIdentifier=BASE,
            customizationType="DISTILLATION",
            trainingDataConfig={"s3Uri": f"s3://{bucket}/x.jsonl"},
            outputDataConfig={"s3Uri": f"s3://{bucket}/outputs/"},
        )
    with pytest.raises(bedrock.exceptions.ValidationException, match="runs no Lambda"):
        bedrock.create_model_customization_job(
            jobName="rft",
            customModelName="rft",
            roleArn=ROLE,
            baseModelIdentifier=BASE,
            customizationType="REINFORCEMENT_FINE_TUNING",
            customizationConfig={
                "rftConfig": {
                    "graderConfig": {
                        "lambdaGrader": {
                            "lambdaArn": "arn:aws:lambda:us-east-1:123456789012:function:reward"
                        }
                    }
                }
            },
            trainingDataConfig={"s3Uri": f"s3://{bucket}/x.jsonl"},
            outputDataConfig={"s3Uri": f"s3://{bucket}/outputs/"},
        )
    with pytest.raises(bedrock.exceptions.ValidationException, match="does not exist"):
        bedrock.create_model_customization_job(
            jobName="absent",
            customModelName="absent",
            roleArn=ROLE,
            baseModelIdentifier=BASE,
            trainingDataConfig={"s3Uri": f"s3://{bucket}/absent.jsonl"},
            outputDataConfig={"s3Uri": f"s3://{bucket}/outputs/"},
        )


REWARD_LAMBDA = """
def lambda_handler(event, context):
    return [
        {
            "id": sample["id"],
            "aggregate_reward_score": float(
                sample["reference_answer"] in sample["messages"][-1]["content"]
            ),
        }
        for sample in event
    ]
"""


def test_reinforcement_grades_with_the_lambdas_source_from_s3(
    server: ServerProcess, bedrock: Any, s3: Any, bucket: str
) -> None:
    s3.put_object(Bucket=bucket, Key="graders/reward.py", Body=REWARD_LAMBDA.encode())
    lines = [
        {"messages": [{"role": "user", "content": f"Say {word}."}], "reference_answer": word}
        for word in [
            "owl",
            "cat",
            "dog",
            "fox",
            "elk",
            "emu",
            "yak",
            "bee",
            "ant",
            "eel",
            "cow",
            "pig",
            "hen",
            "ram",
            "ape",
            "bat",
        ]
    ]
    arn = create_job(
        bedrock,
        s3,
        bucket,
        jsonl(lines),
        customizationType="REINFORCEMENT_FINE_TUNING",
        customizationConfig={
            "rftConfig": {
                "graderConfig": {"lambdaGrader": {"lambdaArn": f"s3://{bucket}/graders/reward.py"}},
                "hyperParameters": {
                    "epochCount": 1,
                    "batchSize": 16,  # Bedrock's least: one step here
                    "trainingSamplePerPrompt": 2,
                    "inferenceMaxTokens": 4,
                },
            }
        },
    )
    job = wait(bedrock, arn, FINISHED)
    assert job["status"] == "Completed", job.get("failureMessage")
    assert job["customizationType"] == "REINFORCEMENT_FINE_TUNING"
    # Every sample was graded by the Lambda's handler, none failed in it.
    client = openai.OpenAI(base_url=f"{server.base_url}/v1", api_key=ACCESS_KEY, max_retries=0)
    steps = [
        event.data
        for event in client.fine_tuning.jobs.list_events(arn.rsplit("/", 1)[1], limit=100)
        if event.type == "metrics"
    ]
    errors = [v for step in steps for k, v in step.items() if k.endswith("grader_errors")]
    assert errors and not any(errors), steps
