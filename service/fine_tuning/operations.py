"""Fine-tuning jobs as the API sees them: create-time checks, reads, and the wire objects.

Status changes (create, cancel, pause, resume and the scheduler's) are the state machine's, in
service/fine_tuning/transitions.py. The `ft:` names of models and checkpoints are made and
recognised here alone.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, replace
from typing import Any

from pydantic import BaseModel
from sqlalchemy.orm import Session

from service.catalog import Catalog
from service.chaos import operations as chaos
from service.core.auth import Principal
from service.core.db import Database
from service.core.errors import InvalidRequestError, ModelNotFoundError, NotFoundError
from service.core.tables import JobCheckpointRow, JobEventRow, JobRow, stored_method
from service.datasets.formats import DATA_FORMAT_KEY
from service.files import operations as files
from service.fine_tuning import repository, transitions
from service.fine_tuning.permissions import operations as permissions
from service.fine_tuning.schemas import (
    CreateFineTuningJobRequest,
    FineTuneDPOHyperparameters,
    FineTuneMethod,
    FineTuneReinforcementHyperparameters,
    FineTuneSupervisedHyperparameters,
    FineTuningIntegration,
    FineTuningJob,
    FineTuningJobCheckpoint,
    FineTuningJobCheckpointMetrics,
    FineTuningJobError,
    FineTuningJobEvent,
    FineTuningJobHyperparameters,
    JobStatus,
    ListFineTuningJobCheckpointsResponse,
    ListFineTuningJobEventsResponse,
    ListPaginatedFineTuningJobsResponse,
)
from service.graders import grading
from service.training.hyperparameters import (
    FULL_TRAINING,
    TRAINING_TYPE_KEY,
    check_devices,
    is_full_training,
    validate_hyperparameters,
)

MAX_METADATA_KEYS = 16
MAX_METADATA_KEY_CHARS = 64
MAX_METADATA_VALUE_CHARS = 512
FINE_TUNE_PURPOSE = "fine-tune"
FINE_TUNED_PREFIX = "ft:"
CHECKPOINT_MARKER = ":ckpt-step-"
# The metadata key of a job whose model was imported (a Tinker checkpoint, a PEFT adapter).
IMPORTED_FROM_KEY = "whetstone_imported_from"


def fine_tuned_model_name(job: JobRow) -> str:
    """`ft:{base}:{organization}:{suffix}:{8 chars}`, OpenAI's format (the suffix may be empty);
    a job continuing a fine-tuned model is named after the base at the root, as OpenAI does."""
    base, suffix = job.catalog_model, job.suffix or ""
    return f"{FINE_TUNED_PREFIX}{base}:{job.organization}:{suffix}:{job.model_token}"


def checkpoint_model_name(job: JobRow, step: int) -> str:
    """The name of the checkpoint at `step`: the final name plus `:ckpt-step-{step}`."""
    return f"{fine_tuned_model_name(job)}{CHECKPOINT_MARKER}{step}"


def is_fine_tuned_name(name: str) -> bool:
    """Whether `name` is an `ft:` model or checkpoint name (not a base model or alias)."""
    return name.startswith(FINE_TUNED_PREFIX)


# -- create ------------------------------------------------------------------------------------


def create_job(
    db: Database,
    catalog: Catalog,
    *,
    principal: Principal,
    request: CreateFineTuningJobRequest,
    faults_enabled: bool = False,
    python_graders: bool = True,
    data_format: str | None = None,
) -> FineTuningJob:
    """Check the request and store the job in `validating_files` with its first event, in one
    transaction: once this returns, the job cannot be lost. `faults_enabled` admits the
    `whetstone_fault*` metadata keys (service/chaos); `python_graders` admits python graders
    in reinforcement jobs; `data_format` names a cloud's line format (a front door's job),
    translated to OpenAI's lines when the files are read."""
    method = _method_of(db, catalog, principal, request, python_graders=python_graders)
    if data_format is not None:
        method[method["type"]][DATA_FORMAT_KEY] = data_format
    _check_metadata(request.metadata)
    chaos.check_new_job(request.metadata, enabled=faults_enabled)
    start = _starting_point(db, catalog, project=principal.project, name=request.model)
    if start is not None:
        _continue_lora(method, start)
    else:
        _check_quantized_base(catalog, request.model, method)
    _check_servable_rank(catalog, start.base_model if start is not None else request.model, method)
    kind = method["type"]
    check_devices(
        method[kind]["hyperparameters"],
        catalog.resolve(start.base_model if start is not None else request.model),
        method=kind,
        param=f"method.{kind}.hyperparameters",
    )
    integrations = (
        [integration.model_dump(mode="json") for integration in request.integrations]
        if request.integrations
        else None
    )
    with db.session() as session:
        _fine_tune_file(session, principal.project, request.training_file, "training_file")
        if request.validation_file is not None:
            _fine_tune_file(session, principal.project, request.validation_file, "validation_file")
        _check_reference_file(session, principal.project, method)
        job = transitions.create(
            session,
            project=principal.project,
            organization=principal.organization,
            model=request.model,
            training_file=request.training_file,
            validation_file=request.validation_file,
            suffix=request.suffix,
            seed=request.seed if request.seed is not None else secrets.randbelow(2**31),
            method=method,
            metadata=request.metadata,
            integrations=integrations,
            base_model=start.base_model if start is not None else None,
            initial_adapter_key=start.adapter_key if start is not None else None,
        )
        for integration in request.integrations or []:
            repository.add_event(
                session,
                job_id=job.id,
                project=job.project,
                message=f"W&B integration stored for project '{integration.wandb.project}', "
                "but no W&B run can be made: Whetstone trains offline. Metrics are in this job's "
                "events and results file.",
                level="warn",
            )
    return as_job(job)


