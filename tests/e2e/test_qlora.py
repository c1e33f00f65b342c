"""QLoRA end to end on the CPU, with the official SDK against a `whetstone serve` process: a
models-file entry with `quantization: nf4` (the emulator's weights) trains its LoRA over the
base loaded in 4 bits by bitsandbytes, and the `ft:` model is served on the unquantized base."""

from __future__ import annotations

import json
from collections.abc import Iterator

import openai
import pytest

from tests.e2e.conftest import openai_client
from tests.e2e.test_fine_tuning import SENTENCE, upload, wait_status
from tests.harness import ServerProcess

pytestmark = pytest.mark.e2e

pytest.importorskip("bitsandbytes")

MODEL = "tiny-nf4"
# 20 examples in batches of 2, 3 epochs: 30 steps at the highest rate a pretrained model's
# defaults allow (2e-4 x 10).
QLORA = {"n_epochs": 3, "batch_size": 2, "learning_rate_multiplier": 10}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    """A server whose models file lists the emulator's weights as an NF4 base."""
    from service.catalog import EMULATOR_NAME, Catalog

    root = tmp_path_factory.mktemp("qlora")
    catalog = Catalog.load(data_dir=root / "data", models_file=None)
    weights = catalog.local_path(catalog.resolve(EMULATOR_NAME))
    models = root / "models.json"
    models.write_text(
        json.dumps(
            {
                "models": {
                    MODEL: {"path": str(weights), "context_length": 512, "quantization": "nf4"}
                }
            }
        )
    )
    process = ServerProcess(root / "data", env={"WHETSTONE_MODELS_FILE": str(models)}).start()
    yield process
    process.stop()


def test_a_qlora_job_trains_and_its_model_is_served(server: ServerProcess) -> None:
    client = openai_client(server)
    job_id = client.fine_tuning.jobs.create(
        model=MODEL,
        training_file=upload(client),
        method={"type": "supervised", "supervised": {"hyperparameters": QLORA}},
        seed=3,
    ).id
    job = wait_status(client, job_id, ("succeeded", "failed", "cancelled"))
    assert job.status == "succeeded", job.error
    assert job.fine_tuned_model is not None
    reply = client.chat.completions.create(
        model=job.fine_tuned_model,
        messages=[{"role": "user", "content": "Tell me something, please (3)."}],
        temperature=0,
        max_tokens=16,
    )
    assert reply.choices[0].message.content == SENTENCE
    # A 4-bit base trains adapters only.
    with pytest.raises(openai.BadRequestError, match="QLoRA"):
        client.fine_tuning.jobs.create(
            model=MODEL,
            training_file=upload(client),
            method={
                "type": "supervised",
                "supervised": {"hyperparameters": {"training_type": "full"}},
            },
        )
