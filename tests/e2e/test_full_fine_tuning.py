"""Full fine-tuning end to end with the official SDK against a `whetstone serve` process.

`training_type: "full"` jobs of the emulator and of a tiny random Qwen2 (built here from
transformers' Qwen2Config with the emulator's tokenizer, listed in a models file) train, save a
whole model, and serve it under their `ft:` names as models of their own. The server keeps one
full model loaded (WHETSTONE_MAX_LOADED_FULL_MODELS=1), so serving the two in turn unloads and
reloads them. The emulator job's worker is killed after its first checkpoint and the job resumes
from it, as LoRA jobs do.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import openai
import pytest

from tests.contract.openai_schema import validate_response
from tests.e2e.conftest import openai_client
from tests.e2e.test_dpo import preference_file
from tests.e2e.test_fine_tuning import (
    BASE,
    FINISHED,
    SENTENCE,
    events,
    raw_json,
    upload,
    wait_status,
)
from tests.harness import ServerProcess

pytestmark = pytest.mark.e2e

QWEN = "tiny-qwen2"
# 20 examples in batches of 4: 5 steps an epoch, a checkpoint at steps 5 and 10.
FULL = {"training_type": "full", "n_epochs": 2, "batch_size": 4}
PROMPT = [{"role": "user", "content": "Tell me something, please (3)."}]


def build_tiny_qwen2(directory: Path, tokenizer_dir: Path) -> Path:
    """A random 2-layer Qwen2 (hidden 64) over the emulator's tokenizer, saved with it."""
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer, Qwen2Config

    tokenizer = AutoTokenizer.from_pretrained(tokenizer_dir)
    config = Qwen2Config(
        vocab_size=len(tokenizer),
        hidden_size=64,
        intermediate_size=128,
        num_hidden_layers=2,
        num_attention_heads=4,
        num_key_value_heads=2,
        max_position_embeddings=512,
        pad_token_id=tokenizer.pad_token_id,
        bos_token_id=tokenizer.bos_token_id,
        eos_token_id=tokenizer.eos_token_id,
        initializer_range=0.1,
    )
    torch.manual_seed(0)
    AutoModelForCausalLM.from_config(config).save_pretrained(directory)
    tokenizer.save_pretrained(directory)
    return directory


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    """A server whose models file adds the tiny Qwen2, keeping one full model loaded."""
    from service.catalog import EMULATOR_NAME, Catalog

    root = tmp_path_factory.mktemp("full")
    catalog = Catalog.load(data_dir=root / "data", models_file=None)
    tokenizer_dir = catalog.tokenizer_path(catalog.resolve(EMULATOR_NAME))
    qwen = build_tiny_qwen2(root / "qwen2", tokenizer_dir)
    models = root / "models.json"
    models.write_text(json.dumps({"models": {QWEN: {"path": str(qwen), "context_length": 512}}}))
    process = ServerProcess(
        root / "data",
        env={"WHETSTONE_MODELS_FILE": str(models), "WHETSTONE_MAX_LOADED_FULL_MODELS": "1"},
    ).start()
    yield process
    process.stop()


@pytest.fixture(scope="module")
def client(server: ServerProcess) -> openai.OpenAI:
    return openai_client(server)


def create_full(client: openai.OpenAI, model: str, **options: Any) -> str:
    return client.fine_tuning.jobs.create(
        model=model,
        training_file=upload(client),
        method={"type": "supervised", "supervised": {"hyperparameters": FULL}},
        seed=3,
        **options,
    ).id


def chat(client: openai.OpenAI, model: str, **options: Any) -> Any:
    return client.chat.completions.create(
        model=model, messages=PROMPT, temperature=0, max_tokens=16, **options
    )


def test_an_unknown_training_type_is_a_400_naming_it(client: openai.OpenAI) -> None:
    for method, value in [("supervised", "qlora"), ("dpo", "Full"), ("reinforcement", "full")]:
        extra = (
            {
                "grader": {
                    "type": "string_check",
                    "name": "g",
                    "input": "{{sample.output_text}}",
                    "reference": "x",
                    "operation": "eq",
                }
            }
            if method == "reinforcement"
            else {}
        )
        with pytest.raises(openai.BadRequestError) as caught:
            client.fine_tuning.jobs.create(
                model=BASE,
                training_file=upload(client),
                method={
                    "type": method,
                    method: {"hyperparameters": {"training_type": value}, **extra},
                },
            )
        body = caught.value.body
        assert isinstance(body, dict), body
        assert body["param"] == f"method.{method}.hyperparameters.training_type", body


