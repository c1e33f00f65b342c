"""A full fine-tuning job of a model too large for the machine fails before loading it, with
`insufficient_memory` naming the bytes needed and available."""

from __future__ import annotations

import json
import os
import shutil
import time
from pathlib import Path

from service.catalog import EMULATOR_NAME, Catalog
from service.core.config import Settings
from service.core.db import Database
from service.files import operations as files
from service.scheduler.worker import JobRun, WorkerAssignment
from service.storage.local import LocalStore
from tests.e2e.test_fine_tuning import chat_file
from tests.fine_tuning.factories import make_job, reload


def huge_model(directory: Path, tokenizer_dir: Path) -> Path:
    """The config of a 70B-parameter Llama (no weights: nothing gets that far) and a tokenizer."""
    directory.mkdir()
    for name in ("tokenizer.json", "tokenizer_config.json", "chat_template.jinja"):
        if (tokenizer_dir / name).is_file():
            shutil.copy(tokenizer_dir / name, directory / name)
    config = {
        "model_type": "llama",
        "architectures": ["LlamaForCausalLM"],
        "hidden_size": 8192,
        "intermediate_size": 28672,
        "num_hidden_layers": 80,
        "num_attention_heads": 64,
        "num_key_value_heads": 8,
        "vocab_size": 1024,
        "max_position_embeddings": 2048,
    }
    (directory / "config.json").write_text(json.dumps(config))
    return directory


def test_a_model_too_large_to_train_fully_fails_the_job_before_loading(
    database_url: str, database: Database, tmp_path: Path
) -> None:
    data_dir = tmp_path / "data"
    catalog = Catalog.load(data_dir=data_dir, models_file=None)
    tokenizer_dir = catalog.tokenizer_path(catalog.resolve(EMULATOR_NAME))
    models = tmp_path / "models.json"
    huge = huge_model(tmp_path / "huge", tokenizer_dir)
    models.write_text(json.dumps({"models": {"huge": {"path": str(huge)}}}))
    settings = Settings(data_dir=data_dir, database_url=database_url, models_file=models)
    store = LocalStore(tmp_path / "artifacts")
    training = files.store_file(
        database,
        store,
        project="proj_a",
        filename="t.jsonl",
        purpose="fine-tune",
        chunks=[chat_file()],
    )
    job = make_job(
        database,
        status="running",
        worker="w1",
        model="huge",
        training_file=training.id,
        method={"type": "supervised", "supervised": {"hyperparameters": {"training_type": "full"}}},
    )
    assignment = WorkerAssignment(
        settings=settings,
        job_id=job.id,
        worker="w1",
        device="cpu",
        threads=1,
        parent_pid=os.getpid(),
    )
    started = time.monotonic()
    JobRun(assignment, database, store).run()
    assert time.monotonic() - started < 30  # refused from the config, no 280 GB load attempted
    failed = reload(database, job.id)
    assert failed.status == "failed" and failed.error is not None
    assert failed.error["code"] == "insufficient_memory"
    message = failed.error["message"]
    assert message.startswith("Full fine-tuning of this model needs about ")
    assert "parameters x 16 bytes" in message and "cpu has " in message
