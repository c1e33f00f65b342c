"""Bedrock's control plane translated to our jobs, files and models (one job core).

A customization job is an ordinary fine-tuning job (visible with its events through
/v1/fine_tuning/jobs); `bedrock_jobs` keeps only what Bedrock's request said beside it. Its
custom model is the job's `ft:` model; a deployment is a name for serving it.
"""

from __future__ import annotations

import asyncio
import csv
import io
import math
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

from pydantic import JsonValue

from service.bedrock import arns, repository
from service.bedrock.arns import Scope
from service.bedrock.schemas import (
    CreateCustomModelDeploymentRequest,
    CreateCustomModelDeploymentResponse,
    CreateModelCustomizationJobRequest,
    CreateModelCustomizationJobResponse,
    CustomizationType,
    CustomModelDeploymentSummary,
    CustomModelSummary,
    GetCustomModelDeploymentResponse,
    GetCustomModelResponse,
    GetModelCustomizationJobResponse,
    JobStatusDetails,
    ListCustomModelDeploymentsResponse,
    ListCustomModelsResponse,
    ListModelCustomizationJobsResponse,
    ModelCustomizationJobStatus,
    ModelCustomizationJobSummary,
    StatusDetail,
    StatusDetails,
    TrainingMetrics,
    ValidatorMetric,
)
from service.catalog import Catalog
from service.core.auth import Principal
from service.core.db import Database
from service.core.errors import ConflictError, InvalidRequestError, NotFoundError
from service.core.tables import BedrockDeploymentRow, BedrockJobRow
from service.datasets.formats import BEDROCK_FORMAT_PREFIX
from service.files import operations as files
from service.fine_tuning import operations as fine_tuning
from service.fine_tuning.schemas import (
    CreateFineTuningJobRequest,
    FineTuningJob,
    FineTuningJobEvent,
    JobStatus,
)
from service.inference import InferenceService
from service.models import operations as models
from service.storage import ArtifactStore
from service.storage.buckets import parse_bucket_uri, read_bucket_object, write_bucket_object
from service.training.hyperparameters import learning_rate

FINE_TUNE_PURPOSE = "fine-tune"
EVENTS_PAGE = 100
STEP_METRICS_FILE = "training_artifacts/step_wise_training_metrics.csv"
VALIDATION_METRICS_FILE = (
    "validation_artifacts/post_fine_tuning_validation/validation/validation_metrics.csv"
)
# Bedrock's supervised hyperparameters -> ours; learningRate is converted (absolute rate).
_SUPERVISED_KEYS = {"epochCount": "n_epochs", "batchSize": "batch_size"}
_IGNORED_KEYS = frozenset({"learningRateWarmupSteps"})
_LEARNING_RATE = "learningRate"


def _not_found(kind: str, identifier: str) -> NotFoundError:
    return NotFoundError(f"Could not find {kind} {identifier!r}.")


def _iso(seconds: int | None) -> datetime | None:
    return None if seconds is None else datetime.fromtimestamp(seconds, UTC)


def _base_name(identifier: str) -> str:
    """A base model id from `baseModelIdentifier`: an id, or a foundation-model ARN."""
    kind, name = arns.resource_of(identifier)
    if kind is None:
        return name
    if kind != arns.FOUNDATION_MODEL:
        raise InvalidRequestError(
            f"baseModelIdentifier {identifier!r} is not a foundation model; continuing a "
            "custom model is not emulated through Bedrock (use the OpenAI API's ft: names)."
        )
    # foundation-model/{id}: the id itself may hold ':' but never '/'.
    return identifier.rsplit("/", 1)[-1]


# -- create ------------------------------------------------------------------------------------