# The LoRA a continued job keeps: its shape is the starting adapter's, whatever a client asks.
CONTINUED_LORA_KEYS = ("lora_rank", "lora_alpha", "lora_target_modules")


def _starting_point(
    db: Database, catalog: Catalog, *, project: str, name: str
) -> TrainedModel | None:
    """None for a catalog model; the `ft:` model or checkpoint a job continues; else a 400."""
    unavailable = InvalidRequestError(
        f"Model {name} is not available for fine-tuning or does not exist.",
        param="model",
        code="model_not_available",
    )
    if not is_fine_tuned_name(name):
        try:
            entry = catalog.resolve(name)
        except ModelNotFoundError as exc:
            raise unavailable from exc
        reason = catalog.unservable_reason(entry)
        if reason is not None:
            raise InvalidRequestError(
                f"Model {name} cannot be fine-tuned here: {reason}.",
                param="model",
                code="model_not_available",
            )
        return None
    start = find_trained_model(db, project=project, name=name)
    if start is None:
        raise unavailable
    try:
        catalog.resolve(start.base_model)
    except ModelNotFoundError as exc:
        raise unavailable from exc
    return start


def _check_servable_rank(catalog: Catalog, base: str, method: dict[str, Any]) -> None:
    """Refuse a LoRA job whose adapter the base model's vLLM engine could not load (a rank
    above its `max_lora_rank`): known now, rather than as a 500 at the first completion."""
    entry = catalog.resolve(base)
    requested = method[method["type"]]["hyperparameters"]
    if is_full_training(requested):
        return
    asked = requested.get("lora_rank")
    rank = entry.lora.rank if asked in (None, "auto") else asked
    reason = entry.unservable_lora_rank(rank) if isinstance(rank, int) else None
    if reason is not None:
        raise InvalidRequestError(
            f"{reason}.",
            param=f"method.{method['type']}.hyperparameters.lora_rank",
            code="invalid_value",
        )


def _check_quantized_base(catalog: Catalog, name: str, method: dict[str, Any]) -> None:
    """400 for full training of a base the models file quantizes: a 4-bit base trains LoRA
    adapters only (QLoRA)."""
    entry = catalog.resolve(name)
    requested = method[method["type"]]["hyperparameters"]
    if entry.quantization is not None and is_full_training(requested):
        raise InvalidRequestError(
            f"Model {name} is loaded in {entry.quantization} (4-bit) for training, which trains "
            'LoRA adapters only (QLoRA); omit training_type or give "lora".',
            param=f"method.{method['type']}.hyperparameters.{TRAINING_TYPE_KEY}",
            code="invalid_value",
        )


