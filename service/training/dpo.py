"""Direct Preference Optimization (Rafailov et al., 2023) as an objective of the shared recipe.

The loss is the sigmoid DPO loss on the summed log-probabilities of each reply's trained tokens
(the assistant reply and its end of turn; the prompt is masked):

    loss = -log sigmoid(beta * ((pi_c - ref_c) - (pi_r - ref_r)))

averaged over the batch's pairs. The reference model is the model the job starts from: the base
model when the LoRA is fresh (its B matrices are zero, so the adapter has no effect yet), the
starting adapter when the job continues an `ft:` model. Its log-probabilities are computed once,
before the first step, with the model exactly as the run starts (TRL's
`precompute_ref_log_probs`), so no second copy of the model is ever held; they are saved in every
checkpoint, so a resumed run never recomputes them from a trained adapter.

Metrics are TRL's, with `/` written `_`: rewards_chosen, rewards_rejected, rewards_margins,
rewards_accuracies, logps_chosen, logps_rejected, plus loss and mean_token_accuracy (on the
preferred replies).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import torch
import torch.nn.functional as F
from transformers import PreTrainedTokenizerBase

from service.datasets.errors import DatasetParam
from service.datasets.loading import DataReport
from service.datasets.preference import PreferencePair, load_preference_pairs
from service.datasets.tokenize import IGNORE_INDEX
from service.training.hyperparameters import ResolvedHyperparameters
from service.training.objective import (
    Batching,
    MicroLoss,
    ObjectiveState,
    RunContext,
    TrainedModel,
    evaluate_by_loss,
    loss_validation_plan,
    micro_batches,
    shifted_trainable,
)


@dataclass(frozen=True)
class DPOLoss:
    """Per-pair DPO loss and implicit rewards (rewards carry no gradient)."""

    losses: torch.Tensor
    chosen_rewards: torch.Tensor
    rejected_rewards: torch.Tensor


def dpo_loss(
    policy_chosen: torch.Tensor,
    policy_rejected: torch.Tensor,
    reference_chosen: torch.Tensor,
    reference_rejected: torch.Tensor,
    *,
    beta: float,
) -> DPOLoss:
    """The sigmoid DPO loss of each pair, from summed sequence log-probabilities."""
    chosen_logratios = policy_chosen - reference_chosen
    rejected_logratios = policy_rejected - reference_rejected
    losses = -F.logsigmoid(beta * (chosen_logratios - rejected_logratios))
    return DPOLoss(
        losses=losses,
        chosen_rewards=beta * chosen_logratios.detach(),
        rejected_rewards=beta * rejected_logratios.detach(),
    )


def sequence_logps(logits: torch.Tensor, labels: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Each row's summed log-probability of its trained tokens, and whether each trained token
    is the argmax (for token accuracy); only trained positions are projected to float."""
    shifted_labels = labels[:, 1:]
    mask = shifted_labels != IGNORE_INDEX
    picked = logits[:, :-1][mask].float()
    targets = shifted_labels[mask]
    token_logps = -F.cross_entropy(picked, targets, reduction="none")
    # Scattered back into rows and summed per row: deterministic, unlike index_add_ on CUDA.
    per_token = torch.zeros(mask.shape, dtype=token_logps.dtype, device=token_logps.device)
    per_token = per_token.masked_scatter(mask, token_logps)
    is_top1 = torch.zeros(mask.shape, dtype=torch.bool, device=mask.device)
    is_top1 = is_top1.masked_scatter(mask, picked.argmax(dim=-1) == targets)
    return per_token.sum(dim=1), is_top1


@dataclass(frozen=True)
class ScoredPair:
    """A pair with its reference log-probabilities, as the loop trains on it."""

    pair: PreferencePair
    reference_chosen: float
    reference_rejected: float


def _width(item: ScoredPair | PreferencePair) -> int:
    pair = item.pair if isinstance(item, ScoredPair) else item
    return max(len(pair.chosen.input_ids), len(pair.rejected.input_ids))