def create_job(
    db: Database,
    store: ArtifactStore,
    catalog: Catalog,
    *,
    principal: Principal,
    scope: Scope,
    request: CreateModelCustomizationJobRequest,
    faults_enabled: bool,
    python_graders: bool,
) -> CreateModelCustomizationJobResponse:
    """Read the data from S3 into files, create the job, and record Bedrock's request."""
    project = principal.project
    if request.clientRequestToken is not None:
        with db.session() as session:
            earlier = repository.job_by_token(
                session, project=project, token=request.clientRequestToken
            )
            if earlier is not None:
                return CreateModelCustomizationJobResponse(jobArn=_job_arn(scope, earlier))
    with db.session() as session:
        if repository.find_job(session, project=project, identifier=request.jobName):
            raise ConflictError(f"A model customization job named {request.jobName!r} exists.")
        if repository.find_model(session, project=project, identifier=request.customModelName):
            raise ConflictError(f"A custom model named {request.customModelName!r} exists.")
    customization: CustomizationType = request.customizationType or "FINE_TUNING"
    base = _base_name(request.baseModelIdentifier)
    lambda_source = None
    if customization == "REINFORCEMENT_FINE_TUNING":
        lambda_source = _lambda_source(store, request)
    method = _method(request, customization, catalog, base, lambda_source)
    if request.trainingDataConfig.invocationLogsConfig is not None:
        raise InvalidRequestError(
            "trainingDataConfig.invocationLogsConfig is not supported: give s3Uri."
        )
    if request.trainingDataConfig.s3Uri is None:
        raise InvalidRequestError("trainingDataConfig.s3Uri is required.")
    parse_bucket_uri(request.outputDataConfig.s3Uri, schemes=("s3",))
    training_file = _import(db, store, project, request.trainingDataConfig.s3Uri)
    validation_file = None
    if request.validationDataConfig is not None:
        validators = request.validationDataConfig.validators
        if len(validators) != 1:
            raise InvalidRequestError(
                "validationDataConfig.validators: give exactly one validator "
                f"(got {len(validators)})."
            )
        validation_file = _import(db, store, project, validators[0].s3Uri)
    job = fine_tuning.create_job(
        db,
        catalog,
        principal=principal,
        request=CreateFineTuningJobRequest.model_validate(
            {
                "model": base,
                "training_file": training_file,
                "validation_file": validation_file,
                "method": method,
            }
        ),
        faults_enabled=faults_enabled,
        python_graders=python_graders,
        data_format=BEDROCK_FORMAT_PREFIX + customization,
    )
    with db.session() as session:
        row = repository.add_job(
            session,
            job_id=job.id,
            project=project,
            job_name=request.jobName,
            custom_model_name=request.customModelName,
            client_request_token=request.clientRequestToken,
            request=request.model_dump(mode="json", exclude_none=True),
        )
        return CreateModelCustomizationJobResponse(jobArn=_job_arn(scope, row))


def _import(db: Database, store: ArtifactStore, project: str, uri: str) -> str:
    """Copy an `s3://` object into a fine-tune file of the project; its id."""
    obj = parse_bucket_uri(uri, schemes=("s3",))
    data = read_bucket_object(store, obj)
    row = files.store_file(
        db,
        store,
        project=project,
        filename=obj.key.rsplit("/", 1)[-1],
        purpose=FINE_TUNE_PURPOSE,
        chunks=[data],
    )
    return row.id


def _method(
    request: CreateModelCustomizationJobRequest,
    customization: CustomizationType,
    catalog: Catalog,
    base: str,
    lambda_source: str | None = None,
) -> dict[str, Any]:
    """Our `method` for Bedrock's customization type and hyperparameters."""
    if customization == "DISTILLATION":
        raise InvalidRequestError(
            "customizationType DISTILLATION is not supported: Whetstone trains no teacher "
            "model. Generate the teacher's answers yourself and run FINE_TUNING on them."
        )
    if customization == "IMPORTED":
        raise InvalidRequestError("customizationType IMPORTED is not a customization job.")
    config = request.customizationConfig
    if config is not None and config.distillationConfig is not None:
        raise InvalidRequestError("customizationConfig.distillationConfig is not supported.")
    if customization == "REINFORCEMENT_FINE_TUNING":
        return _reinforcement(request, catalog, base, lambda_source)
    if config is not None and config.rftConfig is not None:
        raise InvalidRequestError(
            "customizationConfig.rftConfig is for customizationType REINFORCEMENT_FINE_TUNING."
        )
    hyperparameters: dict[str, JsonValue] = {}
    for key, value in (request.hyperParameters or {}).items():
        if key in _IGNORED_KEYS:
            continue
        if key == _LEARNING_RATE:
            hyperparameters["learning_rate_multiplier"] = _multiplier(value, catalog, base)
        elif key in _SUPERVISED_KEYS:
            hyperparameters[_SUPERVISED_KEYS[key]] = _integer(key, value)
        else:
            known = ", ".join(sorted([*_SUPERVISED_KEYS, _LEARNING_RATE, *_IGNORED_KEYS]))
            raise InvalidRequestError(
                f"hyperParameters: unknown key {key!r}; Bedrock's are {known}."
            )
    return {"type": "supervised", "supervised": {"hyperparameters": hyperparameters}}


