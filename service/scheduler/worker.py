"""A worker process: trains one claimed job with the recipe, backed by db/ and storage/.

The process opens its own Database and store from the settings. It exits 0 once it has
recorded how the job ended (succeeded, cancelled, paused, or failed on a bad file or a
training error); any other end (a signal, an OOM kill, a non-zero exit) tells the scheduler it
crashed. Every write is guarded on `worker = <this run's token>`, so a run the scheduler has
given up on (after a restart, say) can no longer change the job.
"""

from __future__ import annotations

import csv
import io
import logging
import os
import select
import shutil
import signal
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, SupportsFloat

from sqlalchemy.exc import OperationalError

from service.catalog import BaseModelEntry, Catalog
from service.chaos import operations as chaos
from service.core.config import Settings
from service.core.db import Database
from service.core.errors import NotFoundError, ServiceUnavailableError
from service.core.ids import now
from service.core.tables import JobRow, stored_method
from service.datasets.errors import DatasetError, DatasetParam, missing_file
from service.files import operations as files
from service.fine_tuning import scheduling as jobs
from service.fine_tuning import transitions
from service.fine_tuning.operations import (
    checkpoint_model_name,
    find_trained_model,
    fine_tuned_model_name,
    is_fine_tuned_name,
)
from service.fine_tuning.scheduling import StepMetrics
from service.fine_tuning.schemas import JobStatus
from service.fine_tuning.transitions import JobFailure
from service.graders import grading
from service.graders.sandbox import sandbox_config
from service.graders.schemas import parse_grader
from service.observability.logs import configure_logging
from service.storage import ArtifactStore, download_directory, open_store, upload_directory
from service.training.contract import (
    Control,
    GraderModel,
    RankContext,
    ResumeState,
    TrainingOutcome,
    TrainingSpec,
)
from service.training.devices import limit_threads
from service.training.hyperparameters import parse_method
from service.training.memory import InsufficientMemoryError

logger = logging.getLogger("whetstone.worker")

# Checkpoints kept in storage per job; older ones are deleted (their rows stay, unavailable).
KEEP_CHECKPOINTS = 3
# The database is asked for cancel/pause requests at most this often (seconds).
CONTROL_POLL_SECONDS = 0.2
ORPHAN_EXIT_CODE = 3
# Workers yield the CPU to the API process: training throughput barely changes, while requests
# no longer queue behind training threads on a machine whose cores training fills.
WORKER_NICENESS = 10
RESULTS_FILENAME = "step_metrics.csv"
RESULTS_HEADER = ("step", "train_loss", "train_accuracy", "valid_loss", "valid_mean_token_accuracy")
# Results CSV column -> metrics key.
_RESULTS_COLUMNS = {
    "step": "step",
    "train_loss": "train_loss",
    "train_accuracy": "train_mean_token_accuracy",
    "valid_loss": "valid_loss",
    "valid_mean_token_accuracy": "valid_mean_token_accuracy",
}
# The forgetting check's figures (service/training/forgetting.py), on the last step's row:
# columns after OpenAI's, present only when a step carries them, so readers of OpenAI's five
# columns by position or by name are unaffected.
FORGETTING_COLUMNS = ("reference_base_loss", "reference_tuned_loss", "reference_loss_ratio")


@dataclass(frozen=True)
class WorkerAssignment:
    """What the scheduler hands a worker process (pickled across the spawn)."""

    settings: Settings
    job_id: str
    worker: str
    device: str
    threads: int
    # The server process a local worker ends with; None for a run that outlives its server
    # (a Ray actor), which keeps the process's own signal handling.
    parent_pid: int | None
    # A sharded job's devices, rank r's at index r ("cpu" for each CPU process); empty for a
    # job on one device. Each rank's own assignment has its device in `device`.
    gang: tuple[str, ...] = ()


def run_worker(assignment: WorkerAssignment) -> None:
    """Entry point of a worker: a child process of the server, or a Ray actor's run."""
    _prepare_process(assignment)
    db = Database.from_settings(assignment.settings)
    try:
        JobRun(assignment, db, open_store(assignment.settings)).run()
    finally:
        db.dispose()


