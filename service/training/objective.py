"""A training method's part of the recipe: its examples, its loss and its metrics.

The recipe (service/training/recipe.py) owns everything the methods share, torchtune style: the
model and its LoRA, the optimizer and LR schedule, the epoch plan, micro-batching, gradient
clipping, checkpoints, pause/resume and reporting. An Objective owns what differs: how a file
becomes examples, what is computed once before the first step, and the loss of a micro-batch.
SupervisedObjective is token cross-entropy; service/training/dpo.py is DPO;
service/training/reinforcement.py is GRPO, which samples and grades inside its loss.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol, TypeAlias, TypeVar

import torch
import torch.nn.functional as F
from peft import PeftModelForCausalLM
from transformers import GenerationMixin, PreTrainedModel, PreTrainedTokenizerBase

from service.datasets.errors import DatasetParam
from service.datasets.loading import DataReport, load_examples
from service.datasets.tokenize import IGNORE_INDEX, EncodedExample
from service.graders.sandbox import SandboxConfig
from service.training.contract import GraderModel
from service.training.hyperparameters import ResolvedHyperparameters

# Padded tokens per forward pass. A batch larger than this is split into micro-batches whose
# gradients add up to exactly the batch's (each micro-batch's summed loss is divided by the
# batch's normaliser), which bounds activation and logit memory whatever batch_size is asked.
MAX_MICRO_BATCH_TOKENS = 8192
# Periodic validation (valid_*) runs this many times over a job, on one batch each time, for
# the methods whose validation is a loss.
VALIDATIONS_PER_JOB = 20

# What a run trains: the base model wrapped with its LoRA, or the bare model of a full run.
TrainedModel: TypeAlias = PeftModelForCausalLM | PreTrainedModel
# What an objective computes before the first step and keeps in every checkpoint, by name
# (DPO: {"reference": {"train": ..., "valid": ...}}).
ObjectiveState: TypeAlias = dict[str, dict[str, torch.Tensor]]
# Where examples are opaque to the shared loop: each objective has its own example type
# (EncodedExample, ScoredPair, Prompt); the loop only batches and hands them back.
Example: TypeAlias = Any
ItemT = TypeVar("ItemT")


@dataclass(frozen=True)
class RunContext:
    """What an objective may need of its run beyond the hyperparameters."""

    tokenizer: PreTrainedTokenizerBase
    context_length: int
    # The job's grader as stored (reinforcement only).
    grader: dict[str, Any] | None
    # Where python graders run; None: they are disabled.
    python_graders: SandboxConfig | None
    # The adapter a continued job starts from, if any.
    starting_adapter_dir: Path | None
    # The models the grader samples (score_model, label_model), by name.
    grader_models: dict[str, GraderModel]
    # A warning event of the job.
    warn: Callable[[str], None]


@dataclass(frozen=True)
class Batching:
    """How examples become tensors on the training device, shared by every objective."""

    pad_token_id: int
    device: torch.device
    autocast: Callable[[], AbstractContextManager[None]]

    def collate(
        self, examples: Sequence[EncodedExample]
    ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """Right-padded input_ids, attention_mask and labels (IGNORE_INDEX on padding)."""
        width = max(len(example.input_ids) for example in examples)
        input_ids = torch.full((len(examples), width), self.pad_token_id, dtype=torch.long)
        labels = torch.full((len(examples), width), IGNORE_INDEX, dtype=torch.long)
        attention_mask = torch.zeros((len(examples), width), dtype=torch.long)
        for row, example in enumerate(examples):
            length = len(example.input_ids)
            input_ids[row, :length] = torch.tensor(example.input_ids)
            labels[row, :length] = torch.tensor(example.labels)
            attention_mask[row, :length] = 1
        return (
            input_ids.to(self.device),
            attention_mask.to(self.device),
            labels.to(self.device),
        )

    def logits(
        self, model: torch.nn.Module, examples: Sequence[EncodedExample]
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """The model's logits for `examples`, with their labels."""
        input_ids, attention_mask, labels = self.collate(examples)
        with self.autocast():
            logits: torch.Tensor = model(input_ids=input_ids, attention_mask=attention_mask).logits
        return logits, labels


@dataclass(frozen=True)
class MicroLoss:
    """One micro-batch's share of a step."""

    # Summed over the micro-batch; the recipe divides by the batch's normaliser and backprops.
    loss: torch.Tensor
    # Summed numerators of the metrics, finished by Objective.metrics over the whole batch.
    sums: dict[str, float]
    # Non-padding tokens of the forward pass (OpenAI's trained_tokens counts them).
    n_tokens: int