# rftConfig.hyperParameters -> ours (learningRate is converted, maxPromptLength ignored).
_RFT_KEYS = {
    "epochCount": "n_epochs",
    "batchSize": "batch_size",
    "trainingSamplePerPrompt": "num_generations",
    "inferenceMaxTokens": "max_completion_tokens",
    "reasoningEffort": "reasoning_effort",
    "evalInterval": "eval_interval",
}
LAMBDA_GRADER_NAME = "bedrock-lambda-grader"
# Runs the Lambda's own handler as a python grader: Bedrock calls it with a list of samples
# (the conversation with the sampled reply appended, the line's reference_answer and
# metadata) and reads `aggregate_reward_score` back, so the same source grades here.
_LAMBDA_SHIM = """

def grade(sample, item):
    messages = list(item.get("messages") or [])
    messages.append({"role": "assistant", "content": sample.get("output_text", "")})
    event = [
        {
            "id": "sample-0",
            "messages": messages,
            "reference_answer": item.get("reference_answer"),
            "metadata": item.get("metadata"),
        }
    ]
    results = lambda_handler(event, None)
    if isinstance(results, dict) and "body" in results:
        results = results["body"]
    return float(results[0]["aggregate_reward_score"])
"""


def _lambda_source(store: ArtifactStore, request: CreateModelCustomizationJobRequest) -> str:
    """The Python source of the Lambda grader, read from the `s3://` URI given as its ARN."""
    rft = request.customizationConfig.rftConfig if request.customizationConfig else None
    grader = rft.graderConfig.lambdaGrader if rft and rft.graderConfig else None
    if grader is None:
        raise InvalidRequestError(
            "REINFORCEMENT_FINE_TUNING needs customizationConfig.rftConfig.graderConfig."
            "lambdaGrader.lambdaArn."
        )
    if grader.lambdaArn.startswith("arn:"):
        raise InvalidRequestError(
            f"lambdaArn {grader.lambdaArn!r}: Whetstone runs no Lambda. Give the function's "
            "Python source as s3://bucket/key.py instead (its lambda_handler grades each "
            "sample, as in Lambda)."
        )
    obj = parse_bucket_uri(grader.lambdaArn, schemes=("s3",))
    source = read_bucket_object(store, obj).decode("utf-8", errors="replace")
    if "lambda_handler" not in source:
        raise InvalidRequestError(f"{obj.uri} defines no lambda_handler(event, context).")
    return source


def _reinforcement(
    request: CreateModelCustomizationJobRequest,
    catalog: Catalog,
    base: str,
    lambda_source: str | None,
) -> dict[str, Any]:
    """Our reinforcement method: the Lambda's source as a python grader."""
    if request.hyperParameters:
        raise InvalidRequestError(
            "REINFORCEMENT_FINE_TUNING takes its hyperparameters in "
            "customizationConfig.rftConfig.hyperParameters, not hyperParameters."
        )
    assert lambda_source is not None
    config = request.customizationConfig
    rft = config.rftConfig if config is not None else None
    given = (
        rft.hyperParameters.model_dump(exclude_none=True)
        if rft is not None and rft.hyperParameters is not None
        else {}
    )
    hyperparameters: dict[str, JsonValue] = {}
    for key, value in given.items():
        if key == _LEARNING_RATE:
            hyperparameters["learning_rate_multiplier"] = _multiplier(str(value), catalog, base)
        elif key in _RFT_KEYS:
            hyperparameters[_RFT_KEYS[key]] = value
    return {
        "type": "reinforcement",
        "reinforcement": {
            "grader": {
                "type": "python",
                "name": LAMBDA_GRADER_NAME,
                "source": lambda_source + _LAMBDA_SHIM,
            },
            "hyperparameters": hyperparameters,
        },
    }


