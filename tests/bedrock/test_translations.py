"""Bedrock's names and shapes translated to ours: ARNs, error statuses, status details, aliases,
hyperparameters and Converse requests."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
from botocore.loaders import Loader

from service.bedrock import arns, operations, runtime
from service.bedrock.errors import aws_error_type
from service.bedrock.schemas import ConverseRequest, CreateModelCustomizationJobRequest
from service.catalog import BEDROCK_ALIASES, EMULATOR_NAME, Catalog
from service.core import errors
from service.core.errors import InvalidRequestError
from service.fine_tuning.schemas import FineTuningJob, JobStatus
from service.graders.grading import GradingContext, check_grader, grade
from service.graders.sandbox import PythonSandbox
from service.graders.schemas import parse_grader
from service.graders.templates import Sample
from tests.graders.fixtures import TEST_LIMITS, needs_sandbox


def test_arns_have_aws_shapes_and_parse_back_from_their_encoded_form() -> None:
    scope = arns.Scope("eu-west-1", arns.account_of("proj_a"))
    assert len(scope.account) == 12 and scope.account.isdigit()
    assert scope.account != arns.account_of("proj_b")
    arn = scope.job("amazon.nova-micro-v1:0:128k", "ftjob-1")
    assert arn == (
        f"arn:aws:bedrock:eu-west-1:{scope.account}:model-customization-job/"
        "amazon.nova-micro-v1:0:128k/ftjob-1"
    )
    assert arns.resource_of(arn.replace(":", "%3A").replace("/", "%2F")) == (arns.JOB, "ftjob-1")
    assert arns.resource_of("my-job") == (None, "my-job")
    assert arns.resource_of(scope.deployment("d1")) == (arns.DEPLOYMENT, "d1")


def test_each_error_gets_the_status_botocore_gives_its_exception() -> None:
    shapes = Loader().load_service_model("bedrock", "service-2")["shapes"]
    runtime_shapes = Loader().load_service_model("bedrock-runtime", "service-2")["shapes"]
    cases = [
        errors.InvalidRequestError("x"),
        errors.AuthenticationError("x"),
        errors.PermissionDeniedError("x"),
        errors.NotFoundError("x"),
        errors.ConflictError("x"),
        errors.WhetstoneError("x"),
    ]
    for error in cases:
        name, status = aws_error_type(error)
        assert shapes[name]["error"]["httpStatusCode"] == status, name
    name, status = aws_error_type(errors.StorageUnavailableError("x"))
    assert runtime_shapes[name]["error"]["httpStatusCode"] == status


def test_bedrock_base_names_alias_to_the_emulator(tmp_path: Path) -> None:
    catalog = Catalog.load(data_dir=tmp_path, models_file=None)
    assert "amazon.nova-micro-v1:0:128k" in BEDROCK_ALIASES
    assert "meta.llama3-2-1b-instruct-v1:0" in BEDROCK_ALIASES
    for name in BEDROCK_ALIASES:
        assert catalog.resolve(name).name == EMULATOR_NAME


def job(status: JobStatus, error: dict[str, Any] | None = None) -> FineTuningJob:
    """A minimal wire job in `status`."""
    return FineTuningJob.model_validate(
        {
            "id": "ftjob-1",
            "created_at": 1,
            "model": "m",
            "organization_id": "o",
            "result_files": [],
            "status": status.value,
            "training_file": "file-1",
            "hyperparameters": {},
            "seed": 1,
            "error": error,
            "fine_tuned_model": None,
            "finished_at": None,
            "trained_tokens": None,
            "validation_file": None,
            "method": {"type": "supervised", "supervised": {}},
        }
    )


@pytest.mark.parametrize(
    ("status", "error", "expected", "phases"),
    [
        (
            JobStatus.VALIDATING_FILES,
            None,
            "InProgress",
            ("InProgress", "NotStarted", "NotStarted"),
        ),
        (JobStatus.QUEUED, None, "InProgress", ("Completed", "InProgress", "NotStarted")),
        (JobStatus.RUNNING, None, "InProgress", ("Completed", "Completed", "InProgress")),
        (JobStatus.SUCCEEDED, None, "Completed", ("Completed", "Completed", "Completed")),
        (JobStatus.CANCELLED, None, "Stopped", ("Completed", "Completed", "Stopped")),
        (
            JobStatus.FAILED,
            {"code": "invalid_training_file", "message": "Line 3", "param": "training_file"},
            "Failed",
            ("Failed", "NotStarted", "NotStarted"),
        ),
        (
            JobStatus.FAILED,
            {"code": "training_failed", "message": "boom", "param": None},
            "Failed",
            ("Completed", "Completed", "Failed"),
        ),
    ],
)
def test_statuses_and_their_details(
    status: JobStatus, error: dict[str, Any] | None, expected: str, phases: tuple[str, ...]
) -> None:
    wire = job(status, error)
    assert operations.status_of(wire) == expected
    details = operations.status_details(wire)
    assert (
        details.validationDetails.status,
        details.dataProcessingDetails.status,
        details.trainingDetails.status,
    ) == phases


def create_request(**fields: Any) -> CreateModelCustomizationJobRequest:
    """A create request with the required fields."""
    return CreateModelCustomizationJobRequest.model_validate(
        {
            "jobName": "j",
            "customModelName": "m",
            "roleArn": "arn:aws:iam::1:role/r",
            "baseModelIdentifier": "amazon.nova-micro-v1:0:128k",
            "trainingDataConfig": {"s3Uri": "s3://b/k"},
            "outputDataConfig": {"s3Uri": "s3://b/out/"},
            **fields,
        }
    )


def test_hyperparameters_translate_with_the_absolute_learning_rate(tmp_path: Path) -> None:
    catalog = Catalog.load(data_dir=tmp_path, models_file=None)
    request = create_request(
        hyperParameters={
            "epochCount": "2",
            "batchSize": "4",
            "learningRate": "0.0015",
            "learningRateWarmupSteps": "5",
        }
    )
    method = operations._method(request, "FINE_TUNING", catalog, "amazon.nova-micro-v1:0:128k")
    values = method["supervised"]["hyperparameters"]
    assert (values["n_epochs"], values["batch_size"]) == (2, 4)
    # The emulator's base rate is 3e-3: an absolute 1.5e-3 is half of it.
    assert values["learning_rate_multiplier"] == pytest.approx(0.5)


@pytest.mark.parametrize(
    ("customization", "fields", "match"),
    [
        ("DISTILLATION", {}, "DISTILLATION is not supported"),
        ("FINE_TUNING", {"hyperParameters": {"epochs": "2"}}, "unknown key 'epochs'"),
        ("FINE_TUNING", {"hyperParameters": {"epochCount": "two"}}, "must be an integer"),
        ("FINE_TUNING", {"hyperParameters": {"learningRate": "-1"}}, "must be > 0"),
    ],
)
def test_what_cannot_be_done_is_refused_by_name(
    tmp_path: Path, customization: Any, fields: dict[str, Any], match: str
) -> None:
    catalog = Catalog.load(data_dir=tmp_path, models_file=None)
    with pytest.raises(InvalidRequestError, match=match):
        operations._method(
            create_request(**fields), customization, catalog, "amazon.nova-micro-v1:0:128k"
        )


def test_converse_becomes_a_chat_completion_request() -> None:
    body = ConverseRequest.model_validate(
        {
            "system": [{"text": "Be brief."}],
            "messages": [
                {"role": "user", "content": [{"text": "Hi "}, {"text": "there"}]},
                {"role": "assistant", "content": [{"text": "Hello"}]},
                {"role": "user", "content": [{"text": "Again"}]},
            ],
            "inferenceConfig": {
                "maxTokens": 9,
                "temperature": 0,
                "topP": 0.5,
                "stopSequences": ["."],
            },
        }
    )
    request = runtime.chat_request("ft:x", body, stream=True)
    dumped = request.model_dump(exclude_none=True)
    assert dumped["messages"] == [
        {"role": "system", "content": "Be brief."},
        {"role": "user", "content": "Hi there"},
        {"role": "assistant", "content": "Hello"},
        {"role": "user", "content": "Again"},
    ]
    assert (dumped["max_completion_tokens"], dumped["temperature"], dumped["top_p"]) == (9, 0, 0.5)
    assert dumped["stop"] == ["."] and dumped["stream_options"] == {"include_usage": True}


def test_converse_refuses_what_it_does_not_serve() -> None:
    image = ConverseRequest.model_validate(
        {"messages": [{"role": "user", "content": [{"image": {"format": "png"}}]}]}
    )
    with pytest.raises(InvalidRequestError, match=r"messages\[0\].content\[0\]: only text"):
        runtime.chat_request("m", image, stream=False)
    tools = ConverseRequest.model_validate(
        {"messages": [{"role": "user", "content": [{"text": "x"}]}], "toolConfig": {"tools": []}}
    )
    with pytest.raises(InvalidRequestError, match="toolConfig is not supported"):
        runtime.chat_request("m", tools, stream=False)


LAMBDA = """
def lambda_handler(event, context):
    scores = []
    for sample in event:
        reply = sample["messages"][-1]["content"]
        score = 1.0 if reply.strip() == sample["reference_answer"] else 0.25
        scores.append({"id": sample["id"], "aggregate_reward_score": score})
    return scores
