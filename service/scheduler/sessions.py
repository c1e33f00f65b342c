"""A Tinker session worker: a process that holds one training model between calls.

The scheduler gives a pending model a device slot and starts this worker there (a child of the
server's forkserver). The worker loads the model with a `SessionTrainer`, marks it ready and
finishes its create_model future, then runs the model's requests strictly in seq_id order
(service/tinker/queue.py), whatever order they arrived in, until the model is unloaded, stays
idle past WHETSTONE_TINKER_SESSION_IDLE_SECONDS, or is taken from it.

It outlives the API process: it has no orphan watch, and its liveness is its own heartbeat on
the model's row, so a restarted server on the same database adopts it and the session goes on.
It stays in the server's process group and keeps the default SIGINT and SIGTERM, so stopping
the group (Ctrl-C, a service manager) ends it; a worker that stops beating is declared lost by
the scheduler, which fails its pending futures.

torch is imported only inside the worker process (the trainer), never by the API process.
"""

from __future__ import annotations

import json
import logging
import os
import re
import shutil
import signal
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from service.catalog import Catalog
from service.core.config import Settings
from service.core.db import Database
from service.core.errors import InvalidRequestError, ServiceUnavailableError
from service.core.ids import now
from service.core.tables import (
    TinkerCheckpointRow,
    TinkerModelRow,
    TinkerRequestRow,
)
from service.observability.logs import configure_logging
from service.storage import ArtifactStore, download_directory, open_store, upload_directory
from service.tinker import queue
from service.training.sessions import AdamSpec, LoraSpec

if TYPE_CHECKING:
    from service.training.sessions.trainer import SessionTrainer

logger = logging.getLogger("whetstone.sessions")

# A worker silent for this many beats is lost (the scheduler's rule, and the docs').
LOST_AFTER_BEATS = 5
# Polling for the next request: fast right after one (a training loop sends the next at once),
# slower while the model idles, so an idle worker barely touches the database.
FAST_POLL_SECONDS = 0.005
SLOW_POLL_SECONDS = 0.1
FAST_POLL_WINDOW_SECONDS = 2.0
# How often an idle worker asks whether its model is past the idle limit (seconds).
IDLE_CHECK_SECONDS = 1.0
# A database outage is retried this often (seconds).
OUTAGE_RETRY_SECONDS = 1.0
# As the job workers: training yields the CPU to the API process.
WORKER_NICENESS = 10
# A checkpoint's name is one path segment of its tinker:// path and storage key.
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$")
TRAINING_KINDS = ("forward_backward", "forward")

LOST_MESSAGE = (
    "The session worker holding model {model_id} stopped ({cause}); its state since the last "
    "save is gone. Create a new training client with load_state (or "
    "create_training_client_from_state_with_optimizer) from the last save_state to resume{last}."
)
RECLAIMED_MESSAGE = (
    "Model {model_id} was unloaded after {seconds:g} s without requests or session heartbeats "
    "(WHETSTONE_TINKER_SESSION_IDLE_SECONDS). Create a new training client with load_state "
    "from its last save_state to resume."
)
UNLOADED_MESSAGE = (
    "Model {model_id} was unloaded (unload_model). Create a new training client with "
    "load_state from its last save_state to resume."
)


@dataclass(frozen=True)
class SessionAssignment:
    """What the scheduler hands a session worker (pickled across the fork)."""

    settings: Settings
    model_id: str
    worker: str
    device: str
    threads: int


def lost_message(model_id: str, cause: str, last_save: str | None = None) -> str:
    """The server-category error of every pending future of a lost model, naming its last
    save_state when it has one."""
    last = f": {last_save}" if last_save is not None else " (it has none)"
    return LOST_MESSAGE.format(model_id=model_id, cause=cause, last=last)


def ended_messages(settings: Settings) -> dict[str, str]:
    """By ended model status, the user-category error of a request sent to it afterwards."""
    return {
        queue.CLOSED: (
            "The model {model_id} is closed (unloaded, or reclaimed after "
            f"{settings.tinker_session_idle_seconds:g} s idle). Create a new training client "
            "with load_state from its last save_state to resume."
        ),
        queue.LOST: (
            "The model {model_id} was lost with its session worker. Create a new training "
            "client with load_state from its last save_state to resume."
        ),
    }