def run_rank(assignment: WorkerAssignment, rank: RankContext) -> None:
    """Train `assignment`'s job as one rank of its gang; rank 0 reports and saves.

    Every rank of a sharded job calls this, with the same assignment but for `device` (this
    rank's: "cpu", or "cuda:<local_rank>" as the launcher sees it): a local executor's rank
    process, or a Ray Train worker. It joins the gang's process group torchrun's way
    (rank.master_addr and master_port), unless one is initialised already (Ray Train's
    TorchTrainer does), which it then uses and leaves. Rank 0 reads and writes the job as a
    single-device worker does; the other ranks only read (the job, its files, the checkpoint
    to resume from) and train. A rank that fails in a way rank 0 does not record raises, so
    that its process exits non-zero and the executor ends and requeues the whole gang.
    """
    from service.training.distributed import process_group

    _prepare_process(assignment)
    with process_group(rank):
        db = Database.from_settings(assignment.settings)
        try:
            JobRun(assignment, db, open_store(assignment.settings), rank=rank).run()
        finally:
            db.dispose()


def _prepare_process(assignment: WorkerAssignment) -> None:
    """Logging, signals and the orphan watch of a local worker, niceness, torch threads."""
    settings = assignment.settings
    configure_logging(settings, job_id=assignment.job_id)
    if assignment.parent_pid is not None:
        # Terminal ^C and a group-wide SIGTERM are the server's to handle: it releases the
        # job, then ends this process. If the server dies instead, the orphan watch ends it.
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        _exit_when_orphaned(assignment.parent_pid)
    os.nice(WORKER_NICENESS)
    limit_threads(assignment.threads)


def _exit_when_orphaned(server_pid: int) -> None:
    """End this process soon after the server that started it is gone (kill -9 included)."""
    # A pidfd becomes readable the moment the server exits (even while it is an unreaped
    # zombie) and cannot be fooled by pid reuse. The parent cannot tell: it is the server's
    # forkserver, which outlives the server for as long as any worker runs.
    try:
        server = os.pidfd_open(server_pid)
    except ProcessLookupError:
        server = None

    def watch() -> None:
        if server is not None:
            select.select([server], [], [])
        logger.error("the server is gone; stopping")
        os._exit(ORPHAN_EXIT_CODE)

    threading.Thread(target=watch, name="orphan-watch", daemon=True).start()


class StartingModelGoneError(Exception):
    """The adapter a continued job starts from is no longer in storage."""


class GraderModelGoneError(Exception):
    """A model the job's grader samples is no longer one the job's project may use."""


