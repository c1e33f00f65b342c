"""Vertex AI's tuning and serving, translated onto Whetstone's one job core and inference path.

A TuningJob is a fine-tuning job: `projects/{p}/locations/{l}/tuningJobs/{job id}` names the
job `{job id}` of the caller's project (the path's project and location are echoed, tenancy
comes from the credential, as with every API here). Its `gs://` datasets are read through the
S3 endpoint of Whetstone's store and stored as files of purpose `fine-tune`, so the job, its
files, events and model are the same ones `/v1/fine_tuning/jobs` shows. A succeeded job's
`tunedModel.endpoint` is `.../endpoints/{job id}`, and a checkpoint's
`.../endpoints/{job id}-step-{step}`; both serve through the chat completions path.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import PurePosixPath
from typing import Any, TypeVar

from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, ValidationError

from service.catalog import Catalog
from service.completions import operations as completions
from service.completions.schemas import ChatCompletion, CreateChatCompletionRequest
from service.core.auth import Principal
from service.core.db import Database
from service.core.errors import InvalidRequestError, ModelNotFoundError, NotFoundError
from service.core.handlers import validation_error
from service.core.wire import JSONObject, JSONValue
from service.files import operations as files
from service.fine_tuning import operations as fine_tuning
from service.fine_tuning.schemas import (
    CreateFineTuningJobRequest,
    FineTuningJob,
    FineTuningJobCheckpoint,
    JobStatus,
)
from service.inference import InferenceService
from service.storage import ArtifactStore
from service.storage.buckets import parse_bucket_uri, read_bucket_object
from service.vertex.schemas import (
    ADAPTER_SIZE_RANKS,
    Candidate,
    Content,
    CreateTuningJobRequest,
    GenerateContentRequest,
    GenerateContentResponse,
    GenerationConfig,
    GoogleRpcStatus,
    JobState,
    ListTuningJobsResponse,
    Part,
    PreferenceOptimizationSpec,
    SupervisedTuningDataStats,
    SupervisedTuningSpec,
    TunedModel,
    TunedModelCheckpoint,
    TuningDataStats,
    TuningJob,
    UsageMetadata,
)

RequestModel = TypeVar("RequestModel", bound=BaseModel)
# Job metadata keys that keep what Vertex AI echoes back. Vertex AI's label keys are lowercase
# letters, digits, `_` and `-`, so a key with a colon never collides with a label.
DISPLAY_NAME_KEY = "vertex:display_name"
DESCRIPTION_KEY = "vertex:description"
TRAINING_URI_KEY = "vertex:training_dataset_uri"
VALIDATION_URI_KEY = "vertex:validation_dataset_uri"
VERTEX_KEYS = (DISPLAY_NAME_KEY, DESCRIPTION_KEY, TRAINING_URI_KEY, VALIDATION_URI_KEY)
CHECKPOINT_SEPARATOR = "-step-"
PUBLISHER_PREFIX = "publishers/google/models/"
MAX_PAGE_SIZE = 100
DEFAULT_PAGE_SIZE = 20
# google.rpc.Code of a failed job: its data was refused, or something else broke.
INVALID_ARGUMENT = 3
INTERNAL = 13

JOB_STATES = {
    JobStatus.VALIDATING_FILES: JobState.JOB_STATE_PENDING,
    JobStatus.QUEUED: JobState.JOB_STATE_QUEUED,
    JobStatus.RUNNING: JobState.JOB_STATE_RUNNING,
    JobStatus.SUCCEEDED: JobState.JOB_STATE_SUCCEEDED,
    JobStatus.FAILED: JobState.JOB_STATE_FAILED,
    JobStatus.CANCELLED: JobState.JOB_STATE_CANCELLED,
    JobStatus.PAUSING: JobState.JOB_STATE_RUNNING,
    JobStatus.PAUSED: JobState.JOB_STATE_PAUSED,
}
FINISH_REASONS = {"stop": "STOP", "length": "MAX_TOKENS", "tool_calls": "STOP"}


def parent_name(project: str, location: str) -> str:
    """`projects/{project}/locations/{location}`, the parent of every resource here."""
    return f"projects/{project}/locations/{location}"


def timestamp(seconds: int) -> str:
    """Unix seconds as Google's JSON Timestamp (RFC 3339, UTC)."""
    return datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


# -- tuning jobs -------------------------------------------------------------------------------