def _continue_lora(method: dict[str, Any], start: TrainedModel) -> None:
    """Give a continued job the starting adapter's LoRA shape; 400 when it asks for another.

    A fully fine-tuned start is continued by full training (its weights are the job's starting
    weights, there is no adapter to extend), a LoRA start by LoRA."""
    requested = method[method["type"]]["hyperparameters"]
    param = f"method.{method['type']}.hyperparameters.{TRAINING_TYPE_KEY}"
    if start.full:
        if requested.get(TRAINING_TYPE_KEY) not in (None, FULL_TRAINING):
            raise InvalidRequestError(
                f"{start.name} is a fully fine-tuned model; a job continuing it trains with "
                f'training_type "full" (omit training_type or give "full").',
                param=param,
                code="invalid_value",
            )
        if method["type"] == "reinforcement":
            raise InvalidRequestError(
                f"{start.name} is a fully fine-tuned model; reinforcement jobs train a LoRA "
                "adapter only, so they start from a base model or a LoRA one.",
                param="model",
                code="model_not_available",
            )
        requested[TRAINING_TYPE_KEY] = FULL_TRAINING
        # Checked again as a full job: a LoRA key it was sent would be ignored.
        validate_hyperparameters(
            requested, param_prefix=param.rsplit(".", 1)[0], method=method["type"]
        )
        return
    if is_full_training(requested):
        raise InvalidRequestError(
            f'{start.name} is a LoRA adapter; training_type "full" starts from a base model or '
            "a fully fine-tuned one.",
            param=param,
            code="invalid_value",
        )
    for key in CONTINUED_LORA_KEYS:
        inherited = start.hyperparameters.get(key)
        asked = requested.get(key)
        if asked not in (None, "auto") and inherited is not None and asked != inherited:
            raise InvalidRequestError(
                f"{start.name} is a LoRA with {key}={inherited!r}; a job continuing it keeps "
                f"that value (omit {key} or give {inherited!r}).",
                param=f"method.{method['type']}.hyperparameters.{key}",
                code="invalid_value",
            )
        if inherited is not None:
            requested[key] = inherited


def _method_of(
    db: Database,
    catalog: Catalog,
    principal: Principal,
    request: CreateFineTuningJobRequest,
    *,
    python_graders: bool,
) -> dict[str, Any]:
    """The stored `method` with the requested hyperparameters ("auto" for unset), as
    `{"type": kind, kind: {"hyperparameters": {...}}}`, and a reinforcement job's checked
    grader beside them.

    The deprecated top-level `hyperparameters` fill in for `method` when it is absent.
    """
    method = request.method
    kind = method.type if method is not None else "supervised"
    configuration_extras: dict[str, Any] = {}
    if kind == "reinforcement":
        assert method is not None
        configuration_extras["grader"] = _reinforcement_grader(
            db, catalog, principal.project, method, python_graders
        )
    prefix = f"method.{kind}.hyperparameters"
    configuration = getattr(method, kind) if method is not None else None
    from_method = configuration.hyperparameters if configuration is not None else None
    legacy = request.hyperparameters
    if from_method is not None and legacy is not None:
        legacy_values = legacy.model_dump()
        method_values = from_method.model_dump(include=set(legacy_values))
        if legacy_values != method_values:
            raise InvalidRequestError(
                f"Give hyperparameters in '{prefix}' or in the deprecated 'hyperparameters', "
                "not both.",
                param="hyperparameters",
                code="invalid_value",
            )
    if from_method is not None:
        requested = from_method.model_dump(exclude_none=True)
        validate_hyperparameters(requested, param_prefix=prefix, method=kind)
    elif legacy is not None:
        requested = legacy.model_dump()
        validate_hyperparameters(requested, param_prefix="hyperparameters")
        requested = {**_DEFAULT_HYPERPARAMETERS[kind]().model_dump(exclude_none=True), **requested}
    else:
        requested = _DEFAULT_HYPERPARAMETERS[kind]().model_dump(exclude_none=True)
    return stored_method(kind, requested, **configuration_extras)


_DEFAULT_HYPERPARAMETERS: dict[str, type[BaseModel]] = {
    "supervised": FineTuneSupervisedHyperparameters,
    "dpo": FineTuneDPOHyperparameters,
    "reinforcement": FineTuneReinforcementHyperparameters,
}


def _reinforcement_grader(
    db: Database, catalog: Catalog, project: str, method: FineTuneMethod, python_graders: bool
) -> dict[str, Any]:
    """The grader of a reinforcement job, checked as the graders API checks one; 400 naming
    the field when it is missing, cannot run here, or names a model the project cannot use."""
    param = "method.reinforcement.grader"
    if method.reinforcement is None:
        raise InvalidRequestError(
            "A reinforcement job needs 'method.reinforcement.grader'.",
            param=param,
            code="missing_required_parameter",
        )
    grader = method.reinforcement.grader
    grading.check_grader(grader, param=param, python_enabled=python_graders)
    for where, name in grading.model_references(grader, param):
        usable = (
            find_trained_model(db, project=project, name=name) is not None
            if is_fine_tuned_name(name)
            else name in catalog.names()
        )
        if not usable:
            raise InvalidRequestError(
                f"The model '{name}' does not exist or you do not have access to it.",
                param=where,
                code="model_not_found",
            )
    return grader.model_dump(mode="json", exclude_none=True)


