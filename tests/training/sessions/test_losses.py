"""Each Tinker loss against its documented formula, computed here on the same tensors.

The references below are written from tinker-docs.thinkingmachines.ai/tinker/losses (and its
ppo / cispo / dro pages): the per-token target log-probabilities come from the model's logits by
log_softmax and gather (the trainer takes them another way), the loss is the formula summed
over tokens, and both the loss value and every LoRA gradient must match.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest
import torch

from service.catalog import Catalog
from service.core.errors import InvalidRequestError
from service.training.sessions import AdamSpec, LoraSpec, TrainingDatum
from service.training.sessions import trainer as trainer_module
from service.training.sessions.trainer import SessionTrainer
from tests.training.sessions.conftest import supervised_datum

Formula = Callable[[torch.Tensor, dict[str, torch.Tensor]], torch.Tensor]


def _ratio(logp: torch.Tensor, inputs: dict[str, torch.Tensor]) -> torch.Tensor:
    return torch.exp(logp - inputs["logprobs"])


FORMULAS: dict[str, tuple[dict[str, float] | None, Formula]] = {
    "cross_entropy": (None, lambda logp, x: -(x["weights"] * logp).sum()),
    "importance_sampling": (None, lambda logp, x: -(_ratio(logp, x) * x["advantages"]).sum()),
    "ppo": (
        None,
        lambda logp, x: (
            -torch.min(
                _ratio(logp, x) * x["advantages"],
                torch.clamp(_ratio(logp, x), 0.8, 1.2) * x["advantages"],
            ).sum()
        ),
    ),
    "ppo-config": (
        {"clip_low_threshold": 0.95, "clip_high_threshold": 1.02},
        lambda logp, x: (
            -torch.min(
                _ratio(logp, x) * x["advantages"],
                torch.clamp(_ratio(logp, x), 0.95, 1.02) * x["advantages"],
            ).sum()
        ),
    ),
    # Per-token bounds in loss_fn_inputs (the SDK's Datum types them float32) win over config.
    "ppo-per-token": (
        {"clip_low_threshold": 0.5, "clip_high_threshold": 2.0},
        lambda logp, x: (
            -torch.min(
                _ratio(logp, x) * x["advantages"],
                torch.clamp(_ratio(logp, x), x["clip_low_threshold"], x["clip_high_threshold"])
                * x["advantages"],
            ).sum()
        ),
    ),
    "cispo": (
        None,
        lambda logp, x: (
            -(torch.clamp(_ratio(logp, x), 0.0, 4.0).detach() * logp * x["advantages"]).sum()
        ),
    ),
    "dro": (
        {"beta": 0.3},
        lambda logp, x: -(logp * x["advantages"] - 0.5 * 0.3 * (logp - x["logprobs"]) ** 2).sum(),
    ),
}


@pytest.fixture(scope="module")
def trainer(catalog: Catalog) -> SessionTrainer:
    """A session one cross-entropy step away from its init, so both LoRA factors are non-zero
    (B starts at zero, which would leave A's gradient zero too)."""
    trainer = SessionTrainer.create(
        catalog=catalog, base_model="whetstone-tiny", lora=LoraSpec(rank=4, seed=3), device=cpu()
    )
    trainer.forward_backward([supervised_datum(list(range(40, 70)))], "cross_entropy")
    trainer.optim_step(AdamSpec(learning_rate=1e-2))
    return trainer


def cpu() -> torch.device:
    return torch.device("cpu")


def reference_logprobs(trainer: SessionTrainer, datum: TrainingDatum) -> torch.Tensor:
    """The target log-probabilities of one datum, by log_softmax and gather."""
    logits = trainer.model(input_ids=torch.tensor([datum.tokens])).logits[0].float()
    targets = torch.as_tensor(datum.loss_fn_inputs["target_tokens"])
    return torch.log_softmax(logits, dim=-1).gather(-1, targets[:, None])[:, 0]


def rl_batch(trainer: SessionTrainer, rng: np.random.Generator) -> list[TrainingDatum]:
    """Two data of different lengths (so padding is exercised) with sampler log-probabilities
    around the model's own, so that ratios land on both sides of every clip bound, and
    advantages of both signs."""
    data = []
    for length in (23, 14):
        tokens = rng.integers(5, 700, size=length + 1).tolist()
        datum = supervised_datum(tokens)
        with torch.no_grad():
            logp = reference_logprobs(trainer, datum).numpy()
        datum.loss_fn_inputs = {
            "target_tokens": datum.loss_fn_inputs["target_tokens"],
            "logprobs": (logp + rng.normal(0.0, 0.3, size=length)).astype(np.float32),
            "advantages": rng.normal(0.0, 1.0, size=length).astype(np.float32),
        }
        data.append(datum)
    return data


def lora_gradients(trainer: SessionTrainer) -> dict[str, torch.Tensor]:
    return {
        name: param.grad.clone()
        for name, param in trainer.model.named_parameters()
        if param.requires_grad and param.grad is not None
    }


@pytest.mark.parametrize("case", list(FORMULAS))
def test_loss_and_gradients_match_the_documented_formula(
    trainer: SessionTrainer, case: str
) -> None:
    config, formula = FORMULAS[case]
    loss_fn = case.partition("-")[0]
    rng = np.random.default_rng(7)
    if loss_fn == "cross_entropy":
        data = [
            supervised_datum(rng.integers(5, 700, size=n).tolist(), prompt_length=5)
            for n in (24, 15)
        ]
    else:
        data = rl_batch(trainer, rng)
    if case == "ppo-per-token":
        for datum in data:
            length = len(datum.tokens)
            datum.loss_fn_inputs["clip_low_threshold"] = np.linspace(
                0.9, 0.99, length, dtype=np.float32
            )
            datum.loss_fn_inputs["clip_high_threshold"] = np.linspace(
                1.01, 1.1, length, dtype=np.float32
            )

    trainer.model.zero_grad(set_to_none=True)
    result = trainer.forward_backward(data, loss_fn, config)
    ours = lora_gradients(trainer)

    trainer.model.zero_grad(set_to_none=True)
    total = torch.zeros(())
    logprobs = []
    for datum in data:
        logp = reference_logprobs(trainer, datum)
        inputs = {
            name: torch.as_tensor(np.asarray(value, dtype=np.float32))
            for name, value in datum.loss_fn_inputs.items()
            if name != "target_tokens"
        }
        total = total + formula(logp, inputs)
        logprobs.append(logp.detach().numpy())
    total.backward()  # type: ignore[no-untyped-call]  # torch: unannotated
    expected = lora_gradients(trainer)
    trainer.model.zero_grad(set_to_none=True)

    assert set(result.metrics) == {"loss:sum"}
    assert result.metrics["loss:sum"] == pytest.approx(total.item(), rel=1e-5, abs=1e-5)
    for output, reference in zip(result.outputs, logprobs, strict=True):
        assert output["logprobs"].dtype == np.float32
        np.testing.assert_allclose(output["logprobs"], reference, rtol=1e-5, atol=1e-5)
    assert ours.keys() == expected.keys() and ours
    assert any(grad.abs().sum() > 0 for grad in expected.values())
    # float32, summed in another order (a padded batch against one datum at a time): equal
    # to within 1e-4 of each gradient's largest entry.
    for name, grad in expected.items():
        scale = grad.abs().max().item()
        torch.testing.assert_close(ours[name], grad, rtol=1e-3, atol=1e-4 * scale)


def test_gradients_accumulate_until_the_step_and_forward_only_adds_none(
    trainer: SessionTrainer,
) -> None:
    data = [supervised_datum(list(range(100, 130)))]
    trainer.model.zero_grad(set_to_none=True)
    forward = trainer.forward_backward(data, "cross_entropy", forward_only=True)
    assert lora_gradients(trainer) == {}
    once = trainer.forward_backward(data, "cross_entropy")
    first = lora_gradients(trainer)
    trainer.forward_backward(data, "cross_entropy")
    twice = lora_gradients(trainer)
    trainer.model.zero_grad(set_to_none=True)
    assert forward.metrics["loss:sum"] == pytest.approx(once.metrics["loss:sum"], rel=1e-6)
    for name, grad in first.items():
        torch.testing.assert_close(twice[name], 2 * grad, msg=name)


def test_a_batch_split_into_several_passes_gives_the_same_loss_and_gradients(
    trainer: SessionTrainer, monkeypatch: pytest.MonkeyPatch
) -> None:
    rng = np.random.default_rng(3)
    data = [supervised_datum(rng.integers(5, 700, size=n).tolist()) for n in (30, 12, 25)]
    trainer.model.zero_grad(set_to_none=True)
    whole = trainer.forward_backward(data, "cross_entropy")
    expected = lora_gradients(trainer)
    trainer.model.zero_grad(set_to_none=True)
    monkeypatch.setattr(trainer_module, "MAX_MICRO_BATCH_TOKENS", 40)  # one datum per pass
    split = trainer.forward_backward(data, "cross_entropy")
    ours = lora_gradients(trainer)
    trainer.model.zero_grad(set_to_none=True)
    assert split.metrics["loss:sum"] == pytest.approx(whole.metrics["loss:sum"], rel=1e-5)
    for left, right in zip(split.outputs, whole.outputs, strict=True):
        np.testing.assert_allclose(left["logprobs"], right["logprobs"], rtol=1e-5, atol=1e-5)
    for name, grad in expected.items():
        scale = grad.abs().max().item()
        torch.testing.assert_close(ours[name], grad, rtol=1e-3, atol=1e-4 * scale)


@pytest.mark.parametrize(
    ("loss_fn", "config", "inputs", "named"),
    [
        ("gspo", None, None, "gspo"),
        ("custom", None, None, "custom"),
        ("dro", None, None, "beta"),
        ("ppo", {"epsilon": 0.2}, None, "epsilon"),
        ("cispo", {"clip_low_threshold": 1.5, "clip_high_threshold": 1.2}, None, "above"),
        ("cross_entropy", {"beta": 1.0}, None, "beta"),
        ("importance_sampling", None, {"advantages": None}, "advantages"),
        ("cross_entropy", None, {"weights": np.ones(3, dtype=np.float32)}, "weights"),
        ("cross_entropy", None, {"mask": np.ones(9, dtype=np.float32)}, "mask"),
        ("cross_entropy", None, {"target_tokens": np.full(9, 10**6)}, "target_tokens"),
    ],
)
def test_what_a_loss_cannot_use_is_refused_by_name(
    trainer: SessionTrainer,
    loss_fn: str,
    config: dict[str, float] | None,
    inputs: dict[str, np.ndarray | None] | None,
    named: str,
) -> None:
    datum = supervised_datum(list(range(10, 20)))
    datum.loss_fn_inputs["logprobs"] = np.zeros(9, dtype=np.float32)
    datum.loss_fn_inputs["advantages"] = np.zeros(9, dtype=np.float32)
    if loss_fn == "cross_entropy":
        del datum.loss_fn_inputs["logprobs"], datum.loss_fn_inputs["advantages"]
    for name, value in (inputs or {}).items():
        if value is None:
            del datum.loss_fn_inputs[name]
        else:
            datum.loss_fn_inputs[name] = value
    with pytest.raises(InvalidRequestError, match=named):
        trainer.forward_backward([datum], loss_fn, config)