def create_tuning_job(
    db: Database,
    store: ArtifactStore,
    catalog: Catalog,
    *,
    principal: Principal,
    parent: str,
    request: CreateTuningJobRequest,
    faults_enabled: bool,
) -> TuningJob:
    """Read the job's gs:// datasets into files, then create the fine-tuning job; blocking."""
    _refuse_unknown(request.unknown_keys(), "")
    spec, method = _spec_of(request)
    model = _base_model(db, principal, request)
    metadata = _metadata(request, spec)
    hyperparameters = _hyperparameters(spec, method)
    training_file = _import_dataset(db, store, principal, spec.training_dataset_uri, "training")
    validation_file = (
        _import_dataset(db, store, principal, spec.validation_dataset_uri, "validation")
        if spec.validation_dataset_uri
        else None
    )
    job_request = _validated(
        CreateFineTuningJobRequest,
        {
            "model": model,
            "training_file": training_file,
            "validation_file": validation_file,
            "method": {"type": method, method: {"hyperparameters": hyperparameters}},
            "metadata": {key: value for key, value in metadata.items()},
        },
    )
    try:
        job = fine_tuning.create_job(
            db,
            catalog,
            principal=principal,
            request=job_request,
            faults_enabled=faults_enabled,
            # Vertex AI has no reinforcement method, so no grader reaches here.
            python_graders=False,
        )
    except InvalidRequestError as exc:
        raise _in_vertex_words(exc, method) from exc
    return as_tuning_job(parent, job, [])


# Our hyperparameters and the Vertex AI fields they come from.
VERTEX_HYPERPARAMETERS = {
    "n_epochs": "epochCount",
    "learning_rate_multiplier": "learningRateMultiplier",
    "lora_rank": "adapterSize",
    "batch_size": "batchSize",
    "beta": "beta",
}


def _in_vertex_words(error: InvalidRequestError, method: str) -> InvalidRequestError:
    """A refused hyperparameter named as the client sent it (`epochCount`, not `n_epochs`)."""
    ours = (error.param or "").rsplit(".", 1)[-1]
    if ours not in VERTEX_HYPERPARAMETERS:
        return error
    spec = "supervisedTuningSpec" if method == "supervised" else "preferenceOptimizationSpec"
    param = f"{spec}.hyperParameters.{VERTEX_HYPERPARAMETERS[ours]}"
    return InvalidRequestError(f"{error.message} ('{ours}' is {param} here.)", param=param)


def requested_method(request: CreateTuningJobRequest) -> tuple[str, JSONObject]:
    """Our method ("supervised" or "dpo") and its hyperparameters in our names; 400 naming
    the field a request has no match for."""
    _refuse_unknown(request.unknown_keys(), "")
    spec, method = _spec_of(request)
    return method, _hyperparameters(spec, method)


def _spec_of(
    request: CreateTuningJobRequest,
) -> tuple[SupervisedTuningSpec | PreferenceOptimizationSpec, str]:
    supervised, preference = request.supervised_tuning_spec, request.preference_optimization_spec
    if (supervised is None) == (preference is None):
        raise InvalidRequestError(
            "Give exactly one of supervisedTuningSpec or preferenceOptimizationSpec "
            "(distillation, reinforcement and partner tuning are not supported).",
            param="supervisedTuningSpec",
        )
    if supervised is not None:
        _refuse_unknown(supervised.unknown_keys(), "supervisedTuningSpec.")
        return supervised, "supervised"
    assert preference is not None
    _refuse_unknown(preference.unknown_keys(), "preferenceOptimizationSpec.")
    return preference, "dpo"


def _refuse_unknown(keys: list[str], prefix: str) -> None:
    if keys:
        raise InvalidRequestError(
            f"Unsupported field '{prefix}{keys[0]}': Whetstone does not implement it (see "
            "docs/clouds.md for the fields of Vertex AI it reads).",
            param=f"{prefix}{keys[0]}",
        )


def _base_model(db: Database, principal: Principal, request: CreateTuningJobRequest) -> str:
    """Our model name: a catalog name or alias, or the `ft:` name of a pre-tuned model."""
    if request.pre_tuned_model is not None:
        tuned = request.pre_tuned_model
        job_id, step = _resource_id(tuned.tuned_model_name, "models")
        if tuned.checkpoint_id is not None:
            step = tuned.checkpoint_id
        return _served_name(db, principal, job_id, step, tuned.tuned_model_name)
    if not request.base_model:
        raise InvalidRequestError(
            "Missing required parameter: 'baseModel' (or 'preTunedModel').", param="baseModel"
        )
    name = request.base_model
    if PUBLISHER_PREFIX in name:
        name = name.split(PUBLISHER_PREFIX, 1)[1]
    return name