def _integer(key: str, value: str) -> int:
    try:
        return int(value)
    except ValueError as exc:
        raise InvalidRequestError(
            f"hyperParameters.{key} must be an integer, got {value!r}."
        ) from exc


def _multiplier(value: str, catalog: Catalog, base: str) -> float:
    """Bedrock's absolute peak rate as our multiplier of the base model's rate."""
    try:
        rate = float(value)
    except ValueError as exc:
        raise InvalidRequestError(
            f"hyperParameters.learningRate must be a number, got {value!r}."
        ) from exc
    if not math.isfinite(rate) or rate <= 0:
        raise InvalidRequestError(f"hyperParameters.learningRate must be > 0, got {value!r}.")
    try:
        entry = catalog.resolve(base)
    except NotFoundError as exc:
        raise InvalidRequestError(f"Unknown base model {base!r}.") from exc
    return rate / learning_rate({"learning_rate_multiplier": 1.0}, entry)


# -- read --------------------------------------------------------------------------------------


def _job_arn(scope: Scope, row: BedrockJobRow) -> str:
    return scope.job(_base_of(row), row.job_id)


def _base_of(row: BedrockJobRow) -> str:
    return _base_name(str(row.request["baseModelIdentifier"]))


_CUSTOMIZATIONS: dict[str, CustomizationType] = {
    "FINE_TUNING": "FINE_TUNING",
    "CONTINUED_PRE_TRAINING": "CONTINUED_PRE_TRAINING",
    "REINFORCEMENT_FINE_TUNING": "REINFORCEMENT_FINE_TUNING",
}


def _customization(row: BedrockJobRow) -> CustomizationType:
    value = row.request.get("customizationType") or "FINE_TUNING"
    return _CUSTOMIZATIONS[value]


# Job error codes of a failed validation (the data's fault), as opposed to training's.
_DATA_ERRORS = frozenset(
    {"invalid_training_file", "invalid_validation_file", "invalid_n_examples", "validation_error"}
)
_STATUSES: dict[JobStatus, ModelCustomizationJobStatus] = {
    JobStatus.VALIDATING_FILES: "InProgress",
    JobStatus.QUEUED: "InProgress",
    JobStatus.RUNNING: "InProgress",
    JobStatus.PAUSING: "InProgress",
    JobStatus.PAUSED: "InProgress",
    JobStatus.SUCCEEDED: "Completed",
    JobStatus.FAILED: "Failed",
    JobStatus.CANCELLED: "Stopped",
}


def status_of(job: FineTuningJob) -> ModelCustomizationJobStatus:
    """Bedrock's status of one of our jobs."""
    return _STATUSES[job.status]


def status_details(job: FineTuningJob) -> StatusDetails:
    """Bedrock's three phases (validation, data processing, training) of one of our jobs."""
    created = _iso(job.created_at)
    phases: tuple[JobStatusDetails, JobStatusDetails, JobStatusDetails]
    if job.status == JobStatus.VALIDATING_FILES:
        phases = ("InProgress", "NotStarted", "NotStarted")
    elif job.status == JobStatus.QUEUED:
        phases = ("Completed", "InProgress", "NotStarted")
    elif job.status in (JobStatus.RUNNING, JobStatus.PAUSING, JobStatus.PAUSED):
        phases = ("Completed", "Completed", "InProgress")
    elif job.status == JobStatus.SUCCEEDED:
        phases = ("Completed", "Completed", "Completed")
    elif job.status == JobStatus.CANCELLED:
        phases = ("Completed", "Completed", "Stopped")
    elif job.error is not None and job.error.code in _DATA_ERRORS:
        phases = ("Failed", "NotStarted", "NotStarted")
    else:
        phases = ("Completed", "Completed", "Failed")
    return StatusDetails(
        validationDetails=StatusDetail(status=phases[0], creationTime=created),
        dataProcessingDetails=StatusDetail(status=phases[1], creationTime=created),
        trainingDetails=StatusDetail(status=phases[2], creationTime=created),
    )