def test_full_jobs_train_recover_serve_as_models_of_their_own_and_delete(
    client: openai.OpenAI, server: ServerProcess
) -> None:
    # Killed after step 6, past the step-5 checkpoint: the retry resumes from it.
    emulator_job = create_full(
        client, BASE, metadata={"whetstone_fault": "crash_worker", "whetstone_fault_step": "6"}
    )
    qwen_job = create_full(client, QWEN)
    done = wait_status(client, emulator_job, FINISHED)
    assert done.status == "succeeded", done.error
    said = [event.message for event in events(client, emulator_job)]
    assert "Resuming fine-tuning job from step 5 after restart" in said
    assert done.method.supervised.hyperparameters.training_type == "full"
    body = raw_json(server, f"/fine_tuning/jobs/{emulator_job}")
    validate_response("/fine_tuning/jobs/{fine_tuning_job_id}", "get", 200, body)
    assert body["method"]["supervised"]["hyperparameters"] == {
        "batch_size": 4,
        "learning_rate_multiplier": 1.0,
        "n_epochs": 2,
        # Resolved: an explicit n_epochs trains every step it asks for.
        "early_stopping": False,
        "training_type": "full",
    }
    artifacts = server.data_dir / "artifacts" / "jobs" / emulator_job
    assert (artifacts / "model" / "config.json").is_file()
    assert (artifacts / "model" / "tokenizer.json").is_file()
    assert not (artifacts / "adapter").exists()
    checkpoints = client.fine_tuning.jobs.checkpoints.list(emulator_job).data
    assert {c.step_number for c in checkpoints} == {5, 10}
    assert (artifacts / "checkpoints" / "step-5" / "model" / "config.json").is_file()

    emulator_model = done.fine_tuned_model
    # OpenAI's SFT-then-DPO flow on the full model: the DPO job is full too, from its weights.
    dpo_job = client.fine_tuning.jobs.create(
        model=emulator_model,
        training_file=upload(client, preference_file(12)),
        method={"type": "dpo", "dpo": {"hyperparameters": {"n_epochs": 1, "batch_size": 6}}},
        seed=3,
    ).id
    reply = chat(client, emulator_model)
    assert reply.choices[0].message.content == SENTENCE
    streamed = "".join(
        chunk.choices[0].delta.content or ""
        for chunk in chat(client, emulator_model, stream=True)
        if chunk.choices
    )
    assert streamed == SENTENCE

    qwen_done = wait_status(client, qwen_job, FINISHED)
    assert qwen_done.status == "succeeded", qwen_done.error
    qwen_model = qwen_done.fine_tuned_model
    assert qwen_model.startswith(f"ft:{QWEN}:")
    qwen_reply = chat(client, qwen_model)
    # The served answer is the saved model's own greedy output (one full model at a time:
    # loading this one unloaded the emulator's).
    assert qwen_reply.choices[0].message.content == reference_reply(
        server.data_dir / "artifacts" / "jobs" / qwen_job / "model"
    )
    assert "unloading fine-tuned model " + emulator_model in server.log()
    # Loaded again on its next use, and a checkpoint serves the same way.
    assert chat(client, emulator_model).choices[0].message.content == SENTENCE
    checkpoint = next(c for c in checkpoints if c.step_number == 5)
    assert chat(client, checkpoint.fine_tuned_model_checkpoint).choices[0].finish_reason

    dpo_done = wait_status(client, dpo_job, FINISHED)
    assert dpo_done.status == "succeeded", dpo_done.error
    assert dpo_done.method.dpo.hyperparameters.training_type == "full"
    assert (server.data_dir / "artifacts" / "jobs" / dpo_job / "model" / "config.json").is_file()

    listed = {model.id for model in client.models.list()}
    assert {emulator_model, qwen_model} <= listed
    assert client.models.delete(emulator_model).deleted
    with pytest.raises(openai.NotFoundError):
        chat(client, emulator_model)
    assert not (artifacts / "model").exists()
    cached = server.data_dir / "cache" / "full-models"
    assert len([p for p in cached.iterdir() if not p.name.startswith(".")]) == 1  # qwen's
    assert (
        chat(client, qwen_model).choices[0].message.content == qwen_reply.choices[0].message.content
    )
    # Evicting a model lets what it is generating finish: a long stream of the Qwen model
    # goes on while its checkpoint, loaded meanwhile, takes its place.
    qwen_checkpoint = checkpoint_name(client, qwen_job)
    eos = json.loads(
        (server.data_dir / "artifacts" / "jobs" / qwen_job / "model" / "config.json").read_text()
    )["eos_token_id"]
    stream = client.chat.completions.create(
        model=qwen_model,
        messages=PROMPT,
        max_tokens=400,
        temperature=0,
        logit_bias={str(eos): -100},
        stream=True,
        stream_options={"include_usage": True},
    )
    chunks = iter(stream)
    first = next(chunks)
    with ThreadPoolExecutor(1) as pool:
        other = pool.submit(chat, client, qwen_checkpoint)
        rest = list(chunks)
        assert other.result(timeout=60).choices[0].finish_reason
    assert [c.choices[0].finish_reason for c in [first, *rest] if c.choices][-1] == "length"
    assert rest[-1].usage is not None and rest[-1].usage.completion_tokens == 400
    assert "unloading fine-tuned model " + qwen_model in server.log()


def checkpoint_name(client: openai.OpenAI, job_id: str) -> str:
    """The job's earliest listed checkpoint model."""
    listed = client.fine_tuning.jobs.checkpoints.list(job_id).data
    return min(listed, key=lambda c: c.step_number).fine_tuned_model_checkpoint


def reference_reply(model_dir: Path) -> str:
    """transformers' own greedy reply of the saved model to PROMPT (16 tokens at most)."""
    from transformers import AutoModelForCausalLM, AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(model_dir)
    model = AutoModelForCausalLM.from_pretrained(model_dir).eval()
    inputs = tokenizer.apply_chat_template(
        PROMPT, add_generation_prompt=True, return_tensors="pt", return_dict=True
    )
    output = model.generate(**inputs, max_new_tokens=16, do_sample=False)
    return tokenizer.decode(output[0, inputs["input_ids"].shape[1] :], skip_special_tokens=True)