def _hyperparameters(
    spec: SupervisedTuningSpec | PreferenceOptimizationSpec, method: str
) -> JSONObject:
    """The method's hyperparameters in our names; Vertex AI's unset ones stay "auto"."""
    values: JSONObject = {}
    settings = spec.hyper_parameters
    prefix = (
        "supervisedTuningSpec" if method == "supervised" else "preferenceOptimizationSpec"
    ) + ".hyperParameters"
    if settings is None:
        return values
    _refuse_unknown(settings.unknown_keys(), f"{prefix}.")
    if settings.epoch_count is not None:
        values["n_epochs"] = settings.epoch_count
    if settings.learning_rate_multiplier is not None:
        values["learning_rate_multiplier"] = settings.learning_rate_multiplier
    if settings.adapter_size not in (None, "ADAPTER_SIZE_UNSPECIFIED"):
        rank = ADAPTER_SIZE_RANKS.get(str(settings.adapter_size))
        if rank is None:
            raise InvalidRequestError(
                f"Invalid value for '{prefix}.adapterSize': {settings.adapter_size!r}; expected "
                f"one of {', '.join(ADAPTER_SIZE_RANKS)}.",
                param=f"{prefix}.adapterSize",
            )
        values["lora_rank"] = rank
    if isinstance(spec, SupervisedTuningSpec):
        supervised = spec.hyper_parameters
        assert supervised is not None
        if supervised.learning_rate is not None:
            raise InvalidRequestError(
                f"'{prefix}.learningRate' is not supported: give learningRateMultiplier, which "
                "scales the base model's rate.",
                param=f"{prefix}.learningRate",
            )
        if supervised.batch_size is not None:
            values["batch_size"] = supervised.batch_size
    else:
        preference = spec.hyper_parameters
        assert preference is not None
        if preference.beta is not None:
            values["beta"] = preference.beta
    return values


def _metadata(
    request: CreateTuningJobRequest, spec: SupervisedTuningSpec | PreferenceOptimizationSpec
) -> dict[str, str]:
    metadata = dict(request.labels or {})
    echoed = {
        DISPLAY_NAME_KEY: request.tuned_model_display_name,
        DESCRIPTION_KEY: request.description,
        TRAINING_URI_KEY: spec.training_dataset_uri,
        VALIDATION_URI_KEY: spec.validation_dataset_uri,
    }
    kept = {key: value for key, value in echoed.items() if value}
    room = fine_tuning.MAX_METADATA_KEYS - len(kept)
    if len(metadata) > room:
        raise InvalidRequestError(
            f"Invalid 'labels': at most {room} labels fit beside what this job echoes back "
            f"(a job's metadata holds {fine_tuning.MAX_METADATA_KEYS} keys); got {len(metadata)}.",
            param="labels",
        )
    metadata.update(kept)
    return metadata


def _import_dataset(
    db: Database, store: ArtifactStore, principal: Principal, uri: str | None, kind: str
) -> str:
    """Copy a gs:// dataset into a file of the caller's project; its id."""
    assert uri is not None
    obj = parse_bucket_uri(uri, schemes=("gs",))
    data = read_bucket_object(store, obj)
    row = files.store_file(
        db,
        store,
        project=principal.project,
        filename=PurePosixPath(obj.key).name or f"{kind}.jsonl",
        purpose=fine_tuning.FINE_TUNE_PURPOSE,
        chunks=[data],
    )
    return row.id


def get_tuning_job(db: Database, *, principal: Principal, parent: str, job_id: str) -> TuningJob:
    """The caller's job as a TuningJob; 404 when absent or another project's."""
    job = fine_tuning.get_job(db, project=principal.project, job_id=job_id)
    return as_tuning_job(parent, job, _checkpoints(db, principal, job))


def list_tuning_jobs(
    db: Database,
    *,
    principal: Principal,
    parent: str,
    page_size: int | None,
    page_token: str | None,
    filter_: str | None,
) -> ListTuningJobsResponse:
    """A page of the caller's jobs, newest first; `filter` takes `labels.KEY=VALUE` terms
    joined by AND."""
    size = page_size if page_size else DEFAULT_PAGE_SIZE
    if not 1 <= size <= MAX_PAGE_SIZE:
        raise InvalidRequestError(
            f"Invalid value for 'pageSize': {size}; expected 1 to {MAX_PAGE_SIZE}.",
            param="pageSize",
        )
    page = fine_tuning.list_jobs(
        db,
        project=principal.project,
        limit=size,
        after=page_token or None,
        metadata=parse_filter(filter_),
        metadata_is_null=False,
    )
    jobs = [as_tuning_job(parent, job, []) for job in page.data]
    token = page.data[-1].id if page.has_more and page.data else None
    return ListTuningJobsResponse(tuning_jobs=jobs, next_page_token=token)