def _events(db: Database, project: str, job_id: str) -> Iterator[FineTuningJobEvent]:
    """Every event of a job, oldest first."""
    page: list[FineTuningJobEvent] = []
    after: str | None = None
    while True:
        answer = fine_tuning.list_events(
            db, project=project, job_id=job_id, limit=EVENTS_PAGE, after=after
        )
        page = [*answer.data, *page]
        if not answer.has_more or not answer.data:
            break
        after = answer.data[-1].id
    return iter(reversed(page))


def _metric_rows(db: Database, project: str, job: FineTuningJob) -> list[dict[str, float | int]]:
    """One row per training step: step, epoch, training and validation loss."""
    n_epochs = job.hyperparameters.n_epochs if isinstance(job.hyperparameters.n_epochs, int) else 1
    rows: dict[int, dict[str, float | int]] = {}
    for event in _events(db, project, job.id):
        if event.type != "metrics" or "step" not in event.data:
            continue
        step = int(event.data["step"])
        total = int(event.data.get("total_steps") or step or 1)
        row: dict[str, float | int] = {
            "step": step,
            "epoch": max(1, math.ceil(step * n_epochs / max(total, 1))),
        }
        for key in ("train_loss", "valid_loss", "full_valid_loss"):
            if isinstance(event.data.get(key), int | float):
                row[key] = float(event.data[key])
        rows[step] = row  # a step redone after a restart: the later one counts
    return [rows[step] for step in sorted(rows)]


def _csv(rows: list[dict[str, float | int]], loss_key: str, loss_column: str) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["step_number", "epoch_number", loss_column, "perplexity"])
    for row in rows:
        if loss_key in row:
            loss = float(row[loss_key])
            writer.writerow([row["step"], row["epoch"], loss, math.exp(min(loss, 700.0))])
    return out.getvalue().encode()


def _write_outputs(
    db: Database, store: ArtifactStore, row: BedrockJobRow, metrics: list[dict[str, float | int]]
) -> None:
    """The metrics CSVs under `outputDataConfig.s3Uri/model-customization-job-{id}/`, once."""
    output = parse_bucket_uri(str(row.request["outputDataConfig"]["s3Uri"]), schemes=("s3",))
    prefix = f"{output.key.rstrip('/')}/model-customization-job-{row.job_id}/"
    write_bucket_object(
        store,
        output.__class__(output.scheme, output.bucket, prefix + STEP_METRICS_FILE),
        _csv(metrics, "train_loss", "training_loss"),
    )
    if any("valid_loss" in r for r in metrics):
        write_bucket_object(
            store,
            output.__class__(output.scheme, output.bucket, prefix + VALIDATION_METRICS_FILE),
            _csv(metrics, "valid_loss", "validation_loss"),
        )
    with db.session() as session:
        repository.mark(session, project=row.project, job_id=row.job_id, outputs_written=True)


def _find_job(db: Database, project: str, identifier: str) -> BedrockJobRow:
    kind, name = arns.resource_of(identifier)
    if kind not in (None, arns.JOB):
        raise _not_found("model customization job", identifier)
    with db.session() as session:
        row = repository.find_job(session, project=project, identifier=name)
    if row is None:
        raise _not_found("model customization job", identifier)
    return row


def _job(db: Database, row: BedrockJobRow) -> FineTuningJob:
    return fine_tuning.get_job(db, project=row.project, job_id=row.job_id)