class JobRun:
    """One attempt at one job, from the claimed row to a recorded outcome."""

    def __init__(
        self,
        assignment: WorkerAssignment,
        db: Database,
        store: ArtifactStore,
        *,
        rank: RankContext | None = None,
    ):
        self.assignment = assignment
        self.settings = assignment.settings
        self.db = db
        self.store = store
        self.worker = assignment.worker
        # A rank of a sharded job; None: the job trains in this process alone.
        self.rank = rank
        # Whether this process records the job's outcome (a single worker, or rank 0).
        self.leads = rank is None or rank.leads

    def run(self) -> None:
        """Download, train, store the outcome; storage and database outages propagate."""
        job = jobs.find_job(self.db, job_id=self.assignment.job_id)
        if job is None or job.worker != self.worker or job.status != JobStatus.RUNNING:
            logger.info("job %s is no longer ours to run", self.assignment.job_id)
            return
        scratch = self.settings.data_dir / "scratch" / f"{job.id}-{os.getpid()}"
        shutil.rmtree(scratch, ignore_errors=True)
        scratch.mkdir(parents=True)
        try:
            outcome = self._train(job, scratch)
            if outcome is not None and self.leads:
                self._record(job, outcome)
        finally:
            shutil.rmtree(scratch, ignore_errors=True)
            if self.rank is not None and self.leads:
                shutil.rmtree(self._gang_dir(job), ignore_errors=True)

    def _gang_dir(self, job: JobRow) -> Path:
        """The work directory every rank of this attempt shares (each writes its shards of a
        checkpoint there); named after the attempt's worker token, fresh at each attempt."""
        attempt = self.worker.replace("/", "_")
        return self.settings.data_dir / "scratch" / f"{job.id}-gang-{attempt}"

    def _train(self, job: JobRow, scratch: Path) -> TrainingOutcome | None:
        reporter = JobReporter(
            self.db, self.store, job, self.worker, fault=chaos.job_fault(job.job_metadata)
        )
        try:
            catalog = Catalog.load(
                data_dir=self.settings.data_dir, models_file=self.settings.models_file
            )
            entry = catalog.resolve(job.catalog_model)
            if self.rank is not None:
                self._prepare_base_model_in_turn(catalog, entry)
            initial = self._initial_adapter(job, scratch / "initial")
            # A job continuing a fully fine-tuned model starts from its weights as its model.
            starting_model = initial if initial is not None and is_full_model(initial) else None
            training_file = self._download_file(
                job, "training_file", job.training_file, scratch / "train.jsonl"
            )
            assert training_file is not None  # every job has one
            spec = TrainingSpec(
                job_id=job.id,
                base_model=entry,
                model_dir=starting_model or catalog.local_path(entry),
                training_file=training_file,
                validation_file=self._download_file(
                    job, "validation_file", job.validation_file, scratch / "valid.jsonl"
                ),
                hyperparameters=job.hyperparameters,
                seed=job.seed,
                device=self.assignment.device,
                work_dir=scratch / "work" if self.rank is None else self._gang_dir(job),
                initial_adapter_dir=None if starting_model is not None else initial,
                method=parse_method(job.method_type),
                grader=job.method_extras.get("grader"),
                python_graders=sandbox_config(self.settings),
                grader_models=self._grader_models(job, catalog, scratch / "grader-models"),
                reference_file=self._reference_file(job, scratch / "reference.jsonl")
                or entry.reference_file,
                forgetting_threshold_ratio=self.settings.forgetting_threshold_ratio,
                rank=self.rank,
            )
            resume = self._resume_state(job, scratch / "resume")
            if resume is not None:
                reporter.mark_stored(resume.step)
                # Steps after the checkpoint that an earlier attempt reported are replayed
                # (the same batches, the same figures): they are not reported again.
                reporter.mark_reported(
                    max(
                        (
                            int(data["step"])
                            for data in jobs.metrics_history(self.db, job_id=job.id)
                            if "step" in data
                        ),
                        default=0,
                    )
                )
            from service.training.recipe import run_training

            return run_training(spec, reporter, resume)
        except (ServiceUnavailableError, OperationalError):
            raise  # transient: the scheduler retries the job from its latest checkpoint
        except chaos.InjectedFailure as exc:
            self._fail(job, JobFailure(exc.code, exc.message))
        except StartingModelGoneError as exc:
            self._fail(job, JobFailure("model_not_available", str(exc), "model"))
        except GraderModelGoneError as exc:
            self._fail(job, JobFailure("model_not_available", str(exc), "method"))
        except InsufficientMemoryError as exc:
            logger.info("job %s refused: %s", job.id, exc.message)
            self._fail(job, JobFailure(exc.code, exc.message))
        except DatasetError as exc:
            logger.info("job %s failed: %s", job.id, exc.message)
            self._fail(job, JobFailure(exc.code, exc.message, exc.param))
        except Exception as exc:
            if not self.leads:
                raise  # rank 0 may not see it: the gang ends and the job is requeued
            logger.exception("training job %s failed", job.id)
            self._fail(job, JobFailure("training_failed", f"Training failed: {exc}"))
        return None

    def _prepare_base_model_in_turn(self, catalog: Catalog, entry: BaseModelEntry) -> None:
        """Rank 0 builds (the emulator) or finds the base model first, then the other ranks:
        two processes building the same cache directory at once would corrupt it."""
        from service.training.distributed import barrier

        if self.leads:
            catalog.local_path(entry)
        barrier()

    def _download_file(
        self, job: JobRow, param: DatasetParam, file_id: str | None, target: Path
    ) -> Path | None:
        if file_id is None:
            return None
        try:
            key = files.storage_key_of(self.db, project=job.project, file_id=file_id)
            self.store.download_file(key, target)
        except NotFoundError as exc:
            # Deleted after validation (while queued or paused): the file's fault, not a crash.
            raise missing_file(param, file_id) from exc
        return target

    def _reference_file(self, job: JobRow, target: Path) -> Path | None:
        """The job's own forgetting-check reference set, downloaded, if it names one."""
        file_id = job.hyperparameters.get("reference_file")
        if not isinstance(file_id, str):
            return None
        try:
            key = files.storage_key_of(self.db, project=job.project, file_id=file_id)
            self.store.download_file(key, target)
        except NotFoundError:
            # Deleted since the job was created: the recipe finds no file at `target`, says so
            # in a warn event and measures on the shipped text; the job itself goes on.
            pass
        return target

    def _initial_adapter(self, job: JobRow, target: Path) -> Path | None:
        """The adapter (or fully fine-tuned model) a continued job starts from; its checkpoints
        carry it onwards."""
        if job.initial_adapter_key is None:
            return None
        download_directory(self.store, job.initial_adapter_key, target)
        if not (target / "adapter_model.safetensors").is_file() and not is_full_model(target):
            raise StartingModelGoneError(
                f"The model {job.model} that this job continues was deleted before it trained."
            )
        return target

    def _grader_models(self, job: JobRow, catalog: Catalog, target: Path) -> dict[str, GraderModel]:
        """The models a reinforcement job's grader samples, resolved for the job's project and
        their adapters downloaded: the recipe loads them in this process."""
        grader = job.method_extras.get("grader")
        if grader is None:
            return {}
        models: dict[str, GraderModel] = {}
        for index, (param, name) in enumerate(
            grading.model_references(parse_grader(grader), "method.reinforcement.grader")
        ):
            if name in models:
                continue
            adapter_dir = None
            base = name
            if is_fine_tuned_name(name):
                trained = find_trained_model(self.db, project=job.project, name=name)
                if trained is None:
                    raise GraderModelGoneError(
                        f"The grader model {name} ({param}) was deleted or is no longer shared "
                        "with this project."
                    )
                adapter_dir = target / str(index)
                download_directory(self.store, trained.adapter_key, adapter_dir)
                base = trained.base_model
            entry = catalog.resolve(base)
            model_dir = catalog.local_path(entry)
            if adapter_dir is not None and is_full_model(adapter_dir):
                # A fully fine-tuned grader model is a model of its own, with no adapter.
                model_dir, adapter_dir = adapter_dir, None
            models[name] = GraderModel(model_dir, adapter_dir, entry.context_length)
        return models

    def _resume_state(self, job: JobRow, target: Path) -> ResumeState | None:
        checkpoint = jobs.latest_checkpoint(self.db, job_id=job.id)
        if checkpoint is None:
            return None
        download_directory(self.store, checkpoint.storage_key, target)
        logger.info("job %s resumes from step %d", job.id, checkpoint.step_number)
        return ResumeState(step=checkpoint.step_number, checkpoint_dir=target)

    def _record(self, job: JobRow, outcome: TrainingOutcome) -> None:
        if outcome.status == "succeeded":
            self._succeed(job, outcome)
        elif outcome.status == "paused":
            self._pause(job, outcome)
        else:
            transitions.stopped(self.db, job, worker=self.worker, step=outcome.step)

    def _succeed(self, job: JobRow, outcome: TrainingOutcome) -> None:
        # The job's servable artifact: its adapter, or a full job's whole model.
        if outcome.model_dir is not None:
            adapter_key = f"jobs/{job.id}/model"
            upload_directory(self.store, adapter_key, outcome.model_dir)
        else:
            assert outcome.adapter_dir is not None
            adapter_key = f"jobs/{job.id}/adapter"
            upload_directory(self.store, adapter_key, outcome.adapter_dir)
        history = jobs.metrics_history(self.db, job_id=job.id)
        results = files.store_produced_file(
            self.db,
            self.store,
            project=job.project,
            filename=RESULTS_FILENAME,
            purpose="fine-tune-results",
            data=results_csv(history).encode(),
        )
        transitions.succeed(
            self.db,
            job,
            worker=self.worker,
            fine_tuned_model=fine_tuned_model_name(job),
            adapter_key=adapter_key,
            trained_tokens=outcome.trained_tokens,
            result_files=[results.id],
        )

    def _pause(self, job: JobRow, outcome: TrainingOutcome) -> None:
        assert outcome.checkpoint_dir is not None
        reporter = JobReporter(self.db, self.store, job, self.worker)
        stored = jobs.latest_checkpoint(self.db, job_id=job.id)
        if stored is None or stored.step_number != outcome.step:
            metrics = {"step": outcome.step, **outcome.metrics}
            reporter.store_checkpoint(outcome.step, outcome.checkpoint_dir, metrics)
        transitions.paused_at(self.db, job, worker=self.worker, step=outcome.step)

    def _fail(self, job: JobRow, failure: JobFailure) -> None:
        if not self.leads:
            # Rank 0 meets the same failure (the same files, the same checks) and records it.
            logger.info("job %s failed on rank %s: %s", job.id, self._rank_name(), failure)
            return
        transitions.fail(self.db, job, worker=self.worker, failure=failure)

    def _rank_name(self) -> str:
        return "-" if self.rank is None else str(self.rank.rank)