def parse_filter(filter_: str | None) -> dict[str, str]:
    """`labels.team="ml" AND labels.run=3` as the label pairs it asks for; 400 on anything
    else, rather than a page that ignores what the caller asked."""
    pairs: dict[str, str] = {}
    if not filter_ or not filter_.strip():
        return pairs
    for term in filter_.replace(" and ", " AND ").split(" AND "):
        name, equals, value = term.strip().partition("=")
        key = name.strip().removeprefix("labels.")
        if not equals or not name.strip().startswith("labels.") or not key:
            raise InvalidRequestError(
                f"Invalid filter {filter_!r}: Whetstone filters tuning jobs on labels only, "
                'as labels.KEY="VALUE" terms joined by AND.',
                param="filter",
            )
        pairs[key] = value.strip().strip('"')
    return pairs


def cancel_tuning_job(db: Database, *, principal: Principal, job_id: str) -> None:
    """Cancel the job; a running one stops within one optimizer step."""
    fine_tuning.cancel_job(db, project=principal.project, job_id=job_id)


def _checkpoints(
    db: Database, principal: Principal, job: FineTuningJob
) -> list[FineTuningJobCheckpoint]:
    if job.status != JobStatus.SUCCEEDED:
        return []
    page = fine_tuning.list_checkpoints(
        db, project=principal.project, job_id=job.id, limit=100, after=None
    )
    return sorted(page.data, key=lambda checkpoint: checkpoint.step_number)


def as_tuning_job(
    parent: str, job: FineTuningJob, checkpoints: list[FineTuningJobCheckpoint]
) -> TuningJob:
    """The TuningJob view of a fine-tuning job."""
    metadata = job.metadata or {}
    labels = {key: value for key, value in metadata.items() if key not in VERTEX_KEYS}
    hyper: dict[str, Any] = {}
    hyperparameters = job.hyperparameters
    if isinstance(hyperparameters.n_epochs, int):
        hyper["epochCount"] = str(hyperparameters.n_epochs)
    if isinstance(hyperparameters.learning_rate_multiplier, int | float):
        hyper["learningRateMultiplier"] = hyperparameters.learning_rate_multiplier
    uris = {
        "trainingDatasetUri": metadata.get(TRAINING_URI_KEY, job.training_file),
        "validationDatasetUri": metadata.get(VALIDATION_URI_KEY, job.validation_file),
    }
    supervised = preference = None
    method = job.method.type if job.method is not None else "supervised"
    if method == "supervised":
        supervised = SupervisedTuningSpec.model_validate({**uris, "hyperParameters": hyper})
    elif method == "dpo":
        preference = PreferenceOptimizationSpec.model_validate({**uris, "hyperParameters": hyper})
    tuned_model = None
    if job.status == JobStatus.SUCCEEDED and job.fine_tuned_model:
        tuned_model = TunedModel(
            model=f"{parent}/models/{job.id}",
            endpoint=f"{parent}/endpoints/{job.id}",
            checkpoints=[
                TunedModelCheckpoint(
                    checkpoint_id=str(checkpoint.step_number),
                    step=str(checkpoint.step_number),
                    endpoint=f"{parent}/endpoints/{job.id}{CHECKPOINT_SEPARATOR}"
                    f"{checkpoint.step_number}",
                )
                for checkpoint in checkpoints
            ],
        )
    error = None
    if job.error is not None:
        code = INVALID_ARGUMENT if job.error.code.startswith("invalid") else INTERNAL
        error = GoogleRpcStatus(code=code, message=job.error.message)
    stats = None
    if job.trained_tokens is not None:
        stats = TuningDataStats(
            supervised_tuning_data_stats=SupervisedTuningDataStats(
                total_billable_token_count=str(job.trained_tokens),
                tuning_step_count=str(checkpoints[-1].step_number) if checkpoints else None,
            )
        )
    return TuningJob(
        name=f"{parent}/tuningJobs/{job.id}",
        tuned_model_display_name=metadata.get(DISPLAY_NAME_KEY),
        description=metadata.get(DESCRIPTION_KEY),
        base_model=job.model,
        state=JOB_STATES[JobStatus(job.status)],
        create_time=timestamp(job.created_at),
        end_time=timestamp(job.finished_at) if job.finished_at else None,
        update_time=timestamp(job.finished_at or job.created_at),
        error=error,
        supervised_tuning_spec=supervised,
        preference_optimization_spec=preference,
        tuned_model=tuned_model,
        tuning_data_stats=stats,
        labels=labels or None,
    )