class Objective(Protocol):
    """What a training method contributes to the shared loop."""

    def length(self, example: Example) -> int:
        """The padded width an example needs, for grouping batches by length."""

    def prepare(
        self,
        model: TrainedModel,
        train: list[Example],
        valid: list[Example],
        state: ObjectiveState | None,
    ) -> tuple[list[Example], list[Example]]:
        """Before the first step: the examples the loop trains and evaluates on. Called with
        the model as the run starts, and with the checkpoint's `state` on resume."""

    def state_dict(self) -> ObjectiveState:
        """What prepare computed, saved in every checkpoint so resume never recomputes it."""

    def validation_plan(self, total_steps: int, batch_size: int) -> tuple[int, int]:
        """Periodic validation: every how many steps, on how many examples."""

    def micro_batches(self, batch: Sequence[Example]) -> Iterator[list[Example]]:
        """The batch split so that no forward pass holds more than MAX_MICRO_BATCH_TOKENS."""

    def normaliser(self, batch: Sequence[Example]) -> int:
        """The batch's loss is the sum of its micro-batches' losses divided by this."""

    def loss(self, model: TrainedModel, micro: Sequence[Example]) -> MicroLoss:
        """The summed loss of a micro-batch, with grad, and its metric sums."""

    def metrics(self, sums: Mapping[str, float], batch: Sequence[Example]) -> dict[str, float]:
        """The batch's metrics from the summed micro-batch sums: `loss` and the method's own,
        unprefixed (the recipe reports them as train_*, valid_* and full_valid_*)."""

    def evaluate(self, model: TrainedModel, examples: Sequence[Example]) -> dict[str, float]:
        """The metrics of `examples` without training on them; touches no RNG."""


class ObjectiveClass(Protocol):
    """An objective's class: it reads a file's examples, and is built for a run."""

    def __call__(
        self, hyperparameters: ResolvedHyperparameters, batching: Batching, run: RunContext
    ) -> Objective:
        """The objective of one run."""

    def load(
        self,
        path: Path,
        tokenizer: PreTrainedTokenizerBase,
        *,
        context_length: int,
        param: DatasetParam,
        warn: Callable[[str], None],
    ) -> tuple[list[Example], DataReport]:
        """The file's examples, encoded; each is one unit of batch_size."""