def get_job(
    db: Database, store: ArtifactStore, *, principal: Principal, scope: Scope, identifier: str
) -> GetModelCustomizationJobResponse:
    """GetModelCustomizationJob; a completed job's outputs are written on its first read."""
    row = _find_job(db, principal.project, identifier)
    job = _job(db, row)
    metrics = _metric_rows(db, row.project, job)
    if job.status == JobStatus.SUCCEEDED and not row.outputs_written:
        _write_outputs(db, store, row, metrics)
    request = row.request
    last_train = next((r["train_loss"] for r in reversed(metrics) if "train_loss" in r), None)
    last_valid = next(
        (r.get("full_valid_loss", r["valid_loss"]) for r in reversed(metrics) if "valid_loss" in r),
        None,
    )
    base = _base_of(row)
    return GetModelCustomizationJobResponse(
        jobArn=_job_arn(scope, row),
        jobName=row.job_name,
        outputModelName=row.custom_model_name,
        outputModelArn=scope.custom_model(base, row.job_id)
        if job.status == JobStatus.SUCCEEDED
        else None,
        clientRequestToken=row.client_request_token,
        roleArn=str(request["roleArn"]),
        status=status_of(job),
        statusDetails=status_details(job),
        failureMessage=job.error.message if job.error is not None else None,
        creationTime=_iso(job.created_at) or datetime.now(UTC),
        lastModifiedTime=_iso(job.finished_at or job.created_at),
        endTime=_iso(job.finished_at),
        baseModelArn=scope.foundation_model(base),
        hyperParameters=request.get("hyperParameters"),
        trainingDataConfig=request["trainingDataConfig"],
        validationDataConfig=request.get("validationDataConfig") or {"validators": []},
        outputDataConfig=request["outputDataConfig"],
        customizationType=_customization(row),
        trainingMetrics=TrainingMetrics(trainingLoss=float(last_train))
        if last_train is not None
        else None,
        validationMetrics=[ValidatorMetric(validationLoss=float(last_valid))]
        if last_valid is not None
        else None,
        vpcConfig=request.get("vpcConfig"),
        customizationConfig=request.get("customizationConfig"),
    )


def list_jobs(
    db: Database,
    *,
    principal: Principal,
    scope: Scope,
    status_equals: str | None,
    name_contains: str | None,
) -> ListModelCustomizationJobsResponse:
    """ListModelCustomizationJobs, newest first (one page holds them all)."""
    with db.session() as session:
        rows = repository.list_jobs(session, project=principal.project)
    summaries = []
    for row in rows:
        if name_contains is not None and name_contains not in row.job_name:
            continue
        job = _job(db, row)
        status = status_of(job)
        if status_equals is not None and status != status_equals:
            continue
        base = _base_of(row)
        summaries.append(
            ModelCustomizationJobSummary(
                jobArn=_job_arn(scope, row),
                baseModelArn=scope.foundation_model(base),
                jobName=row.job_name,
                status=status,
                statusDetails=status_details(job),
                lastModifiedTime=_iso(job.finished_at or job.created_at),
                creationTime=_iso(job.created_at) or datetime.now(UTC),
                endTime=_iso(job.finished_at),
                customModelArn=scope.custom_model(base, row.job_id)
                if job.status == JobStatus.SUCCEEDED
                else None,
                customModelName=row.custom_model_name,
                customizationType=_customization(row),
            )
        )
    return ListModelCustomizationJobsResponse(modelCustomizationJobSummaries=summaries)


def stop_job(db: Database, *, principal: Principal, identifier: str) -> None:
    """StopModelCustomizationJob: our cancel (a running job stops within one step)."""
    row = _find_job(db, principal.project, identifier)
    try:
        fine_tuning.cancel_job(db, project=row.project, job_id=row.job_id)
    except InvalidRequestError as exc:
        raise ConflictError(f"The job cannot be stopped: {exc.message}") from exc


# -- custom models -----------------------------------------------------------------------------


def _find_model(db: Database, project: str, identifier: str) -> tuple[BedrockJobRow, FineTuningJob]:
    kind, name = arns.resource_of(identifier)
    if kind not in (None, arns.CUSTOM_MODEL):
        raise _not_found("custom model", identifier)
    with db.session() as session:
        row = repository.find_model(session, project=project, identifier=name)
    if row is None:
        raise _not_found("custom model", identifier)
    job = _job(db, row)
    if job.status != JobStatus.SUCCEEDED or job.fine_tuned_model is None:
        raise _not_found("custom model", identifier)
    return row, job


