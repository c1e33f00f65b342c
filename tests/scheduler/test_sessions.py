"""The Tinker session worker in this process: requests run strictly in seq_id order, whatever
order they arrive in, a chunked forward_backward reaches the trainer chunk by chunk before its
optim_step, a request the caller must fix fails alone, and saves land in the store."""

from __future__ import annotations

import json
import threading
from pathlib import Path

from service.core.config import Settings
from service.core.db import Database
from service.migrations import upgrade_database
from service.storage import open_store
from service.tinker import queue
from tests.scheduler.tinker_factories import (
    MODEL,
    SESSION,
    RecordingTrainer,
    add_model,
    forward_backward_payload,
    model,
    optim_payload,
    request,
    session_run,
    submit,
)


def test_requests_run_in_seq_order_and_chunks_accumulate_before_the_step(data_dir: Path) -> None:
    settings = Settings(data_dir=data_dir, tinker_worker_heartbeat_seconds=0.2)
    db = Database(settings.resolved_database_url)
    upgrade_database(db)
    add_model(db)
    assert queue.claim_model(db, model_id=MODEL, worker="w-test", slot="cpu", scheduler="s")
    # One forward_backward in three chunks (seq 1-3): the SDK sends the first chunk last.
    chunks = {seq_id: [seq_id, 10 + seq_id, 20 + seq_id] for seq_id in (1, 2, 3)}
    ids = {
        seq_id: submit(
            db,
            kind="forward_backward",
            seq_id=seq_id,
            payload=forward_backward_payload(seq_id, chunks[seq_id]),
            payload_type="proto",
        )
        for seq_id in (2, 3)
    }
    trainer = RecordingTrainer()
    worker = threading.Thread(target=session_run(settings, db, trainer).run)
    worker.start()
    try:
        ids[4] = submit(db, kind="optim_step", seq_id=4, payload=optim_payload(0.01))
        ids[5] = submit(
            db,
            kind="forward_backward",
            seq_id=5,
            payload=forward_backward_payload(5, [1, 2, 3], loss_fn="hinge"),
            payload_type="proto",
        )
        ids[6] = submit(
            db, kind="save_weights", seq_id=6, payload=json.dumps({"path": "s1"}).encode()
        )
        ids[7] = submit(
            db,
            kind="save_weights_for_sampler",
            seq_id=7,
            payload=json.dumps({"sampling_session_seq_id": 0}).encode(),
        )
        ids[8] = submit(
            db,
            kind="load_weights",
            seq_id=8,
            payload=json.dumps(
                {"path": f"tinker://{MODEL}/weights/s1", "optimizer": True}
            ).encode(),
        )
        ids[9] = submit(db, kind="unload_model", seq_id=9, payload=b"{}")
        # The first chunk arrives last; nothing after seq 1 may have run before it.
        ids[1] = submit(
            db,
            kind="forward_backward",
            seq_id=1,
            payload=forward_backward_payload(1, chunks[1]),
            payload_type="proto",
        )
    finally:
        worker.join(timeout=120)
    assert not worker.is_alive()
    assert trainer.calls == [
        ("forward_backward", [chunks[1][:-1]]),
        ("forward_backward", [chunks[2][:-1]]),
        ("forward_backward", [chunks[3][:-1]]),
        ("optim_step", 0.01),
        ("load_state", ["adapter_config.json"]),
    ]
    assert [request(db, ids[seq]).status for seq in range(1, 10)] == [
        "done",
        "done",
        "done",
        "done",
        "failed",
        "done",
        "done",
        "done",
        "done",
    ]
    assert request(db, ids[1]).result_type == "proto"
    # The unknown loss failed alone, as the caller's to fix.
    assert request(db, ids[5]).error == {"error": "Unknown loss_fn 'hinge'.", "category": "user"}
    assert json.loads(request(db, ids[4]).result or b"") == {
        "metrics": {"grad_norm:mean": 0.0},
        "type": "optim_step",
    }
    assert json.loads(request(db, ids[6]).result or b"") == {
        "path": f"tinker://{MODEL}/weights/s1",
        "type": "save_weights",
    }
    assert json.loads(request(db, ids[7]).result or b"") == {
        "path": f"tinker://{MODEL}/sampler_weights/ephemeral-0",
        "sampling_session_id": f"{SESSION}:sample:0",
        "type": "save_weights_for_sampler",
    }
    store = open_store(settings)
    assert store.exists(f"tinker/proj/{MODEL}/weights/s1/adapter_config.json")
    assert store.exists(f"tinker/proj/{MODEL}/sampler_weights/ephemeral-0/adapter_config.json")
    # Unloaded: the model is closed, and its slot is the scheduler's to free.
    held = model(db)
    assert held.status == "closed" and held.done_seq_id == 9
    db.dispose()


def test_a_resave_under_the_same_name_gets_a_key_of_its_own(data_dir: Path) -> None:
    # The engines cache adapters by storage key: weights rewritten under the old key would
    # keep being served stale, so the second save lands under a new key and the old one goes.
    settings = Settings(data_dir=data_dir, tinker_worker_heartbeat_seconds=0.2)
    db = Database(settings.resolved_database_url)
    upgrade_database(db)
    add_model(db)
    assert queue.claim_model(db, model_id=MODEL, worker="w-test", slot="cpu", scheduler="s")
    for seq_id in (1, 2):
        submit(
            db,
            kind="save_weights_for_sampler",
            seq_id=seq_id,
            payload=json.dumps({"path": "named"}).encode(),
        )
    submit(db, kind="unload_model", seq_id=3, payload=b"{}")
    worker = threading.Thread(target=session_run(settings, db, RecordingTrainer()).run)
    worker.start()
    worker.join(timeout=120)
    assert not worker.is_alive()
    saved = queue.find_checkpoint(db, tinker_path=f"tinker://{MODEL}/sampler_weights/named")
    assert saved is not None
    first_key = f"tinker/proj/{MODEL}/sampler_weights/named"
    assert saved.storage_key.startswith(first_key + "-")
    store = open_store(settings)
    assert store.exists(f"{saved.storage_key}/adapter_config.json")
    assert store.list_keys(first_key + "/") == []
    db.dispose()