class DPOObjective:
    """DPO with reference log-probabilities precomputed from the starting model."""

    def __init__(
        self,
        hyperparameters: ResolvedHyperparameters,
        batching: Batching,
        run: RunContext | None = None,
    ):
        if hyperparameters.dpo_beta is None:
            raise ValueError("a DPO run needs DPO's beta")
        self.beta = hyperparameters.dpo_beta
        self.batching = batching
        self.reference: dict[str, torch.Tensor] = {}

    @staticmethod
    def load(
        path: Path,
        tokenizer: PreTrainedTokenizerBase,
        *,
        context_length: int,
        param: DatasetParam,
        warn: Callable[[str], None],
    ) -> tuple[list[PreferencePair], DataReport]:
        """Preference pairs; a pair whose reply is cut away entirely is skipped."""
        return load_preference_pairs(
            path, tokenizer, context_length=context_length, param=param, warn=warn
        )

    def length(self, example: ScoredPair) -> int:
        """The longer of its two sequences (both share one padded forward pass)."""
        return _width(example)

    def prepare(
        self,
        model: TrainedModel,
        train: list[PreferencePair],
        valid: list[PreferencePair],
        state: ObjectiveState | None,
    ) -> tuple[list[ScoredPair], list[ScoredPair]]:
        """Reference log-probabilities: from the checkpoint on resume, else from `model` as it
        starts (a fresh LoRA adds nothing yet; a continued job's starting adapter is in it)."""
        if state is not None:
            self.reference = {name: tensor.clone() for name, tensor in state["reference"].items()}
        else:
            self.reference = {
                "train": self._reference_logps(model, train),
                "valid": self._reference_logps(model, valid),
            }
        for name, pairs in (("train", train), ("valid", valid)):
            if self.reference[name].shape != (len(pairs), 2):
                raise ValueError(
                    f"the checkpoint holds reference log-probabilities for "
                    f"{self.reference[name].shape[0]} {name} pairs, the file has {len(pairs)}"
                )
        return self._scored(train, "train"), self._scored(valid, "valid")

    def _scored(self, pairs: list[PreferencePair], name: str) -> list[ScoredPair]:
        values = self.reference[name].tolist()
        return [
            ScoredPair(pair, chosen, rejected)
            for pair, (chosen, rejected) in zip(pairs, values, strict=True)
        ]

    @torch.no_grad()
    def _reference_logps(self, model: TrainedModel, pairs: list[PreferencePair]) -> torch.Tensor:
        """(n, 2) float64: each pair's summed log-probability of its chosen and rejected reply."""
        result = torch.zeros((len(pairs), 2), dtype=torch.float64)
        if not pairs:
            return result
        was_training = model.training
        model.eval()  # no dropout: the reference is the model itself, not a noisy sample of it
        index = {id(pair): row for row, pair in enumerate(pairs)}
        for micro in micro_batches(pairs, _width, rows_per_item=2):
            chosen, rejected, _ = self._logps(model, micro)
            rows = torch.tensor([index[id(pair)] for pair in micro])
            result[rows, 0] = chosen.double().cpu()
            result[rows, 1] = rejected.double().cpu()
        model.train(was_training)
        return result

    def _logps(
        self, model: TrainedModel, pairs: Sequence[PreferencePair]
    ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """Chosen and rejected summed log-probabilities, in one forward pass of 2n rows, and the
        chosen rows' per-token argmax hits."""
        rows = [pair.chosen for pair in pairs] + [pair.rejected for pair in pairs]
        logits, labels = self.batching.logits(model, rows)
        logps, is_top1 = sequence_logps(logits, labels)
        n = len(pairs)
        return logps[:n], logps[n:], is_top1[:n]

    def state_dict(self) -> ObjectiveState:
        """The reference log-probabilities of the training and validation pairs."""
        return {"reference": dict(self.reference)}

    def validation_plan(self, total_steps: int, batch_size: int) -> tuple[int, int]:
        """A batch of pairs, VALIDATIONS_PER_JOB times."""
        return loss_validation_plan(total_steps, batch_size)

    def evaluate(self, model: TrainedModel, examples: Sequence[ScoredPair]) -> dict[str, float]:
        """The DPO loss and rewards."""
        return evaluate_by_loss(self, model, examples)

    def micro_batches(self, batch: Sequence[ScoredPair]) -> Iterator[list[ScoredPair]]:
        """Two rows (chosen and rejected) per pair."""
        return micro_batches(batch, _width, rows_per_item=2)

    def normaliser(self, batch: Sequence[ScoredPair]) -> int:
        """The batch's pairs: the loss is the mean over pairs, as in TRL."""
        return len(batch)

    def loss(self, model: TrainedModel, micro: Sequence[ScoredPair]) -> MicroLoss:
        """The summed DPO loss of the micro-batch's pairs, and TRL's metrics summed."""
        chosen, rejected, is_top1 = self._logps(model, [item.pair for item in micro])
        device, dtype = chosen.device, chosen.dtype
        reference = torch.tensor(
            [[item.reference_chosen, item.reference_rejected] for item in micro], dtype=dtype
        ).to(device)
        result = dpo_loss(chosen, rejected, reference[:, 0], reference[:, 1], beta=self.beta)
        loss = result.losses.sum()
        margins = result.chosen_rewards - result.rejected_rewards
        sums = {
            "loss": loss.item(),
            "rewards_chosen": result.chosen_rewards.sum().item(),
            "rewards_rejected": result.rejected_rewards.sum().item(),
            "rewards_margins": margins.sum().item(),
            "rewards_accuracies": (margins > 0).sum().item(),
            "logps_chosen": chosen.detach().sum().item(),
            "logps_rejected": rejected.detach().sum().item(),
            "correct": float(is_top1.sum().item()),
            "chosen_tokens": float(sum(shifted_trainable(item.pair.chosen) for item in micro)),
        }
        n_tokens = sum(
            len(item.pair.chosen.input_ids) + len(item.pair.rejected.input_ids) for item in micro
        )
        return MicroLoss(loss, sums, n_tokens)

    def metrics(self, sums: Mapping[str, float], batch: Sequence[ScoredPair]) -> dict[str, float]:
        """Per-pair means, and mean_token_accuracy per trained token of the preferred replies."""
        n_pairs = max(len(batch), 1)
        result = {
            key: sums[key] / n_pairs
            for key in (
                "loss",
                "rewards_chosen",
                "rewards_rejected",
                "rewards_margins",
                "rewards_accuracies",
                "logps_chosen",
                "logps_rejected",
            )
        }
        result["mean_token_accuracy"] = sums["correct"] / max(sums["chosen_tokens"], 1.0)
        return result