def get_custom_model(
    db: Database, *, principal: Principal, scope: Scope, identifier: str
) -> GetCustomModelResponse:
    """GetCustomModel: a completed Bedrock job's model."""
    row, job = _find_model(db, principal.project, identifier)
    base = _base_of(row)
    request = row.request
    metrics = _metric_rows(db, row.project, job)
    last_train = next((r["train_loss"] for r in reversed(metrics) if "train_loss" in r), None)
    return GetCustomModelResponse(
        modelArn=scope.custom_model(base, row.job_id),
        modelName=row.custom_model_name,
        jobName=row.job_name,
        jobArn=_job_arn(scope, row),
        baseModelArn=scope.foundation_model(base),
        customizationType=_customization(row),
        hyperParameters=request.get("hyperParameters"),
        trainingDataConfig=request["trainingDataConfig"],
        validationDataConfig=request.get("validationDataConfig"),
        outputDataConfig=request["outputDataConfig"],
        trainingMetrics=TrainingMetrics(trainingLoss=float(last_train))
        if last_train is not None
        else None,
        creationTime=_iso(job.finished_at or job.created_at) or datetime.now(UTC),
        customizationConfig=request.get("customizationConfig"),
        modelStatus="Active",
    )


def list_custom_models(
    db: Database, *, principal: Principal, scope: Scope, name_contains: str | None
) -> ListCustomModelsResponse:
    """ListCustomModels: the models of completed Bedrock jobs, newest first."""
    with db.session() as session:
        rows = [r for r in repository.list_jobs(session, project=principal.project)]
    summaries = []
    for row in rows:
        if row.model_deleted or (name_contains and name_contains not in row.custom_model_name):
            continue
        job = _job(db, row)
        if job.status != JobStatus.SUCCEEDED:
            continue
        base = _base_of(row)
        summaries.append(
            CustomModelSummary(
                modelArn=scope.custom_model(base, row.job_id),
                modelName=row.custom_model_name,
                creationTime=_iso(job.finished_at or job.created_at) or datetime.now(UTC),
                baseModelArn=scope.foundation_model(base),
                baseModelName=base,
                customizationType=_customization(row),
                ownerAccountId=scope.account,
                modelStatus="Active",
            )
        )
    return ListCustomModelsResponse(modelSummaries=summaries)


def _deletable_model(db: Database, project: str, identifier: str) -> tuple[str, str]:
    """(job id, `ft:` name) of a custom model with no deployment left."""
    row, job = _find_model(db, project, identifier)
    with db.session() as session:
        deployments = repository.list_deployments(session, project=project)
    if any(d.job_id == row.job_id for d in deployments):
        raise ConflictError(
            "The custom model has deployments; delete them before deleting the model."
        )
    assert job.fine_tuned_model is not None
    return row.job_id, job.fine_tuned_model


def _mark_deleted(db: Database, project: str, job_id: str) -> None:
    with db.session() as session:
        repository.mark(session, project=project, job_id=job_id, model_deleted=True)


async def delete_custom_model(
    db: Database,
    store: ArtifactStore,
    catalog: Catalog,
    inference: InferenceService,
    *,
    principal: Principal,
    identifier: str,
) -> None:
    """DeleteCustomModel: deletes the `ft:` model (our Models API's delete) and hides it here."""
    project = principal.project
    job_id, name = await asyncio.to_thread(_deletable_model, db, project, identifier)
    await models.delete_model(db, catalog, store, inference, principal, name)
    await asyncio.to_thread(_mark_deleted, db, project, job_id)


def served_model_name(db: Database, *, project: str, identifier: str) -> str:
    """The model name our engines serve for a runtime `modelId`: a deployment ARN, a custom
    model ARN, or a base model id."""
    kind, name = arns.resource_of(identifier)
    if kind == arns.DEPLOYMENT:
        with db.session() as session:
            deployment = repository.find_deployment(session, project=project, identifier=name)
        if deployment is None:
            raise _not_found("custom model deployment", identifier)
        kind, name = arns.CUSTOM_MODEL, deployment.job_id
    if kind == arns.CUSTOM_MODEL:
        _, job = _find_model(db, project, name)
        assert job.fine_tuned_model is not None
        return job.fine_tuned_model
    if kind in (None, arns.FOUNDATION_MODEL):
        return _base_name(identifier) if kind is not None else name
    raise _not_found("model", identifier)