def _check_metadata(metadata: dict[str, str] | None) -> None:
    if metadata is None:
        return
    if len(metadata) > MAX_METADATA_KEYS:
        raise InvalidRequestError(
            f"Invalid 'metadata': at most {MAX_METADATA_KEYS} keys are allowed, "
            f"got {len(metadata)}.",
            param="metadata",
            code="invalid_value",
        )
    for key, value in metadata.items():
        if len(key) > MAX_METADATA_KEY_CHARS:
            raise InvalidRequestError(
                f"Invalid 'metadata': key '{key[:16]}...' is longer than "
                f"{MAX_METADATA_KEY_CHARS} characters.",
                param="metadata",
                code="invalid_value",
            )
        if len(value) > MAX_METADATA_VALUE_CHARS:
            raise InvalidRequestError(
                f"Invalid 'metadata': the value of '{key}' is longer than "
                f"{MAX_METADATA_VALUE_CHARS} characters.",
                param="metadata",
                code="invalid_value",
            )


def _fine_tune_file(session: Session, project: str, file_id: str, param: str) -> None:
    try:
        purpose = files.purpose_of(session, project=project, file_id=file_id)
    except NotFoundError as exc:
        raise InvalidRequestError(
            f"File {file_id} does not exist.", param=param, code=f"invalid_{param}"
        ) from exc
    if purpose != FINE_TUNE_PURPOSE:
        raise InvalidRequestError(
            f"File {file_id} has purpose '{purpose}'; fine-tuning needs purpose "
            f"'{FINE_TUNE_PURPOSE}'.",
            param=param,
            code=f"invalid_{param}",
        )


def _check_reference_file(session: Session, project: str, method: dict[str, Any]) -> None:
    """A job's own forgetting-check reference set must be one of its project's files."""
    kind = method["type"]
    file_id = method[kind].get("hyperparameters", {}).get("reference_file")
    if file_id is None:
        return
    try:
        files.purpose_of(session, project=project, file_id=file_id)
    except NotFoundError as exc:
        raise InvalidRequestError(
            f"File {file_id} does not exist.",
            param=f"method.{kind}.hyperparameters.reference_file",
            code="invalid_reference_file",
        ) from exc


# -- read --------------------------------------------------------------------------------------


def get_job(db: Database, *, project: str, job_id: str) -> FineTuningJob:
    """The caller's job; 404 when absent or another project's."""
    with db.session() as session:
        return as_job(repository.get_job(session, project=project, job_id=job_id))


def list_jobs(
    db: Database,
    *,
    project: str,
    limit: int,
    after: str | None,
    metadata: dict[str, str] | None,
    metadata_is_null: bool,
) -> ListPaginatedFineTuningJobsResponse:
    """A page of the caller's jobs, newest first."""
    with db.session() as session:
        rows, has_more = repository.list_jobs(
            session,
            project=project,
            limit=limit,
            after=after,
            metadata=metadata,
            metadata_is_null=metadata_is_null,
        )
    return ListPaginatedFineTuningJobsResponse.page([as_job(r) for r in rows], has_more=has_more)


def list_events(
    db: Database, *, project: str, job_id: str, limit: int, after: str | None
) -> ListFineTuningJobEventsResponse:
    """A page of the job's events, newest first."""
    with db.session() as session:
        rows, has_more = repository.list_events(
            session, project=project, job_id=job_id, limit=limit, after=after
        )
    return ListFineTuningJobEventsResponse.page([as_event(r) for r in rows], has_more=has_more)


def list_checkpoints(
    db: Database, *, project: str, job_id: str, limit: int, after: str | None
) -> ListFineTuningJobCheckpointsResponse:
    """A page of the job's checkpoints still in storage, newest first."""
    with db.session() as session:
        rows, has_more = repository.list_checkpoints(
            session, project=project, job_id=job_id, limit=limit, after=after
        )
    return ListFineTuningJobCheckpointsResponse.page(
        [as_checkpoint(r) for r in rows], has_more=has_more
    )