# -- serving -----------------------------------------------------------------------------------


def _resource_id(name: str, collection: str) -> tuple[str, str | None]:
    """`{job id}` and the checkpoint step of `.../{collection}/{job id}[-step-{step}]`."""
    marker = f"/{collection}/"
    resource = name.rsplit(marker, 1)[1] if marker in name else name
    # A Vertex AI model version (`{id}@1`) names the same model.
    resource = resource.split("@", 1)[0]
    job_id, separator, step = resource.partition(CHECKPOINT_SEPARATOR)
    return job_id, step if separator else None


def _served_name(
    db: Database, principal: Principal, job_id: str, step: str | None, shown: str
) -> str:
    """The `ft:` name a job's endpoint (or a checkpoint's) serves; 404 in Vertex AI's words
    while the job has not succeeded."""
    try:
        job = fine_tuning.get_job(db, project=principal.project, job_id=job_id)
    except NotFoundError as exc:
        raise ModelNotFoundError(f"{shown} is not found.") from exc
    if job.status != JobStatus.SUCCEEDED or job.fine_tuned_model is None:
        raise ModelNotFoundError(
            f"{shown} is not deployed: its tuning job is {JOB_STATES[JobStatus(job.status)]}."
        )
    if step is None:
        return job.fine_tuned_model
    return f"{job.fine_tuned_model}{fine_tuning.CHECKPOINT_MARKER}{step}"


def served_model(db: Database, principal: Principal, collection: str, resource: str) -> str:
    """Our model name for an `endpoints/{id}`, `models/{id}` or publisher model path."""
    if collection == "publishers":
        return resource
    job_id, step = _resource_id(resource, collection)
    return _served_name(db, principal, job_id, step, f"{collection}/{resource}")


def chat_request(
    model: str, request: GenerateContentRequest, *, stream: bool
) -> CreateChatCompletionRequest:
    """The chat completion a GenerateContentRequest asks for; 400 naming what has no match."""
    _refuse_unknown(request.unknown_keys(), "")
    messages: list[JSONValue] = []
    if request.system_instruction is not None:
        messages.append(
            {"role": "system", "content": _text(request.system_instruction, "systemInstruction")}
        )
    for index, content in enumerate(request.contents):
        role = content.role or "user"
        if role not in ("user", "model"):
            raise InvalidRequestError(
                f"Invalid value for 'contents[{index}].role': {role!r}; expected user or model.",
                param=f"contents[{index}].role",
            )
        messages.append(
            {
                "role": "assistant" if role == "model" else "user",
                "content": _text(content, f"contents[{index}]"),
            }
        )
    body: JSONObject = {"model": model, "messages": messages}
    config = request.generation_config or GenerationConfig()
    _refuse_unknown(config.unknown_keys(), "generationConfig.")
    if config.top_k is not None:
        raise InvalidRequestError(
            "'generationConfig.topK' is not supported: sampling here is by temperature and topP.",
            param="generationConfig.topK",
        )
    if config.response_mime_type not in (None, "text/plain"):
        raise InvalidRequestError(
            f"'generationConfig.responseMimeType' {config.response_mime_type!r} is not "
            "supported: only text/plain.",
            param="generationConfig.responseMimeType",
        )
    for ours, value in (
        ("temperature", config.temperature),
        ("top_p", config.top_p),
        ("n", config.candidate_count),
        ("max_tokens", config.max_output_tokens),
        ("seed", config.seed),
        ("presence_penalty", config.presence_penalty),
        ("frequency_penalty", config.frequency_penalty),
    ):
        if value is not None:
            body[ours] = value
    if config.stop_sequences is not None:
        stop: list[JSONValue] = [*config.stop_sequences]
        body["stop"] = stop
    if stream:
        body |= {"stream": True, "stream_options": {"include_usage": True}}
    return _validated(CreateChatCompletionRequest, body)