class JobReporter:
    """The recipe's TrainingReporter, backed by db/ (events, metrics, checkpoint rows, control)
    and storage/ (checkpoint bytes)."""

    def __init__(
        self,
        db: Database,
        store: ArtifactStore,
        job: JobRow,
        worker: str,
        *,
        fault: chaos.JobFault | None = None,
    ):
        self.db = db
        self.store = store
        self.job = job
        self.worker = worker
        self.total_steps: int | None = None
        # (monotonic time, step) of the first step this process saw: the pace for estimates.
        self._pace_origin: tuple[float, int] | None = None
        self._stored_steps: set[int] = set()
        # The last step an earlier attempt of the job reported; replayed steps up to it are
        # not reported twice.
        self._reported_through = 0
        self._action: Control = "continue"
        self._last_poll = float("-inf")
        # A fault the job's metadata asks for (service/chaos), struck after its step.
        self.fault = fault

    def event(self, message: str, *, level: Literal["info", "warn", "error"] = "info") -> None:
        """A job event, such as a truncated-example warning."""
        jobs.add_event(self.db, self.job, message, level=level)

    def started(
        self, *, hyperparameters: Mapping[str, object], total_steps: int, n_examples: int
    ) -> None:
        """Store the resolved hyperparameters in the job's method."""
        self.total_steps = total_steps
        method = stored_method(
            self.job.method_type, dict(hyperparameters), **self.job.method_extras
        )
        jobs.store_method(self.db, self.job, worker=self.worker, method=method)

    def metrics(self, data: Mapping[str, float]) -> None:
        """A `metrics` event for the step, and a fresh estimated_finish and heartbeat."""
        clean = {key: _number(value) for key, value in data.items() if value is not None}
        step = int(clean.get("step", 0))
        if self.fault is not None:
            self.fault.strike(
                step=step,
                attempt=self.job.attempts,
                stop_requested=lambda: self.control() != "continue",
                announce=lambda message: self.event(message, level="warn"),
            )
        if step <= self._reported_through:
            return
        total = int(clean.get("total_steps") or self.total_steps or step)
        message = f"Step {step}/{total}: training loss={clean.get('train_loss', 0.0):.2f}"
        if "valid_loss" in clean:
            message += f", validation loss={clean['valid_loss']:.2f}"
        if "full_valid_loss" in clean:
            # OpenAI's wording on the last step of a job with a validation file.
            message += f", full validation loss={clean['full_valid_loss']:.2f}"
        owned = jobs.record_step(
            self.db,
            self.job,
            worker=self.worker,
            message=message,
            metrics=clean,
            estimated_finish=self._estimate(step, total),
            heartbeat_at=now(),
        )
        if not owned:
            self._action = "cancel"  # the scheduler gave this run up

    def checkpoint(
        self, *, step: int, epoch: int, checkpoint_dir: Path, metrics: Mapping[str, float]
    ) -> None:
        """Upload an end-of-epoch checkpoint and list it."""
        self.store_checkpoint(step, checkpoint_dir, {"step": step, **metrics})

    def control(self) -> Control:
        """Go on, or stop to cancel or pause; reads the job at most every 0.2 s."""
        if self._action != "continue":
            return self._action
        moment = time.monotonic()
        if moment - self._last_poll < CONTROL_POLL_SECONDS:
            return "continue"
        self._last_poll = moment
        job = jobs.find_job(self.db, job_id=self.job.id)
        if (
            job is None
            or job.worker != self.worker
            or job.status == JobStatus.CANCELLED
            or job.requested_action == "cancel"
        ):
            self._action = "cancel"
        elif job.requested_action == "pause":
            self._action = "pause"
        return self._action

    def mark_reported(self, step: int) -> None:
        """Note that an earlier attempt reported every step up to `step`."""
        self._reported_through = step

    def mark_stored(self, step: int) -> None:
        """Note that the checkpoint at `step` is already in storage (the one resumed from)."""
        self._stored_steps.add(step)

    def store_checkpoint(
        self, step: int, checkpoint_dir: Path, metrics: Mapping[str, float]
    ) -> None:
        """Bytes first, then the row; then retire all but the last KEEP_CHECKPOINTS."""
        if step in self._stored_steps:
            return
        key = f"jobs/{self.job.id}/checkpoints/step-{step}"
        upload_directory(self.store, key, checkpoint_dir)
        clean = {name: _number(value) for name, value in metrics.items() if value is not None}
        model_name = checkpoint_model_name(self.job, step)
        retired = jobs.record_checkpoint(
            self.db,
            self.job,
            step=step,
            metrics=clean,
            model_name=model_name,
            storage_key=key,
            keep=KEEP_CHECKPOINTS,
        )
        for retired_key in retired:
            self.store.delete_prefix(retired_key + "/")
        self._stored_steps.add(step)

    def _estimate(self, step: int, total: int) -> int | None:
        moment = time.monotonic()
        if self._pace_origin is None:
            self._pace_origin = (moment, step)
            return None
        started, first_step = self._pace_origin
        if step <= first_step:
            return None
        seconds_per_step = (moment - started) / (step - first_step)
        return now() + round(seconds_per_step * max(0, total - step))