def run_session_worker(assignment: SessionAssignment, *, trainer_factory: Any = None) -> None:
    """Entry point of a session worker process (`trainer_factory`: SessionTrainer.create's
    signature; None: the real trainer)."""
    settings = assignment.settings
    configure_logging(settings)
    # The forkserver ignores SIGTERM (job workers are stopped by the server); a session worker
    # is not, so a group-wide SIGTERM or ^C ends it.
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    os.nice(WORKER_NICENESS)
    from service.training.devices import limit_threads

    limit_threads(assignment.threads)
    db = Database.from_settings(settings)
    try:
        SessionRun(assignment, db, open_store(settings), trainer_factory=trainer_factory).run()
    finally:
        db.dispose()


class SessionRun:
    """One worker's hold of one model, from the claimed row to the model's end."""

    def __init__(
        self,
        assignment: SessionAssignment,
        db: Database,
        store: ArtifactStore,
        *,
        trainer_factory: Any = None,
    ):
        self.assignment = assignment
        self.settings = assignment.settings
        self.db = db
        self.store = store
        self.model_id = assignment.model_id
        self.worker = assignment.worker
        # Tests hand a factory with SessionTrainer.create's signature; None: the real one.
        self._trainer_factory = trainer_factory
        self._stopped = threading.Event()
        self.scratch = (
            self.settings.data_dir / "scratch" / f"tinker-{self.model_id.replace(':', '_')}"
        )

    def run(self) -> None:
        """Load the model, then serve its requests in seq order until it ends."""
        model = queue.find_model(self.db, model_id=self.model_id)
        if model is None or model.worker != self.worker or model.status != queue.STARTING:
            logger.info("model %s is no longer ours to load", self.model_id)
            return
        beat = threading.Thread(target=self._beat, name="tinker-heartbeat", daemon=True)
        beat.start()
        shutil.rmtree(self.scratch, ignore_errors=True)
        self.scratch.mkdir(parents=True)
        try:
            trainer = self._load(model)
            if trainer is not None:
                self._serve(trainer)
        finally:
            self._stopped.set()
            shutil.rmtree(self.scratch, ignore_errors=True)

    def _beat(self) -> None:
        """Show the scheduler this worker is alive; stop at once once the model is not ours."""
        interval = self.settings.tinker_worker_heartbeat_seconds
        while not self._stopped.wait(interval):
            try:
                ours = queue.heartbeat(self.db, model_id=self.model_id, worker=self.worker)
            except Exception as exc:  # a database outage: the next beat tries again
                logger.warning("heartbeat of model %s failed: %s", self.model_id, exc)
                continue
            # Our own end sets _stopped first, so only the scheduler's verdict gets here.
            if not ours and not self._stopped.is_set():
                # Declared lost (or closed) by the scheduler: every write of ours is refused
                # anyway, and the slot may already be another model's.
                logger.error("model %s is no longer held by this worker; exiting", self.model_id)
                os._exit(0)

    def _load(self, model: TinkerModelRow) -> SessionTrainer | None:
        """The model's trainer, loaded, and the model ready; None when loading failed (its
        create future failed with the reason)."""
        creating = queue.create_request(self.db, model_id=self.model_id)
        try:
            if creating is not None and creating.kind == "load_weights":
                payload = json.loads(creating.payload or b"{}")
                checkpoint = self._checkpoint(model.project, str(payload.get("path")))
                source = queue.find_model(self.db, model_id=checkpoint.model_id)
                trainer = self._create_trainer(model.base_model, source or model)
                self._load_checkpoint(trainer, checkpoint, optimizer=bool(payload.get("optimizer")))
                answer: dict[str, object] = {
                    "path": checkpoint.tinker_path,
                    "model_id": self.model_id,
                    "type": "load_weights",
                }
            else:
                trainer = self._create_trainer(model.base_model, model)
                answer = {"model_id": self.model_id, "type": "create_model"}
        except InvalidRequestError as exc:
            self._end(queue.CLOSED, exc.message, "user")
            return None
        except Exception as exc:
            logger.exception("could not load model %s", self.model_id)
            self._end(queue.LOST, f"Loading model {self.model_id} failed: {exc}", "server")
            return None
        ready = queue.mark_ready(
            self.db,
            model_id=self.model_id,
            worker=self.worker,
            request_id=creating.id if creating is not None else None,
            result=json.dumps(answer).encode(),
        )
        if not ready:
            logger.info("model %s was taken while it loaded", self.model_id)
            return None
        logger.info("model %s is ready on %s", self.model_id, self.assignment.device)
        return trainer

    def _create_trainer(self, base_model: str, config_of: TinkerModelRow) -> SessionTrainer:
        lora = dict(config_of.lora_config or {})
        spec = LoraSpec(
            rank=config_of.lora_rank,
            seed=lora.get("seed"),
            train_mlp=bool(lora.get("train_mlp", True)),
            train_attn=bool(lora.get("train_attn", True)),
            train_unembed=bool(lora.get("train_unembed", True)),
        )
        catalog = Catalog.load(
            data_dir=self.settings.data_dir, models_file=self.settings.models_file
        )
        import torch

        factory = self._trainer_factory
        if factory is None:
            from service.training.sessions.trainer import SessionTrainer

            factory = SessionTrainer.create
        trainer: SessionTrainer = factory(
            catalog=catalog,
            base_model=base_model,
            lora=spec,
            device=torch.device(self.assignment.device),
        )
        return trainer

    def _serve(self, trainer: SessionTrainer) -> None:
        """Run requests in seq order until the model ends; reclaim it when idle. A database
        outage pauses the loop: the model's state is in this process, and waits."""
        last_work = last_idle_check = time.monotonic()
        while True:
            try:
                request = queue.next_request(self.db, model_id=self.model_id)
            except ServiceUnavailableError as exc:
                logger.warning("model %s waits for the database: %s", self.model_id, exc)
                time.sleep(OUTAGE_RETRY_SECONDS)
                continue
            if request is None:
                moment = time.monotonic()
                checking = moment - last_idle_check >= IDLE_CHECK_SECONDS
                if checking:
                    last_idle_check = moment
                if checking and self._idle_past_limit():
                    self._end(
                        queue.CLOSED,
                        RECLAIMED_MESSAGE.format(
                            model_id=self.model_id,
                            seconds=self.settings.tinker_session_idle_seconds,
                        ),
                        "user",
                    )
                    logger.info("model %s reclaimed: idle", self.model_id)
                    return
                recent = time.monotonic() - last_work < FAST_POLL_WINDOW_SECONDS
                time.sleep(FAST_POLL_SECONDS if recent else SLOW_POLL_SECONDS)
                continue
            if not self._run_one(trainer, request):
                return
            last_work = time.monotonic()

    def _idle_past_limit(self) -> bool:
        try:
            since = queue.idle_since(self.db, model_id=self.model_id)
            if since is None:
                return True
            return now() - since >= self.settings.tinker_session_idle_seconds and not (
                queue.has_open_requests(self.db, model_id=self.model_id)
            )
        except ServiceUnavailableError:
            return False  # not idle as far as anyone can tell; asked again later

    def _run_one(self, trainer: SessionTrainer, request: TinkerRequestRow) -> bool:
        """Run one request and record its outcome; False once the model is no longer held."""
        assert request.seq_id is not None
        _through_outages(lambda: queue.start_request(self.db, request_id=request.id))
        seq_id = request.seq_id
        try:
            result, result_type = self._execute(trainer, request)
        except InvalidRequestError as exc:
            return self._fail(request, seq_id, exc.message, "user")
        except Exception as exc:
            logger.exception(
                "request %s (%s) of %s failed", request.id, request.kind, self.model_id
            )
            message = f"{request.kind} failed on the server: {type(exc).__name__}: {exc}"
            return self._fail(request, seq_id, message, "server")
        held = _through_outages(
            lambda: queue.finish_request(
                self.db,
                model_id=self.model_id,
                worker=self.worker,
                request_id=request.id,
                seq_id=seq_id,
                result=result,
                result_type=result_type,
            )
        )
        if held and request.kind == "unload_model":
            self._end(queue.CLOSED, UNLOADED_MESSAGE.format(model_id=self.model_id), "user")
            return False
        return held

    def _fail(self, request: TinkerRequestRow, seq_id: int, message: str, category: str) -> bool:
        """Fail the request and move past it; False once the model is no longer held."""
        return _through_outages(
            lambda: queue.fail_request(
                self.db,
                model_id=self.model_id,
                worker=self.worker,
                request_id=request.id,
                seq_id=seq_id,
                message=message,
                category=category,
            )
        )

    def _execute(self, trainer: SessionTrainer, request: TinkerRequestRow) -> tuple[bytes, str]:
        """The request's result and its type ("proto" or "json"); InvalidRequestError when the
        request is the caller's to fix."""
        if request.kind in TRAINING_KINDS:
            from service.tinker.protobuf import (
                decode_forward_backward,
                encode_forward_backward_output,
            )

            call = decode_forward_backward(request.payload)
            output = trainer.forward_backward(
                call.data,
                call.loss_fn,
                call.loss_fn_config,
                forward_only=call.forward_only or request.kind == "forward",
            )
            return encode_forward_backward_output(output), "proto"
        payload: dict[str, Any] = json.loads(request.payload or b"{}")
        if request.kind == "optim_step":
            metrics = trainer.optim_step(_adam(payload))
            return _json({"metrics": metrics, "type": "optim_step"})
        if request.kind == "save_weights":
            return _json(self._save(trainer, payload, sampler=False))
        if request.kind == "save_weights_for_sampler":
            return _json(self._save(trainer, payload, sampler=True, seq_id=request.seq_id))
        if request.kind == "save_weights_external":
            return _json(self._save(trainer, payload, sampler=True, external=True))
        if request.kind == "load_weights":
            model = self._model()
            checkpoint = self._checkpoint(model.project, str(payload.get("path")))
            self._load_checkpoint(trainer, checkpoint, optimizer=bool(payload.get("optimizer")))
            return _json(
                {"path": checkpoint.tinker_path, "model_id": self.model_id, "type": "load_weights"}
            )
        if request.kind == "unload_model":
            return _json({"model_id": self.model_id, "type": "unload_model"})
        raise InvalidRequestError(
            f"The Tinker operation {request.kind!r} is not supported on a training model."
        )

    def _model(self) -> TinkerModelRow:
        model = queue.find_model(self.db, model_id=self.model_id)
        assert model is not None
        return model

    def _save(
        self,
        trainer: SessionTrainer,
        payload: dict[str, Any],
        *,
        sampler: bool,
        seq_id: int | None = None,
        external: bool = False,
    ) -> dict[str, object]:
        """Save the adapter (and, for a training checkpoint, the optimizer) to the store and
        record the checkpoint; the response the SDK expects. External weights are the sampler
        adapter under `external_weights/<name>`, for get_external_weights_urls to hand out."""
        model = self._model()
        name = payload.get("path")
        sampling_seq = payload.get("sampling_session_seq_id")
        kind = payload.get("kind", "snapshot")
        if sampler and kind != "snapshot":
            raise InvalidRequestError(
                f"save_weights_for_sampler kind {kind!r} is not supported by Whetstone: only "
                "'snapshot' sampling clients are."
            )
        ephemeral = sampler and name is None
        if name is None:
            if not sampler:
                name = f"step-{seq_id or model.done_seq_id + 1:06d}"
            else:
                name = f"ephemeral-{sampling_seq if sampling_seq is not None else seq_id}"
        name = str(name)
        if not _NAME.match(name):
            raise InvalidRequestError(
                f"The checkpoint name {name!r} is not valid: use letters, digits, '.', '_' and "
                "'-' (at most 200 characters, not starting with a symbol).",
                param="path",
            )
        segment = "external_weights" if external else "sampler_weights" if sampler else "weights"
        checkpoint_id = f"{segment}/{name}"
        tinker_path = f"tinker://{self.model_id}/{checkpoint_id}"
        storage_key = f"tinker/{model.project}/{self.model_id}/{checkpoint_id}"
        existing = self._find_checkpoint(tinker_path)
        if existing is not None and (external or not sampler) and not payload.get("overwrite"):
            raise InvalidRequestError(
                f"The checkpoint {tinker_path} exists already; pass overwrite=True to replace "
                "it, or choose another name.",
                param="path",
            )
        directory = self.scratch / "save" / checkpoint_id
        shutil.rmtree(directory, ignore_errors=True)
        directory.mkdir(parents=True)
        if sampler:
            trainer.save_sampler_adapter(directory)
        else:
            trainer.save_state(directory, with_optimizer=True)
        if existing is not None:
            # A re-save under the same name gets a key of its own: the engines cache adapters
            # by key (the builtin engine's slots, vLLM's resolver cache), so rewriting the old
            # key in place would leave them serving the old weights.
            storage_key = f"{storage_key}-{queue.now_ms()}"
        upload_directory(self.store, storage_key, directory)
        size = sum(path.stat().st_size for path in directory.rglob("*") if path.is_file())
        shutil.rmtree(directory, ignore_errors=True)
        ttl = payload.get("ttl_seconds")
        created = now()
        sampling_session_id = (
            f"{model.session_id}:sample:{sampling_seq}" if sampling_seq is not None else None
        )
        queue.record_checkpoint(
            self.db,
            project=model.project,
            model_id=self.model_id,
            checkpoint_id=checkpoint_id,
            checkpoint_type="external" if external else "sampler" if sampler else "training",
            tinker_path=tinker_path,
            storage_key=storage_key,
            base_model=model.base_model,
            size_bytes=size,
            ephemeral=ephemeral,
            user_metadata=payload.get("user_metadata"),
            created_at=created,
            expires_at=created + int(ttl) if ttl is not None else None,
            sampling_session_id=sampling_session_id,
            session_id=model.session_id,
        )
        if existing is not None:
            self.store.delete_prefix(existing.storage_key + "/")
        if external:
            return {"path": tinker_path, "size_bytes": size, "type": "save_weights_external"}
        if not sampler:
            return {"path": tinker_path, "type": "save_weights"}
        answer: dict[str, object] = {"path": tinker_path, "type": "save_weights_for_sampler"}
        if sampling_session_id is not None:
            answer["sampling_session_id"] = sampling_session_id
        return answer

    def _find_checkpoint(self, tinker_path: str) -> TinkerCheckpointRow | None:
        return queue.find_checkpoint(self.db, tinker_path=tinker_path)

    def _checkpoint(self, project: str, path: str) -> TinkerCheckpointRow:
        """The checkpoint at a tinker:// path the model's project owns."""
        row = self._find_checkpoint(path)
        if row is None or (row.project != project and not row.public):
            raise InvalidRequestError(
                f"No checkpoint {path!r} in this project (expected a path returned by "
                "save_state or save_weights_for_sampler, tinker://<run>/weights/<name>).",
                param="path",
            )
        return row

    def _load_checkpoint(
        self, trainer: SessionTrainer, checkpoint: TinkerCheckpointRow, *, optimizer: bool
    ) -> None:
        if optimizer and checkpoint.checkpoint_type != "training":
            raise InvalidRequestError(
                f"{checkpoint.tinker_path} holds sampler weights, without optimizer state: load "
                "it without the optimizer, or load a save_state checkpoint.",
                param="path",
            )
        directory = self.scratch / "load"
        shutil.rmtree(directory, ignore_errors=True)
        directory.mkdir(parents=True)
        download_directory(self.store, checkpoint.storage_key, directory)
        if not any(directory.iterdir()):
            raise InvalidRequestError(
                f"The checkpoint {checkpoint.tinker_path} is no longer in storage.", param="path"
            )
        trainer.load_state(directory, with_optimizer=optimizer)
        shutil.rmtree(directory, ignore_errors=True)

    def _end(self, status: str, message: str, category: str) -> None:
        self._stopped.set()
        queue.end_model(
            self.db,
            model_id=self.model_id,
            status=status,
            message=message,
            category=category,
            worker=self.worker,
        )