def _validated(model: type[RequestModel], body: JSONObject) -> RequestModel:
    """`body` as our request `model`; a value out of our range is the 400 our API gives."""
    try:
        return model.model_validate(body)
    except ValidationError as exc:
        raise validation_error(RequestValidationError(exc.errors())) from exc


def _text(content: Content, where: str) -> str:
    texts = []
    for index, part in enumerate(content.parts):
        other = part.unknown_keys()
        if other or part.text is None:
            kind = other[0] if other else "an empty part"
            raise InvalidRequestError(
                f"Unsupported part '{where}.parts[{index}]': only text parts are served here, "
                f"not {kind}.",
                param=f"{where}.parts[{index}]",
            )
        texts.append(part.text)
    return "".join(texts)


def _candidate(text: str, finish: str | None, index: int) -> Candidate:
    return Candidate(
        content=Content(role="model", parts=[Part(text=text)]),
        finish_reason=FINISH_REASONS.get(finish, "OTHER") if finish else None,
        index=index,
    )


async def generate_content(
    db: Database,
    catalog: Catalog,
    inference: InferenceService,
    principal: Principal,
    *,
    model: str,
    request: GenerateContentRequest,
) -> GenerateContentResponse:
    """The whole reply, generated by the chat completions path."""
    chat = chat_request(model, request, stream=False)
    prepared = await completions.prepare_chat(db, catalog, inference, principal, chat)
    answer: ChatCompletion = await completions.create_chat_completion(inference, prepared, chat)
    return GenerateContentResponse(
        candidates=[
            _candidate(choice.message.content or "", choice.finish_reason, choice.index)
            for choice in answer.choices
        ],
        usage_metadata=_usage(answer.usage.model_dump() if answer.usage else None),
        model_version=model,
        response_id=answer.id,
        create_time=timestamp(answer.created),
    )


def _usage(usage: JSONObject | None) -> UsageMetadata | None:
    if not usage:
        return None
    prompt, completion = usage.get("prompt_tokens"), usage.get("completion_tokens")
    assert isinstance(prompt, int) and isinstance(completion, int)
    return UsageMetadata(
        prompt_token_count=prompt,
        candidates_token_count=completion,
        total_token_count=prompt + completion,
    )


async def stream_generate_content(
    db: Database,
    catalog: Catalog,
    inference: InferenceService,
    principal: Principal,
    *,
    model: str,
    request: GenerateContentRequest,
) -> AsyncIterator[JSONObject]:
    """The reply as GenerateContentResponse chunks; failures to start are still HTTP errors.
    The last chunk carries the finishReason and the usageMetadata, as Vertex AI's does."""
    chat = chat_request(model, request, stream=True)
    prepared = await completions.prepare_chat(db, catalog, inference, principal, chat)
    chunks = await completions.stream_chat_completion(inference, prepared, chat)

    def response(candidates: list[Candidate], chunk: JSONObject) -> GenerateContentResponse:
        created = chunk.get("created")
        return GenerateContentResponse(
            candidates=candidates,
            model_version=model,
            response_id=str(chunk.get("id", "")),
            create_time=timestamp(created if isinstance(created, int) else 0),
        )

    def dump(answer: GenerateContentResponse) -> JSONObject:
        return answer.model_dump(mode="json", by_alias=True, exclude_none=True)

    async def translated() -> AsyncIterator[JSONObject]:
        pending: GenerateContentResponse | None = None
        async for chunk in chunks:
            usage = chunk.get("usage")
            if isinstance(usage, dict):
                last = pending or response([], chunk)
                last.usage_metadata = _usage(usage)
                pending = None
                yield dump(last)
                continue
            choices = chunk.get("choices")
            for choice in choices if isinstance(choices, list) else []:
                assert isinstance(choice, dict)
                delta = choice.get("delta")
                text = delta.get("content") if isinstance(delta, dict) else None
                finish = choice.get("finish_reason")
                index = choice.get("index")
                assert isinstance(index, int)
                if not text and not finish:
                    continue
                if pending is not None:
                    yield dump(pending)
                    pending = None
                answer = response(
                    [
                        _candidate(
                            text if isinstance(text, str) else "",
                            finish if isinstance(finish, str) else None,
                            index,
                        )
                    ],
                    chunk,
                )
                if finish:
                    # Held back: the usage chunk that follows joins it, as Vertex AI's last does.
                    pending = answer
                else:
                    yield dump(answer)
        if pending is not None:
            yield dump(pending)

    return translated()