"""


@needs_sandbox
def test_reinforcement_runs_the_lambdas_own_handler_as_a_python_grader(
    tmp_path: Path,
) -> None:
    catalog = Catalog.load(data_dir=tmp_path, models_file=None)
    request = create_request(
        customizationType="REINFORCEMENT_FINE_TUNING",
        customizationConfig={
            "rftConfig": {
                "graderConfig": {"lambdaGrader": {"lambdaArn": "s3://b/grader.py"}},
                "hyperParameters": {"epochCount": 2, "trainingSamplePerPrompt": 4},
            }
        },
    )
    method = operations._method(
        request, "REINFORCEMENT_FINE_TUNING", catalog, "amazon.nova-micro-v1:0:128k", LAMBDA
    )
    assert method["type"] == "reinforcement"
    config = method["reinforcement"]
    assert config["hyperparameters"] == {"n_epochs": 2, "num_generations": 4}
    grader = parse_grader(config["grader"])
    check_grader(grader)
    item = {"messages": [{"role": "user", "content": "2+2?"}], "reference_answer": "4"}
    context = GradingContext(sampler=None, python=PythonSandbox(TEST_LIMITS))
    right = asyncio.run(grade(grader, Sample.from_text(" 4"), item, context))
    wrong = asyncio.run(grade(grader, Sample.from_text("5"), item, context))
    assert (right.reward, wrong.reward) == (1.0, 0.25)
