"""Tinker sampling and checkpoints, driven by the unmodified tinker 0.38 SDK against `whetstone
serve`: a LoRA client learns a reply, its sampler weights sample it greedily with per-token
and prompt logprobs, the checkpoint is listed and downloaded as a PEFT adapter peft loads and
that answers the same reply, and /v1/completions answers it under the tinker:// name."""

from __future__ import annotations

import io
import math
import tarfile
from collections.abc import Iterator
from pathlib import Path

import httpx
import numpy as np
import pytest
import tinker
from tinker import types

from tests.e2e.conftest import openai_client
from tests.harness import ServerProcess
from tests.inference.fixtures import emulator_dir, shared_models_dir

pytestmark = pytest.mark.e2e

MODEL = "whetstone-tiny"
API_KEY = "tml-e2e-sampling"
PROMPT = [5, 17, 42, 8]
REPLY = [99, 100, 101, 102]
ADAM = types.AdamParams(learning_rate=1e-2)
GREEDY = types.SamplingParams(max_tokens=len(REPLY), temperature=0.0, stop=[])


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    """One server for the module (no keys file: any `tml-` key is the local project's)."""
    process = ServerProcess(Path(tmp_path_factory.mktemp("server"))).start()
    yield process
    process.stop()


@pytest.fixture(scope="module")
def service(server: ServerProcess) -> Iterator[tinker.ServiceClient]:
    """The SDK's ServiceClient on the server's root (TINKER_BASE_URL); closed before the
    server stops, so that its heartbeat thread does not outlive the server."""
    with tinker.ServiceClient(base_url=server.base_url, api_key=API_KEY) as client:
        yield client


@pytest.fixture(scope="module")
def trained(service: tinker.ServiceClient) -> tinker.TrainingClient:
    """A LoRA client trained until the prompt's greedy reply is REPLY."""
    return train_reply(service)


def train_reply(service: tinker.ServiceClient) -> tinker.TrainingClient:
    """A LoRA client on the emulator, trained until the prompt's greedy reply is REPLY."""
    client = service.create_lora_training_client(base_model=MODEL, rank=8, seed=0).result()
    tokens = PROMPT + REPLY
    datum = types.Datum(
        model_input=types.ModelInput.from_ints(tokens[:-1]),
        loss_fn_inputs={
            "target_tokens": np.array(tokens[1:], dtype=np.int64),
            "weights": np.array([0.0] * (len(PROMPT) - 1) + [1.0] * len(REPLY), dtype=np.float32),
        },
    )
    for _ in range(15):
        client.forward_backward([datum], "cross_entropy")
        client.optim_step(ADAM).result()
    return client


def test_sampler_weights_sample_the_learned_reply(trained: tinker.TrainingClient) -> None:
    sampler = trained.save_weights_and_get_sampling_client().result()
    result = sampler.sample(
        types.ModelInput.from_ints(PROMPT),
        num_samples=2,
        sampling_params=GREEDY,
        include_prompt_logprobs=True,
    ).result()
    first, second = result.sequences
    assert first.tokens == second.tokens == REPLY
    assert first.sequence_id != second.sequence_id
    assert first.logprobs is not None and len(first.logprobs) == len(REPLY)
    assert all(math.isfinite(lp) and lp <= 0 for lp in first.logprobs)
    # Learned: each reply token is the likeliest, so more likely than not on a 2-way split.
    assert all(lp > math.log(0.5) for lp in first.logprobs)
    assert result.prompt_logprobs is not None and result.prompt_logprobs[0] is None
    assert len(result.prompt_logprobs) == len(PROMPT)
    assert all(lp is not None and lp <= 0 for lp in result.prompt_logprobs[1:])
    scored = sampler.compute_logprobs(types.ModelInput.from_ints(PROMPT + REPLY)).result()
    assert scored[len(PROMPT) :] == pytest.approx(first.logprobs, abs=1e-3)


def test_the_checkpoint_is_listed_downloaded_and_served(
    trained: tinker.TrainingClient,
    service: tinker.ServiceClient,
    server: ServerProcess,
    tmp_path_factory: pytest.TempPathFactory,
    tmp_path: Path,
) -> None:
    import torch
    from peft import PeftModel
    from safetensors.torch import load as safetensors_load
    from transformers import AutoModelForCausalLM

    path = trained.save_weights_for_sampler("learned").result().path
    assert path == f"tinker://{trained.model_id}/sampler_weights/learned"
    by_path = service.create_sampling_client(model_path=path).result()
    greedy = by_path.sample(types.ModelInput.from_ints(PROMPT), 1, GREEDY).result()
    assert greedy.sequences[0].tokens == REPLY

    rest = tinker.RestClient(base_url=server.base_url, api_key=API_KEY)
    listed = rest.list_checkpoints(trained.model_id).result().checkpoints
    learned = [c for c in listed if c.tinker_path == path]
    assert [c.checkpoint_type for c in learned] == ["sampler"]
    run = rest.get_training_run(trained.model_id).result()
    assert run.base_model == MODEL and run.lora_rank == 8

    archive = httpx.get(
        f"{server.base_url}/api/v1/training_runs/{trained.model_id}/checkpoints/"
        "sampler_weights/learned/archive",
        headers={"X-API-Key": API_KEY},
        follow_redirects=True,
    )
    assert archive.status_code == 200
    with tarfile.open(fileobj=io.BytesIO(archive.content)) as tar:
        tar.extractall(tmp_path / "adapter", filter="data")
    base_dir = emulator_dir(shared_models_dir(tmp_path_factory))
    base = AutoModelForCausalLM.from_pretrained(base_dir, local_files_only=True)
    model = PeftModel.from_pretrained(base, tmp_path / "adapter").eval()
    tokens = list(PROMPT)
    with torch.no_grad():
        for _ in REPLY:
            tokens.append(int(model(torch.tensor([tokens])).logits[0, -1].argmax()))
    assert tokens[len(PROMPT) :] == REPLY

    # The external export: its signed per-file URLs give the same adapter as the archive,
    # and the model's order goes on past it.
    exported = trained.save_weights_external("exported").result()
    assert exported.path == f"tinker://{trained.model_id}/external_weights/exported"
    urls = rest.get_external_weights_urls(exported.path).result().urls
    assert {"adapter_config.json", "adapter_model.safetensors"} <= set(urls)
    weights = httpx.get(urls["adapter_model.safetensors"]).raise_for_status().content
    archived = (tmp_path / "adapter" / "adapter_model.safetensors").read_bytes()
    assert safetensors_load(weights).keys() == safetensors_load(archived).keys()
    for key, tensor in safetensors_load(weights).items():
        assert torch.equal(tensor, safetensors_load(archived)[key]), key
    assert trained.save_weights_for_sampler("after").result().path.endswith("/after")

    completion = openai_client(server).completions.create(
        model=path, prompt=PROMPT, max_tokens=len(REPLY), temperature=0
    )
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(base_dir, local_files_only=True)
    assert completion.choices[0].text == tokenizer.decode(REPLY, skip_special_tokens=True)