def measured_throughput(db: Database, *, last: int = 5) -> float | None:
    """Trained tokens per second of this server's latest `last` succeeded jobs (any project,
    any model), from the first start to the finish; None when none has succeeded yet."""
    with db.session() as session:
        runs = repository.recent_training_runs(
            session, started_message=transitions.STARTED_MESSAGE, limit=last
        )
    tokens = sum(run.trained_tokens for run in runs)
    # Whole seconds at least: a job of the emulator can start and finish within one.
    seconds = sum(max(1, run.finished_at - run.started_at) for run in runs)
    return tokens / seconds if runs and tokens else None


# -- cancel, pause, resume ---------------------------------------------------------------------


def cancel_job(db: Database, *, project: str, job_id: str) -> FineTuningJob:
    """Cancel an unfinished job; a running one stops within one optimizer step."""
    return as_job(transitions.cancel(db, project=project, job_id=job_id))


def pause_job(db: Database, *, project: str, job_id: str) -> FineTuningJob:
    """Pause a queued or running job; a running one saves a checkpoint before it stops."""
    return as_job(transitions.pause(db, project=project, job_id=job_id))


def resume_job(db: Database, *, project: str, job_id: str) -> FineTuningJob:
    """Re-queue a paused job; it continues from its latest checkpoint."""
    return as_job(transitions.resume(db, project=project, job_id=job_id))


# -- fine-tuned models -------------------------------------------------------------------------


@dataclass(frozen=True)
class TrainedModel:
    """One of a project's servable fine-tuned models or checkpoints."""

    name: str
    # The catalog model at the root of its lineage.
    base_model: str
    # The storage prefix of what serves it: a PEFT adapter, or with `full` a whole model
    # (config, safetensors shards, tokenizer) that is served as a base model of its own.
    adapter_key: str
    created: int
    owned_by: str
    # A whole model may be deleted; a checkpoint goes with its model.
    is_checkpoint: bool
    # The resolved hyperparameters of the job that trained it (its LoRA shape among them).
    hyperparameters: dict[str, Any]
    # The owner's project when another project granted this model to the caller.
    shared_by: str | None = None
    # Trained with training_type "full": `adapter_key` holds a whole model.
    full: bool = False


def import_adapter_model(
    db: Database,
    catalog: Catalog,
    *,
    principal: Principal,
    base_model: str,
    adapter_key: str,
    suffix: str | None,
    source: str,
) -> FineTuningJob:
    """An `ft:` model for a LoRA adapter trained elsewhere (already in storage under
    `adapter_key`): a succeeded supervised job with no training file, its metadata naming the
    source, served, listed and deleted like any job's model."""
    entry = catalog.resolve(base_model)
    if suffix is not None and not (1 <= len(suffix) <= 64 and ":" not in suffix):
        raise InvalidRequestError("suffix must be 1 to 64 characters, without ':'.", param="suffix")
    job = transitions.imported(
        db,
        name_of=fine_tuned_model_name,
        adapter_key=adapter_key,
        source=source,
        project=principal.project,
        organization=principal.organization,
        model=entry.name,
        training_file="",
        validation_file=None,
        suffix=suffix,
        seed=0,
        method={"type": "supervised", "supervised": {"hyperparameters": {}}},
        metadata={IMPORTED_FROM_KEY: source[:MAX_METADATA_VALUE_CHARS]},
        integrations=None,
    )
    return as_job(job)


def find_trained_model(db: Database, *, project: str, name: str) -> TrainedModel | None:
    """The servable model or checkpoint named `name` that `project` may use: its own, or one
    another project granted it. Grants are read on every call, so a revoke holds at once in
    every replica."""
    with db.session() as session:
        own = _find_servable(session, project=project, name=name)
        if own is not None:
            return own
        owner = permissions.granting_project(session, grantee=project, name=name)
        if owner is not None:
            shared = _find_servable(session, project=owner, name=name)
            if shared is not None:
                return replace(shared, shared_by=owner)
    return None


def _find_servable(session: Session, *, project: str, name: str) -> TrainedModel | None:
    """The project's own servable model or checkpoint named `name`, if any."""
    job = repository.find_fine_tuned_model(session, project=project, name=name)
    if job is not None and job.adapter_key:
        return _trained(job)
    if CHECKPOINT_MARKER in name:
        found = repository.find_checkpoint_model(session, project=project, name=name)
        if found is not None:
            checkpoint, job = found
            return TrainedModel(
                name=name,
                base_model=job.catalog_model,
                adapter_key=checkpoint_artifact_key(job, checkpoint.storage_key),
                created=checkpoint.created_at,
                owned_by=job.organization,
                is_checkpoint=True,
                hyperparameters=job.hyperparameters,
                full=is_full_training(job.hyperparameters),
            )
    return None


