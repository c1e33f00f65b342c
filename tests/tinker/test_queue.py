"""The worker side of Tinker's queue: claiming models, seq order, and failing futures."""

from __future__ import annotations

from service.core.db import Database
from service.core.tables import TinkerModelRow, TinkerRequestRow, TinkerSessionRow
from service.tinker import queue

MODEL = "sess1:train:0"


def _seed(db: Database, *, seq_ids: list[int]) -> None:
    """A session, a pending model, its create_model future and training requests that
    arrived in the order of `seq_ids`."""
    with db.session() as session:
        session.add(
            TinkerSessionRow(
                id="sess1",
                project="p",
                sdk_version="0.38.0",
                tags=[],
                created_at=100,
                heartbeat_at=100,
            )
        )
        session.add(
            TinkerModelRow(
                id=MODEL,
                project="p",
                session_id="sess1",
                base_model="whetstone-tiny",
                lora_rank=4,
                lora_config={},
                optimizer_config={},
                status="pending",
                done_seq_id=0,
                created_at=100,
                last_request_at=100,
            )
        )
        session.add(_request("create", "create_model", None))
        for seq_id in seq_ids:
            session.add(_request(f"r{seq_id}", "forward_backward", seq_id))


def _request(request_id: str, kind: str, seq_id: int | None) -> TinkerRequestRow:
    return TinkerRequestRow(
        id=request_id,
        project="p",
        model_id=MODEL,
        kind=kind,
        seq_id=seq_id,
        status="pending",
        payload=b"",
        payload_type="json",
        created_at_ms=100_000,
    )


def _status(db: Database, request_id: str) -> tuple[str, object]:
    with db.session() as session:
        row = session.get_one(TinkerRequestRow, _seq(session, request_id))
        return row.status, row.error


def _seq(session: object, request_id: str) -> int:
    from sqlalchemy import select
    from sqlalchemy.orm import Session

    assert isinstance(session, Session)
    seq = session.scalar(select(TinkerRequestRow.seq).where(TinkerRequestRow.id == request_id))
    assert seq is not None
    return seq


def test_a_claimed_model_runs_its_requests_in_seq_order(database: Database) -> None:
    _seed(database, seq_ids=[2, 3, 1])
    pending = queue.next_pending_model(database)
    assert pending is not None and pending.id == MODEL
    assert queue.claim_model(database, model_id=MODEL, worker="w1", slot="0", scheduler="s")
    # A second scheduler's claim of the same model finds it taken.
    assert queue.claim_model(database, model_id=MODEL, worker="w2", slot="1", scheduler="t") is None
    create = queue.create_request(database, model_id=MODEL)
    assert create is not None
    assert queue.mark_ready(
        database, model_id=MODEL, worker="w1", request_id=create.id, result=b"{}"
    )
    assert _status(database, "create")[0] == "done"
    order = []
    while (request := queue.next_request(database, model_id=MODEL)) is not None:
        assert request.seq_id is not None
        assert queue.start_request(database, request_id=request.id)
        order.append(request.seq_id)
        assert queue.finish_request(
            database,
            model_id=MODEL,
            worker="w1",
            request_id=request.id,
            seq_id=request.seq_id,
            result=b"x",
            result_type="proto",
        )
    assert order == [1, 2, 3]
    model = queue.find_model(database, model_id=MODEL)
    assert model is not None and model.done_seq_id == 3


def test_a_worker_given_up_on_can_no_longer_write(database: Database) -> None:
    _seed(database, seq_ids=[1, 2])
    queue.claim_model(database, model_id=MODEL, worker="w1", slot="0", scheduler="s")
    queue.mark_ready(database, model_id=MODEL, worker="w1", request_id=None, result=b"{}")
    assert queue.heartbeat(database, model_id=MODEL, worker="w1")
    assert queue.end_model(
        database, model_id=MODEL, status=queue.LOST, message="lost; load_state", category="server"
    )
    # Every open future of the lost model failed with category server, create_model too.
    assert _status(database, "r1") == (
        "failed",
        {"error": "lost; load_state", "category": "server"},
    )
    assert _status(database, "create")[0] == "failed"
    assert not queue.heartbeat(database, model_id=MODEL, worker="w1")
    assert not queue.finish_request(
        database,
        model_id=MODEL,
        worker="w1",
        request_id="r1",
        seq_id=1,
        result=b"",
        result_type="json",
    )
    assert queue.held_models(database) == []


def test_requests_to_an_ended_model_fail_as_the_callers_to_fix(database: Database) -> None:
    _seed(database, seq_ids=[])
    queue.end_model(
        database, model_id=MODEL, status=queue.CLOSED, message="closed", category="user"
    )
    with database.session() as session:
        session.add(_request("late", "forward_backward", 1))
    failed = queue.fail_requests_of_ended_models(
        database, messages={queue.CLOSED: "reclaimed: load_state"}
    )
    assert failed == 1
    assert _status(database, "late") == (
        "failed",
        {"error": "reclaimed: load_state", "category": "user"},
    )