def is_full_model(directory: Path) -> bool:
    """Whether a downloaded artifact is a whole model (a full fine-tuning job's: config.json
    and weights) rather than a PEFT adapter; the layout tells, no column needs to."""
    return (directory / "config.json").is_file() and not (
        directory / "adapter_config.json"
    ).is_file()


def results_csv(history: list[StepMetrics]) -> str:
    """The results file: one row per step (the last report of a step redone after a crash
    wins), header `step,train_loss,train_accuracy,valid_loss,valid_mean_token_accuracy`, then
    the forgetting check's columns when the run reported them."""
    by_step: dict[int, StepMetrics] = {}
    for data in history:
        if "step" in data:
            by_step[int(data["step"])] = data
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    forgetting = any(key in data for data in by_step.values() for key in FORGETTING_COLUMNS)
    header = RESULTS_HEADER + (FORGETTING_COLUMNS if forgetting else ())
    writer.writerow(header)
    for step in sorted(by_step):
        data = by_step[step]
        row = []
        for column in header:
            value = data.get(_RESULTS_COLUMNS.get(column, column))
            if value is None:
                row.append("")
            elif column == "step":
                row.append(str(int(value)))
            else:
                row.append(f"{float(value):.6g}")
        writer.writerow(row)
    return buffer.getvalue()


def _number(value: object) -> float | int | str | bool:
    """Plain JSON numbers (the recipe may hand over numpy or torch scalars)."""
    if isinstance(value, bool | str | int | float):
        return value
    if isinstance(value, SupportsFloat):  # numpy and torch scalars
        try:
            return float(value)
        except (TypeError, ValueError):
            pass
    # Not a number after all: its text, which the metrics' JSON column can hold.
    return str(value)