def loss_validation_plan(total_steps: int, batch_size: int) -> tuple[int, int]:
    """VALIDATIONS_PER_JOB evaluations of one batch each."""
    return max(1, total_steps // VALIDATIONS_PER_JOB), batch_size


@torch.no_grad()
def evaluate_by_loss(
    objective: Objective, model: TrainedModel, examples: Sequence[Example]
) -> dict[str, float]:
    """An objective's loss metrics over `examples`, without dropout or gradients."""
    was_training = model.training
    model.eval()
    sums: dict[str, float] = {}
    for micro in objective.micro_batches(examples):
        for key, value in objective.loss(model, micro).sums.items():
            sums[key] = sums.get(key, 0.0) + value
    model.train(was_training)
    return objective.metrics(sums, examples)


def micro_batches(
    items: Sequence[ItemT], length: Callable[[ItemT], int], *, rows_per_item: int = 1
) -> Iterator[list[ItemT]]:
    """Split items, longest first, so that no forward pass exceeds MAX_MICRO_BATCH_TOKENS padded
    tokens; an item is `rows_per_item` rows of its length."""
    ordered = sorted(items, key=length, reverse=True)
    current: list[ItemT] = []
    for item in ordered:
        width = length(current[0]) if current else length(item)
        if current and width * rows_per_item * (len(current) + 1) > MAX_MICRO_BATCH_TOKENS:
            yield current
            current = []
        current.append(item)
    if current:
        yield current


def generate(
    model: TrainedModel, **options: torch.Tensor | int | float | bool | None
) -> torch.Tensor:
    """`generate`'s token ids (each prompt's, then its completion's), of a LoRA or a bare model."""
    if isinstance(model, PeftModelForCausalLM):
        # peft leaves its generate unannotated; it returns what the base model's does.
        output = model.generate(**options)  # type: ignore[no-untyped-call]
    elif isinstance(model, GenerationMixin):
        output = model.generate(**options)
    else:
        raise TypeError(f"a {type(model).__name__} does not generate")
    if not isinstance(output, torch.Tensor):
        raise TypeError("generate returns the token ids unless asked for a dict")
    return output


def decode_text(tokenizer: PreTrainedTokenizerBase, token_ids: list[int]) -> str:
    """Token ids as text, special tokens left out."""
    text = tokenizer.decode(token_ids, skip_special_tokens=True)
    if not isinstance(text, str):
        raise TypeError("decoding one sequence gives one string")
    return text


def shifted_trainable(example: EncodedExample) -> int:
    """Trained tokens that have a prediction (the first token never has one)."""
    return sum(label != IGNORE_INDEX for label in example.labels[1:])


def token_logps(logits: torch.Tensor, labels: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Each trained token's log-probability in place (rows x positions - 1, zero elsewhere) and
    the mask of trained positions; only trained positions are projected to float."""
    shifted_labels = labels[:, 1:]
    mask = shifted_labels != IGNORE_INDEX
    picked = logits[:, :-1][mask].float()
    values = -F.cross_entropy(picked, shifted_labels[mask], reduction="none")
    per_token = torch.zeros(mask.shape, dtype=values.dtype, device=values.device)
    return per_token.masked_scatter(mask, values), mask


def token_loss(logits: torch.Tensor, labels: torch.Tensor) -> tuple[torch.Tensor, float]:
    """Summed cross-entropy and the number of correct argmax predictions on trained tokens."""
    shifted_labels = labels[:, 1:]
    mask = shifted_labels != IGNORE_INDEX
    picked = logits[:, :-1][mask].float()
    targets = shifted_labels[mask]
    loss = F.cross_entropy(picked, targets, reduction="sum")
    correct = float((picked.argmax(dim=-1) == targets).sum().item())
    return loss, correct


def _input_length(example: EncodedExample) -> int:
    return len(example.input_ids)


class SupervisedObjective:
    """Supervised fine-tuning: cross-entropy averaged over the batch's trained tokens."""

    def __init__(
        self,
        hyperparameters: ResolvedHyperparameters,
        batching: Batching,
        run: RunContext | None = None,
    ):
        self.batching = batching

    @staticmethod
    def load(
        path: Path,
        tokenizer: PreTrainedTokenizerBase,
        *,
        context_length: int,
        param: DatasetParam,
        warn: Callable[[str], None],
    ) -> tuple[list[EncodedExample], DataReport]:
        """Chat or prompt-completion examples."""
        return load_examples(path, tokenizer, context_length=context_length, param=param, warn=warn)

    def length(self, example: EncodedExample) -> int:
        """Its token count."""
        return len(example.input_ids)

    def prepare(
        self,
        model: TrainedModel,
        train: list[EncodedExample],
        valid: list[EncodedExample],
        state: ObjectiveState | None,
    ) -> tuple[list[EncodedExample], list[EncodedExample]]:
        """Nothing to compute: the examples as they are."""
        return train, valid

    def state_dict(self) -> ObjectiveState:
        """Nothing to keep."""
        return {}

    def validation_plan(self, total_steps: int, batch_size: int) -> tuple[int, int]:
        """A batch, VALIDATIONS_PER_JOB times."""
        return loss_validation_plan(total_steps, batch_size)

    def evaluate(self, model: TrainedModel, examples: Sequence[EncodedExample]) -> dict[str, float]:
        """The loss and token accuracy."""
        return evaluate_by_loss(self, model, examples)

    def micro_batches(self, batch: Sequence[EncodedExample]) -> Iterator[list[EncodedExample]]:
        """One row per example."""
        return micro_batches(batch, _input_length)

    def normaliser(self, batch: Sequence[EncodedExample]) -> int:
        """The batch's trained tokens."""
        return sum(shifted_trainable(example) for example in batch)

    def loss(self, model: TrainedModel, micro: Sequence[EncodedExample]) -> MicroLoss:
        """Summed token cross-entropy and correct argmax predictions."""
        logits, labels = self.batching.logits(model, micro)
        loss, correct = token_loss(logits, labels)
        n_tokens = sum(len(example.input_ids) for example in micro)
        return MicroLoss(loss, {"loss": loss.item(), "correct": correct}, n_tokens)

    def metrics(
        self, sums: Mapping[str, float], batch: Sequence[EncodedExample]
    ) -> dict[str, float]:
        """loss and mean_token_accuracy, per trained token."""
        n_trained = max(self.normaliser(batch), 1)
        return {
            "loss": sums["loss"] / n_trained,
            "mean_token_accuracy": sums["correct"] / n_trained,
        }