# -- deployments -------------------------------------------------------------------------------


def _deployment(
    scope: Scope, row: BedrockDeploymentRow, base: str
) -> GetCustomModelDeploymentResponse:
    return GetCustomModelDeploymentResponse(
        customModelDeploymentArn=scope.deployment(row.id),
        modelDeploymentName=row.name,
        modelArn=scope.custom_model(base, row.job_id),
        createdAt=_iso(row.created_at) or datetime.now(UTC),
        status="Active",
        description=row.description,
        lastUpdatedAt=_iso(row.created_at),
    )


def create_deployment(
    db: Database,
    *,
    principal: Principal,
    scope: Scope,
    request: CreateCustomModelDeploymentRequest,
) -> CreateCustomModelDeploymentResponse:
    """CreateCustomModelDeployment: Active at once (the model is served on first use)."""
    project = principal.project
    with db.session() as session:
        if request.clientRequestToken is not None:
            earlier = repository.deployment_by_token(
                session, project=project, token=request.clientRequestToken
            )
            if earlier is not None:
                return CreateCustomModelDeploymentResponse(
                    customModelDeploymentArn=scope.deployment(earlier.id)
                )
        if repository.find_deployment(
            session, project=project, identifier=request.modelDeploymentName
        ):
            raise ConflictError(f"A deployment named {request.modelDeploymentName!r} exists.")
    row, _ = _find_model(db, project, request.modelArn)
    with db.session() as session:
        deployment = repository.add_deployment(
            session,
            project=project,
            name=request.modelDeploymentName,
            job_id=row.job_id,
            description=request.description,
            client_request_token=request.clientRequestToken,
        )
        return CreateCustomModelDeploymentResponse(
            customModelDeploymentArn=scope.deployment(deployment.id)
        )


def _find_deployment(
    db: Database, project: str, identifier: str
) -> tuple[BedrockDeploymentRow, str]:
    kind, name = arns.resource_of(identifier)
    if kind not in (None, arns.DEPLOYMENT):
        raise _not_found("custom model deployment", identifier)
    with db.session() as session:
        row = repository.find_deployment(session, project=project, identifier=name)
        if row is None:
            raise _not_found("custom model deployment", identifier)
        job = repository.find_job(session, project=project, identifier=row.job_id)
        assert job is not None
        return row, _base_of(job)


def get_deployment(
    db: Database, *, principal: Principal, scope: Scope, identifier: str
) -> GetCustomModelDeploymentResponse:
    """GetCustomModelDeployment."""
    row, base = _find_deployment(db, principal.project, identifier)
    return _deployment(scope, row, base)


def list_deployments(
    db: Database, *, principal: Principal, scope: Scope
) -> ListCustomModelDeploymentsResponse:
    """ListCustomModelDeployments, newest first."""
    with db.session() as session:
        rows = repository.list_deployments(session, project=principal.project)
        bases = {}
        for row in rows:
            job = repository.find_job(session, project=principal.project, identifier=row.job_id)
            bases[row.id] = _base_of(job) if job is not None else ""
    return ListCustomModelDeploymentsResponse(
        modelDeploymentSummaries=[
            CustomModelDeploymentSummary(
                customModelDeploymentArn=scope.deployment(row.id),
                customModelDeploymentName=row.name,
                modelArn=scope.custom_model(bases[row.id], row.job_id),
                createdAt=_iso(row.created_at) or datetime.now(UTC),
                status="Active",
                lastUpdatedAt=_iso(row.created_at),
            )
            for row in rows
        ]
    )


def delete_deployment(db: Database, *, principal: Principal, identifier: str) -> None:
    """DeleteCustomModelDeployment."""
    row, _ = _find_deployment(db, principal.project, identifier)
    with db.session() as session:
        repository.delete_deployment(session, project=principal.project, deployment_id=row.id)
