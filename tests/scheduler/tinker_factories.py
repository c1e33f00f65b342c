"""Rows and a stand-in trainer for the Tinker session worker's unit tests."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import numpy as np
import tinker
from sqlalchemy import select
from tinker.proto.request_conv import forward_backward_request_to_proto

from service.core.db import Database
from service.core.errors import InvalidRequestError
from service.core.tables import TinkerModelRow, TinkerRequestRow, TinkerSessionRow
from service.scheduler.sessions import SessionAssignment, SessionRun, run_session_worker
from service.storage import open_store
from service.tinker.queue import now_ms
from service.training.sessions import (
    LOSS_FUNCTIONS,
    AdamSpec,
    ForwardBackwardResult,
    LoraSpec,
    TrainingDatum,
)

SESSION = "sess-w"
MODEL = f"{SESSION}:train:0"
# An optim_step with this learning rate never returns: the worker is busy when it is killed.
STALL_LEARNING_RATE = 0.125


class RecordingTrainer:
    """Stands in for SessionTrainer (another part's, tested on its own): it records what
    reaches it, in order, and answers in the trainer's types."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, object]] = []

    @classmethod
    def create(cls, *, catalog: object, base_model: str, lora: LoraSpec, device: object) -> Any:
        """SessionTrainer.create's signature."""
        return cls()

    def forward_backward(
        self,
        data: list[TrainingDatum],
        loss_fn: str,
        loss_fn_config: dict[str, float] | None = None,
        *,
        forward_only: bool = False,
    ) -> ForwardBackwardResult:
        """Record the chunk's token lists; refuse an unknown loss as the trainer does."""
        if loss_fn not in LOSS_FUNCTIONS:
            raise InvalidRequestError(f"Unknown loss_fn {loss_fn!r}.", param="loss_fn")
        self.calls.append(("forward_backward", [datum.tokens for datum in data]))
        outputs = [{"logprobs": np.zeros(len(datum.tokens), np.float32)} for datum in data]
        return ForwardBackwardResult("TensorData", outputs, {"loss:sum": float(len(data))})

    def optim_step(self, adam: AdamSpec) -> dict[str, float]:
        """Record the step; stall on STALL_LEARNING_RATE."""
        self.calls.append(("optim_step", adam.learning_rate))
        if adam.learning_rate == STALL_LEARNING_RATE:
            time.sleep(3600)
        return {"grad_norm:mean": 0.0}

    def save_state(self, directory: Path, *, with_optimizer: bool) -> None:
        """Write a stand-in adapter."""
        (directory / "adapter_config.json").write_text("{}")

    def load_state(self, directory: Path, *, with_optimizer: bool) -> None:
        """Record the load."""
        self.calls.append(("load_state", sorted(p.name for p in directory.iterdir())))

    def save_sampler_adapter(self, directory: Path) -> None:
        """Write a stand-in adapter."""
        (directory / "adapter_config.json").write_text("{}")


def recording_session_worker(assignment: SessionAssignment) -> None:
    """A session worker process holding a RecordingTrainer (a module-level target, so the
    forkserver can find it)."""
    run_session_worker(assignment, trainer_factory=RecordingTrainer.create)


def add_model(db: Database, *, created_at: int | None = None, model_id: str = MODEL) -> None:
    """A session (if new) and a pending model with its create_model future."""
    moment = created_at or int(time.time())
    with db.session() as session:
        if session.scalar(select(TinkerSessionRow).where(TinkerSessionRow.id == SESSION)) is None:
            session.add(
                TinkerSessionRow(
                    id=SESSION,
                    project="proj",
                    sdk_version="0.38.0",
                    tags=[],
                    created_at=moment,
                    heartbeat_at=moment,
                )
            )
        session.add(
            TinkerModelRow(
                id=model_id,
                project="proj",
                session_id=SESSION,
                base_model="whetstone-tiny",
                lora_rank=4,
                lora_config={"rank": 4, "seed": 0},
                optimizer_config={"type": "adamw"},
                status="pending",
                done_seq_id=0,
                created_at=moment,
                last_request_at=moment,
            )
        )
    submit(db, kind="create_model", seq_id=None, payload=b"{}", model_id=model_id)


def submit(
    db: Database,
    *,
    kind: str,
    seq_id: int | None,
    payload: bytes,
    model_id: str = MODEL,
    payload_type: str = "json",
) -> str:
    """A pending request row, as the front door inserts it."""
    request_id = f"req-{kind}-{seq_id}-{now_ms()}-{time.perf_counter_ns()}"
    with db.session() as session:
        session.add(
            TinkerRequestRow(
                id=request_id,
                project="proj",
                model_id=model_id,
                kind=kind,
                seq_id=seq_id,
                status="pending",
                payload=payload,
                payload_type=payload_type,
                created_at_ms=now_ms(),
            )
        )
    return request_id


def forward_backward_payload(
    seq_id: int, tokens: list[int], loss_fn: Any = "cross_entropy"
) -> bytes:
    """A forward_backward chunk as the SDK sends it (protobuf)."""
    datum = tinker.Datum(
        model_input=tinker.ModelInput.from_ints(tokens[:-1]),
        loss_fn_inputs={
            "target_tokens": tinker.TensorData.from_numpy(np.array(tokens[1:], np.int64)),
            "weights": tinker.TensorData.from_numpy(np.ones(len(tokens) - 1, np.float32)),
        },
    )
    request = tinker.types.ForwardBackwardRequest(
        forward_backward_input=tinker.types.ForwardBackwardInput(data=[datum], loss_fn=loss_fn),
        model_id=MODEL,
        seq_id=seq_id,
    )
    message: bytes = forward_backward_request_to_proto(request).SerializeToString()
    return message


def optim_payload(learning_rate: float) -> bytes:
    """An optim_step body as the SDK sends it."""
    return json.dumps(
        {"adam_params": {"learning_rate": learning_rate}, "model_id": MODEL, "type": "optim_step"}
    ).encode()


def request(db: Database, request_id: str) -> TinkerRequestRow:
    """The request row, freshly read."""
    with db.session() as session:
        row = session.scalar(select(TinkerRequestRow).where(TinkerRequestRow.id == request_id))
        assert row is not None
        return row


def model(db: Database, model_id: str = MODEL) -> TinkerModelRow:
    """The model row, freshly read."""
    with db.session() as session:
        row = session.scalar(select(TinkerModelRow).where(TinkerModelRow.id == model_id))
        assert row is not None
        return row


def session_run(settings: Any, db: Database, trainer: RecordingTrainer) -> SessionRun:
    """A SessionRun of MODEL in this process, holding `trainer`."""
    assignment = SessionAssignment(
        settings=settings, model_id=MODEL, worker="w-test", device="cpu", threads=1
    )
    return SessionRun(assignment, db, open_store(settings), trainer_factory=lambda **_: trainer)