def list_trained_models(db: Database, *, project: str) -> list[TrainedModel]:
    """The project's own servable fine-tuned models (not checkpoints), newest first; then the
    models and checkpoints other projects granted it that are still servable, newest grant
    first."""
    with db.session() as session:
        own = [
            _trained(job)
            for job in repository.list_fine_tuned_models(session, project=project)
            if job.adapter_key
        ]
        shared: list[TrainedModel] = []
        for owner, name in permissions.granted_to(session, grantee=project):
            found = _find_servable(session, project=owner, name=name)
            if found is not None:
                shared.append(replace(found, shared_by=owner))
    return own + shared


def delete_trained_model(db: Database, *, project: str, name: str) -> list[str] | None:
    """Mark the model deleted and its checkpoints unavailable (the job keeps its history), and
    remove every grant of them; the storage keys of every adapter to remove, or None when
    there is no such model."""
    with db.session() as session:
        marked = repository.mark_model_deleted(session, project=project, name=name)
        if marked is None:
            return None
        job, checkpoints = marked
        # In the same transaction: no grantee can see a grant of a model that is gone.
        permissions.revoke_job(session, project=project, job_id=job.id)
        keys = [job.adapter_key] if job.adapter_key else []
        return keys + [
            checkpoint_artifact_key(job, checkpoint.storage_key) for checkpoint in checkpoints
        ]


def checkpoint_artifact_key(job: JobRow, storage_key: str) -> str:
    """Where a checkpoint's servable part lives under its prefix: `model/` for a full job
    (weights, config, tokenizer), `adapter/` for a LoRA one."""
    return f"{storage_key}/{'model' if is_full_training(job.hyperparameters) else 'adapter'}"


def _trained(job: JobRow) -> TrainedModel:
    assert job.fine_tuned_model is not None and job.adapter_key is not None
    return TrainedModel(
        name=job.fine_tuned_model,
        base_model=job.catalog_model,
        adapter_key=job.adapter_key,
        created=job.finished_at or job.created_at,
        owned_by=job.organization,
        is_checkpoint=False,
        hyperparameters=job.hyperparameters,
        full=is_full_training(job.hyperparameters),
    )


# -- wire objects ------------------------------------------------------------------------------


def as_job(row: JobRow) -> FineTuningJob:
    """The wire object for a job row."""
    method = FineTuneMethod.model_validate(row.method)
    # The OpenAI three of whichever method the job uses (their names are the same in each).
    configuration = getattr(method, method.type, None)
    hyperparameters = (
        configuration.hyperparameters
        if configuration is not None and configuration.hyperparameters is not None
        else FineTuneSupervisedHyperparameters.model_validate({})
    )
    status = JobStatus(row.status)
    return FineTuningJob(
        id=row.id,
        created_at=row.created_at,
        error=FineTuningJobError.model_validate(row.error) if row.error else None,
        fine_tuned_model=row.fine_tuned_model if status == JobStatus.SUCCEEDED else None,
        finished_at=row.finished_at,
        hyperparameters=FineTuningJobHyperparameters.model_validate(
            hyperparameters.model_dump(
                include={"batch_size", "learning_rate_multiplier", "n_epochs"}
            )
        ),
        model=row.model,
        organization_id=row.organization,
        result_files=list(row.result_files or []),
        status=status,
        trained_tokens=row.trained_tokens,
        training_file=row.training_file,
        validation_file=row.validation_file,
        integrations=[FineTuningIntegration.model_validate(i) for i in row.integrations]
        if row.integrations
        else None,
        seed=row.seed,
        estimated_finish=row.estimated_finish if status == JobStatus.RUNNING else None,
        method=method,
        metadata=row.job_metadata,
    )


def as_event(row: JobEventRow) -> FineTuningJobEvent:
    """The wire object for an event row."""
    return FineTuningJobEvent(
        id=row.id,
        created_at=row.created_at,
        level=row.level,
        message=row.message,
        type=row.type,
        data=row.data or {},
    )


def as_checkpoint(row: JobCheckpointRow) -> FineTuningJobCheckpoint:
    """The wire object for a checkpoint row."""
    return FineTuningJobCheckpoint(
        id=row.id,
        created_at=row.created_at,
        fine_tuned_model_checkpoint=row.fine_tuned_model_checkpoint,
        fine_tuning_job_id=row.job_id,
        metrics=FineTuningJobCheckpointMetrics.model_validate(row.metrics or {}),
        step_number=row.step_number,
    )