def _through_outages(write: Callable[[], bool]) -> bool:
    """A write of the worker's, retried through a database outage: the result it records is
    in this process only."""
    while True:
        try:
            return write()
        except ServiceUnavailableError as exc:
            logger.warning("a session worker's write waits for the database: %s", exc)
            time.sleep(OUTAGE_RETRY_SECONDS)


def _adam(payload: dict[str, Any]) -> AdamSpec:
    """The step's Adam parameters; any other optimizer family is refused by name."""
    params = payload.get("adam_params")
    if params is None:
        other = payload.get("optim_params") or payload.get("optimizer_params") or {}
        family = other.get("type", "unknown") if isinstance(other, dict) else "unknown"
        if family not in ("adam", "adamw"):
            raise InvalidRequestError(
                f"The optimizer {family!r} is not supported by Whetstone: only Adam "
                "(AdamParams) is.",
                param="optim_params",
            )
        params = other
    known = {field: params[field] for field in AdamSpec.__dataclass_fields__ if field in params}
    return AdamSpec(**{key: float(value) for key, value in known.items()})


def _json(body: dict[str, object]) -> tuple[bytes, str]:
    return json.dumps(body).encode(), "json"


def stale_before_ms(settings: Settings) -> int:
    """Heartbeats older than this (Unix ms) mean a lost worker."""
    silent = LOST_AFTER_BEATS * settings.tinker_worker_heartbeat_seconds
    return queue.now_ms() - int(silent * 1000)
