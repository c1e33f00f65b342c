"""The Tinker front door, driven by the unmodified tinker 0.38 SDK against `whetstone serve`:
a LoRA training client on the emulator trains (cross_entropy + Adam) and its saved state
resumes exactly in a new client; an unsupported SDK version is refused with the range named."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
import tinker
from tinker import types

from tests.harness import ServerProcess

pytestmark = pytest.mark.e2e

MODEL = "whetstone-tiny"
API_KEY = "tml-e2e-training"
ADAM = types.AdamParams(learning_rate=2e-2)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    """One server for the module (no keys file: any `tml-` key is the local project's)."""
    # Four training clients live at once in the module, each holding a slot.
    process = ServerProcess(
        Path(tmp_path_factory.mktemp("server")), env={"WHETSTONE_CPU_SLOTS": "4"}
    ).start()
    yield process
    process.stop()


@pytest.fixture(scope="module")
def service(server: ServerProcess) -> Iterator[tinker.ServiceClient]:
    """The SDK's ServiceClient on the server's root (TINKER_BASE_URL); closing it finishes
    the session, which unloads its models."""
    client = tinker.ServiceClient(base_url=server.base_url, api_key=API_KEY)
    yield client
    client.close("success").result()


def _datum(prompt: list[int], reply: list[int]) -> types.Datum:
    """A next-token datum whose loss counts the reply's tokens only."""
    tokens = prompt + reply
    weights = [0.0] * (len(prompt) - 1) + [1.0] * len(reply)
    return types.Datum(
        model_input=types.ModelInput.from_ints(tokens[:-1]),
        loss_fn_inputs={
            "target_tokens": types.TensorData.from_numpy(np.array(tokens[1:], dtype=np.int64)),
            "weights": types.TensorData.from_numpy(np.array(weights, dtype=np.float32)),
        },
    )


BATCH = [
    _datum([5, 17, 42, 8], [99, 100, 101, 102]),
    _datum([5, 23, 7], [64, 65, 66]),
]


def _step(client: tinker.TrainingClient) -> float:
    """One forward_backward + optim_step; the batch's summed loss before the step."""
    backward = client.forward_backward(BATCH, "cross_entropy")
    step = client.optim_step(ADAM)
    output = backward.result()
    step.result()
    return float(output.metrics["loss:sum"])


def _loss(client: tinker.TrainingClient) -> float:
    """The batch's summed loss now (a forward pass, no gradient)."""
    return float(client.forward(BATCH, "cross_entropy").result().metrics["loss:sum"])


def test_training_falls_and_saved_state_resumes_exactly(
    server: ServerProcess, service: tinker.ServiceClient
) -> None:
    rest = tinker.RestClient(base_url=server.base_url, api_key=API_KEY)
    capabilities = rest.get_server_capabilities().result()
    assert MODEL in [model.model_name for model in capabilities.supported_models]

    client = service.create_lora_training_client(base_model=MODEL, rank=8, seed=0).result()
    info = client.get_info()
    assert info.model_data.model_name == MODEL
    assert info.lora_rank == 8

    output = client.forward_backward(BATCH, "cross_entropy").result()
    # One logprob per input token of each datum, and metric keys with exactly one colon.
    assert [len(out["logprobs"].tolist()) for out in output.loss_fn_outputs] == [
        len(datum.model_input.to_ints()) for datum in BATCH
    ]
    assert all(key.count(":") == 1 for key in output.metrics)
    client.optim_step(ADAM).result()

    losses = [_step(client) for _ in range(4)]
    assert losses[-1] < losses[0]

    saved = client.save_state("after-five").result()
    assert saved.path == f"tinker://{client.model_id}/weights/after-five"

    # What the old client sees next: one more step, then the loss after it.
    _step(client)
    expected = _loss(client)

    # A new client loads the state with its optimizer, and continues exactly.
    resumed = service.create_lora_training_client(base_model=MODEL, rank=8, seed=1).result()
    with pytest.warns(FutureWarning, match="load_state"):
        resumed.load_state_with_optimizer(saved.path).result()
    _step(resumed)
    assert _loss(resumed) == pytest.approx(expected, rel=1e-4, abs=1e-4)

    # So does one created from the state (load_weights creating the model).
    restored = service.create_training_client_from_state_with_optimizer(saved.path).result()
    _step(restored)
    assert _loss(restored) == pytest.approx(expected, rel=1e-4, abs=1e-4)


def test_bad_requests_fail_their_future_with_the_reason(service: tinker.ServiceClient) -> None:
    with pytest.raises(tinker.RequestFailedError, match="no-such-model") as refused:
        service.create_lora_training_client(base_model="no-such-model", rank=8).result()
    assert refused.value.category == types.RequestErrorCategory.User
    client = service.create_lora_training_client(base_model=MODEL, rank=4).result()
    with pytest.raises(tinker.RequestFailedError, match="not_a_loss") as refused:
        client.forward_backward(BATCH, "not_a_loss").result()  # type: ignore[arg-type]
    assert refused.value.category == types.RequestErrorCategory.User
    # The model's order goes on past the refused request.
    assert _step(client) > 0


def test_unsupported_sdk_version_is_refused_naming_the_range(
    server: ServerProcess, monkeypatch: pytest.MonkeyPatch
) -> None:
    import tinker.lib.internal_client_holder as holder
    import tinker.lib.sdk_method as sdk_method

    monkeypatch.setattr(holder, "tinker_sdk_version", "0.37.2")
    monkeypatch.setattr(sdk_method, "tinker_sdk_version", "0.37.2")
    # The SDK connects on first use: its client/config call carries the version.
    client = tinker.ServiceClient(base_url=server.base_url, api_key=API_KEY)
    with pytest.raises(tinker.BadRequestError, match=r"tinker>=0\.38\.0,<0\.39"):
        client.create_lora_training_client(base_model=MODEL, rank=4).result()
