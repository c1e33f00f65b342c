"""The supervised LoRA recipe: setup, train, save_checkpoint, cleanup, read top to bottom.

Modelled on torchtune's single-device LoRA recipe. It reads local files only, reports through
a TrainingReporter and returns a TrainingOutcome; the scheduler owns the database and storage.

Invariants the scheduler relies on:
- Determinism: the same seed, data and base model give byte-identical adapters on the CPU.
  Every source of randomness is seeded from spec.seed (LoRA init, dropout, data order), and the
  data order of an epoch is a pure function of (seed, epoch).
- Resume equivalence: a checkpoint holds everything the next step depends on (adapter weights,
  optimizer moments, LR schedule, RNG states, the epoch's batch plan and position), so a run
  paused after step k and resumed ends with the same adapter as one that never stopped.
"""

from __future__ import annotations

import json
import math
import random
import shutil
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import torch
import torch.nn.functional as F
from peft import LoraConfig, get_peft_model, set_peft_model_state_dict
from safetensors.torch import load_file

from service.catalog.loading import load_model, load_tokenizer, uses_bf16
from service.datasets.errors import DatasetError
from service.datasets.loading import DataReport, load_examples
from service.datasets.tokenize import IGNORE_INDEX, EncodedExample
from service.training.contract import (
    ResumeState,
    TrainingOutcome,
    TrainingReporter,
    TrainingSpec,
)
from service.training.hyperparameters import learning_rate, resolve_hyperparameters

WARMUP_FRACTION = 0.03
# The LR decays linearly to this fraction of its peak; never to zero, so the last epoch's
# examples still move the adapter.
FINAL_LR_FRACTION = 0.1
MAX_GRAD_NORM = 1.0
# Padded tokens per forward pass. A batch larger than this is split into micro-batches whose
# gradients add up to exactly the batch's (the loss is normalised by the batch's token count),
# which bounds activation and logit memory whatever batch_size a client asks for.
MAX_MICRO_BATCH_TOKENS = 8192
# Examples sorted by length together: the larger, the less padding but the less random batches.
LENGTH_GROUP_BATCHES = 32
# Periodic validation (valid_loss) runs this many times over a job, on one batch each time.
VALIDATIONS_PER_JOB = 20
STATE_FILE = "training_state.pt"


@dataclass
class TrainingProgress:
    """Where training stands; saved in every checkpoint."""

    epochs_done: int = 0
    step: int = 0
    # Batches of the current epoch already trained on.
    batches_done: int = 0
    # Non-padding tokens processed, summed over epochs (OpenAI's trained_tokens).
    trained_tokens: int = 0

    def state_dict(self) -> dict[str, int]:
        """A plain dict for torch.save."""
        return asdict(self)

    @classmethod
    def from_state_dict(cls, state: dict[str, int]) -> TrainingProgress:
        """The inverse of state_dict."""
        return cls(**state)


def run_training(
    spec: TrainingSpec, reporter: TrainingReporter, resume: ResumeState | None = None
) -> TrainingOutcome:
    """Train a LoRA adapter as `spec` says, from scratch or from a checkpoint of an earlier run."""
    recipe = LoRAFinetuneRecipe(spec, reporter)
    recipe.setup(resume)
    try:
        return recipe.train()
    finally:
        recipe.cleanup()


class LoRAFinetuneRecipe:
    """One supervised LoRA run on one device."""

    def __init__(self, spec: TrainingSpec, reporter: TrainingReporter):
        self.spec = spec
        self.reporter = reporter
        self.device = torch.device(spec.device)
        self.progress = TrainingProgress()
        self.epoch_plan: list[list[int]] = []
        self.last_metrics: dict[str, float] = {}
        self.last_checkpoint: tuple[int, Path] | None = None

    # setup

    def setup(self, resume: ResumeState | None) -> None:
        """Seed, load the tokenizer, data and model, wrap it with LoRA, build the optimizer."""
        spec = self.spec
        _seed_everything(spec.seed)
        self.tokenizer = load_tokenizer(spec.model_dir)
        context_length = spec.base_model.context_length
        self.train_examples, _ = self._load(spec.training_file, "training_file")
        self.valid_examples: list[EncodedExample] = []
        if spec.validation_file is not None:
            self.valid_examples, _ = self._load(spec.validation_file, "validation_file")
        if not self.train_examples:
            raise DatasetError(
                f"No example of the training file has a trained token within its first "
                f"{context_length} tokens.",
                code="invalid_training_file",
                param="training_file",
            )

        state = self._read_state(resume) if resume is not None else None
        if state is not None:
            # The resolved values of the first attempt, whatever "auto" would say now.
            self.hyperparameters = state["hyperparameters"]
        else:
            self.hyperparameters = resolve_hyperparameters(
                spec.hyperparameters, n_examples=len(self.train_examples), entry=spec.base_model
            )
        hp = self.hyperparameters
        self.batch_size = min(int(hp["batch_size"]), len(self.train_examples))
        self.batches_per_epoch = math.ceil(len(self.train_examples) / self.batch_size)
        self.total_steps = int(hp["n_epochs"]) * self.batches_per_epoch
        self.valid_every = max(1, self.total_steps // VALIDATIONS_PER_JOB)

        self.model = self._setup_model(resume)
        trainable = [param for param in self.model.parameters() if param.requires_grad]
        self.optimizer = torch.optim.AdamW(
            trainable, lr=learning_rate(hp, spec.base_model), weight_decay=0.0
        )
        self.lr_scheduler = torch.optim.lr_scheduler.LambdaLR(self.optimizer, self._lr_factor)
        if state is not None:
            self._restore(state)
        self.reporter.started(
            hyperparameters=dict(hp),
            total_steps=self.total_steps,
            n_examples=len(self.train_examples),
        )

    def _load(self, path: Path, param: Any) -> tuple[list[EncodedExample], DataReport]:
        return load_examples(
            path,
            self.tokenizer,
            context_length=self.spec.base_model.context_length,
            param=param,
            warn=lambda message: self.reporter.event(message, level="warn"),
        )

    def _setup_model(self, resume: ResumeState | None) -> Any:
        base = load_model(self.spec.model_dir, device=self.spec.device)
        hp = self.hyperparameters
        targets = hp["lora_target_modules"]
        config = LoraConfig(
            task_type="CAUSAL_LM",
            r=int(hp["lora_rank"]),
            lora_alpha=int(hp["lora_alpha"]),
            lora_dropout=float(hp["lora_dropout"]),
            target_modules=targets if isinstance(targets, str) else list(targets),
        )
        model = get_peft_model(base, config)
        # The catalog name, not the worker's scratch path that get_peft_model copies from the
        # base model, is what a reader of adapter_config.json can resolve.
        model.peft_config["default"].base_model_name_or_path = (
            self.spec.base_model.hub_id or self.spec.base_model.name
        )
        # A resumed run starts from its checkpoint, which already holds whatever the job
        # started from; only a fresh run of a continued job loads the starting adapter.
        if resume is not None:
            _load_adapter(model, resume.checkpoint_dir / "adapter", "checkpoint")
        elif self.spec.initial_adapter_dir is not None:
            _load_adapter(model, self.spec.initial_adapter_dir, "starting")
        return model

    def _lr_factor(self, step: int) -> float:
        """Linear warmup to the peak, then linear decay to FINAL_LR_FRACTION of it."""
        warmup = max(1, round(WARMUP_FRACTION * self.total_steps))
        if step < warmup:
            return (step + 1) / warmup
        remaining = max(1, self.total_steps - warmup)
        return 1.0 - (1.0 - FINAL_LR_FRACTION) * min(1.0, (step - warmup) / remaining)

    def _read_state(self, resume: ResumeState) -> dict[str, Any]:
        state = torch.load(
            resume.checkpoint_dir / "state" / STATE_FILE, map_location="cpu", weights_only=True
        )
        if state["n_examples"] != len(self.train_examples):
            raise ValueError(
                f"the checkpoint was trained on {state['n_examples']} examples, the training "
                f"file now has {len(self.train_examples)}"
            )
        return state

    def _restore(self, state: dict[str, Any]) -> None:
        self.optimizer.load_state_dict(state["optimizer"])
        self.lr_scheduler.load_state_dict(state["lr_scheduler"])
        self.progress = TrainingProgress.from_state_dict(state["progress"])
        self.epoch_plan = [list(batch) for batch in state["epoch_plan"]]
        self.last_metrics = dict(state["last_metrics"])
        rng = state["rng"]
        random.setstate(rng["python"])
        torch.set_rng_state(rng["torch"])
        if self.device.type == "cuda" and rng.get("cuda") is not None:
            torch.cuda.set_rng_state(rng["cuda"], self.device)

    # train

    def train(self) -> TrainingOutcome:
        """Epochs of batches; metrics and a control poll after every optimizer step."""
        n_epochs = int(self.hyperparameters["n_epochs"])
        while self.progress.epochs_done < n_epochs:
            if self.progress.batches_done == 0:
                self.epoch_plan = _plan_epoch(
                    [len(example.input_ids) for example in self.train_examples],
                    self.batch_size,
                    seed=self.spec.seed,
                    epoch=self.progress.epochs_done,
                )
            for position in range(self.progress.batches_done, len(self.epoch_plan)):
                batch = [self.train_examples[i] for i in self.epoch_plan[position]]
                loss, accuracy, n_tokens = self._train_step(batch)
                self.progress.step += 1
                self.progress.batches_done = position + 1
                self.progress.trained_tokens += n_tokens
                self._report_step(loss, accuracy)
                if self.progress.batches_done == len(self.epoch_plan):
                    self.progress.epochs_done += 1
                    self.progress.batches_done = 0
                    self._end_of_epoch()
                action = self.reporter.control()
                if action == "cancel":
                    return self._outcome("cancelled")
                if action == "pause":
                    return self._outcome("paused", checkpoint_dir=self._checkpoint_for_pause())
        return self._finish()

    def _train_step(self, batch: Sequence[EncodedExample]) -> tuple[float, float, int]:
        """One optimizer step; the loss is the mean over the batch's trained tokens."""
        self.model.train()
        n_trained = sum(_shifted_trainable(example) for example in batch)
        loss_sum = correct = 0.0
        n_tokens = 0
        try:
            for micro in _micro_batches(batch):
                input_ids, attention_mask, labels = self._collate(micro)
                with self._autocast():
                    logits = self.model(input_ids=input_ids, attention_mask=attention_mask).logits
                micro_loss, micro_correct = _token_loss(logits, labels)
                (micro_loss / n_trained).backward()
                loss_sum += micro_loss.item()
                correct += micro_correct
                n_tokens += int(attention_mask.sum().item())
            torch.nn.utils.clip_grad_norm_(
                [p for p in self.model.parameters() if p.requires_grad], MAX_GRAD_NORM
            )
            self.optimizer.step()
            self.lr_scheduler.step()
            self.optimizer.zero_grad(set_to_none=True)
        except torch.cuda.OutOfMemoryError as exc:
            raise RuntimeError(
                f"CUDA out of memory at step {self.progress.step + 1} with batch size "
                f"{self.batch_size}; lower batch_size"
            ) from exc
        return loss_sum / n_trained, correct / n_trained, n_tokens

    def _report_step(self, loss: float, accuracy: float) -> None:
        step = self.progress.step
        metrics: dict[str, Any] = {
            "step": step,
            "total_steps": self.total_steps,
            "train_loss": loss,
            "train_mean_token_accuracy": accuracy,
        }
        if self.valid_examples and (step % self.valid_every == 0 or step == self.total_steps):
            # A rotating batch, chosen by step alone so that a resumed run picks the same one.
            start = (step // self.valid_every - 1) * self.batch_size
            picked = [
                self.valid_examples[(start + offset) % len(self.valid_examples)]
                for offset in range(min(self.batch_size, len(self.valid_examples)))
            ]
            metrics["valid_loss"], metrics["valid_mean_token_accuracy"] = self._evaluate(picked)
        self.last_metrics = {key: value for key, value in metrics.items() if key != "total_steps"}
        self.reporter.metrics(metrics)

    def _end_of_epoch(self) -> None:
        metrics = dict(self.last_metrics)
        if self.valid_examples:
            metrics["full_valid_loss"], metrics["full_valid_mean_token_accuracy"] = self._evaluate(
                self.valid_examples
            )
            self.last_metrics.update(metrics)
        checkpoint_dir = self.save_checkpoint()
        self.reporter.checkpoint(
            step=self.progress.step,
            epoch=self.progress.epochs_done,
            checkpoint_dir=checkpoint_dir,
            metrics=metrics,
        )

    @torch.no_grad()
    def _evaluate(self, examples: Sequence[EncodedExample]) -> tuple[float, float]:
        """Token-weighted mean loss and accuracy; touches no RNG, so training is unaffected."""
        self.model.eval()
        loss_sum = correct = 0.0
        n_trained = sum(_shifted_trainable(example) for example in examples)
        for micro in _micro_batches(sorted(examples, key=lambda e: len(e.input_ids))):
            input_ids, attention_mask, labels = self._collate(micro)
            with self._autocast():
                logits = self.model(input_ids=input_ids, attention_mask=attention_mask).logits
            micro_loss, micro_correct = _token_loss(logits, labels)
            loss_sum += micro_loss.item()
            correct += micro_correct
        self.model.train()
        return loss_sum / max(n_trained, 1), correct / max(n_trained, 1)

    def _collate(
        self, examples: Sequence[EncodedExample]
    ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        width = max(len(example.input_ids) for example in examples)
        pad = self.tokenizer.pad_token_id
        input_ids = torch.full((len(examples), width), pad, dtype=torch.long)
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

    def _autocast(self) -> AbstractContextManager[Any]:
        if uses_bf16(self.spec.device):
            return torch.autocast("cuda", dtype=torch.bfloat16)
        return nullcontext()

    # save_checkpoint

    def save_checkpoint(self) -> Path:
        """Write adapter/ (PEFT format) and state/ under work_dir/checkpoints/step-N/."""
        step = self.progress.step
        target = self.spec.work_dir / "checkpoints" / f"step-{step}"
        staging = target.with_name(f".{target.name}.partial")
        shutil.rmtree(staging, ignore_errors=True)
        (staging / "state").mkdir(parents=True)
        self._save_adapter(staging / "adapter")
        state = {
            "optimizer": self.optimizer.state_dict(),
            "lr_scheduler": self.lr_scheduler.state_dict(),
            "progress": self.progress.state_dict(),
            "epoch_plan": self.epoch_plan,
            "hyperparameters": dict(self.hyperparameters),
            "n_examples": len(self.train_examples),
            "last_metrics": dict(self.last_metrics),
            "rng": {
                "python": random.getstate(),
                "torch": torch.get_rng_state(),
                "cuda": torch.cuda.get_rng_state(self.device)
                if self.device.type == "cuda"
                else None,
            },
        }
        torch.save(state, staging / "state" / STATE_FILE)
        # A readable copy for people; the .pt file is what resuming reads.
        (staging / "state" / "progress.json").write_text(
            json.dumps({**self.progress.state_dict(), "hyperparameters": self.hyperparameters})
        )
        # Published with one rename: a crash mid-save never leaves a half checkpoint in place.
        shutil.rmtree(target, ignore_errors=True)
        staging.rename(target)
        self.last_checkpoint = (step, target)
        return target

    def _save_adapter(self, directory: Path) -> None:
        # save_embedding_layers=False: the vocabulary is never resized, and "auto" would ask the
        # Hugging Face Hub about the base model, a network call a training worker must not make.
        self.model.save_pretrained(directory, save_embedding_layers=False)

    def _checkpoint_for_pause(self) -> Path:
        if self.last_checkpoint is not None and self.last_checkpoint[0] == self.progress.step:
            return self.last_checkpoint[1]
        return self.save_checkpoint()

    # cleanup

    def _finish(self) -> TrainingOutcome:
        adapter_dir = self.spec.work_dir / "adapter"
        shutil.rmtree(adapter_dir, ignore_errors=True)
        self._save_adapter(adapter_dir)
        metrics = {
            key: float(value)
            for key, value in self.last_metrics.items()
            if key in ("train_loss", "train_mean_token_accuracy")
        }
        if self.valid_examples:
            loss, accuracy = self._evaluate(self.valid_examples)
            metrics["full_valid_loss"] = loss
            metrics["full_valid_mean_token_accuracy"] = accuracy
        return self._outcome("succeeded", adapter_dir=adapter_dir, metrics=metrics)

    def _outcome(
        self,
        status: Any,
        *,
        adapter_dir: Path | None = None,
        checkpoint_dir: Path | None = None,
        metrics: dict[str, float] | None = None,
    ) -> TrainingOutcome:
        return TrainingOutcome(
            status=status,
            step=self.progress.step,
            trained_tokens=self.progress.trained_tokens,
            adapter_dir=adapter_dir,
            checkpoint_dir=checkpoint_dir,
            metrics=metrics or {},
        )

    def cleanup(self) -> None:
        """Free the model and optimizer so that a worker running several jobs does not leak."""
        for name in ("model", "optimizer", "lr_scheduler"):
            if hasattr(self, name):
                delattr(self, name)
        if self.device.type == "cuda":
            torch.cuda.empty_cache()


def _load_adapter(model: Any, directory: Path, what: str) -> None:
    """Copy a saved adapter's weights into the model's LoRA of the same shape."""
    weights = load_file(str(directory / "adapter_model.safetensors"))
    result = set_peft_model_state_dict(model, weights)
    if getattr(result, "unexpected_keys", None):
        raise ValueError(f"the {what} adapter does not fit: {result.unexpected_keys[:3]}")


def _seed_everything(seed: int) -> None:
    random.seed(seed)
    torch.manual_seed(seed)  # seeds every CUDA device as well


def _plan_epoch(
    lengths: Sequence[int], batch_size: int, *, seed: int, epoch: int
) -> list[list[int]]:
    """The epoch's batches: shuffled, then grouped by length to limit padding, then shuffled.

    A pure function of (seed, epoch): its own generator, never the global one.
    """
    generator = random.Random(seed * 1_000_003 + epoch)
    order = list(range(len(lengths)))
    generator.shuffle(order)
    group = batch_size * LENGTH_GROUP_BATCHES
    batches: list[list[int]] = []
    for start in range(0, len(order), group):
        by_length = sorted(order[start : start + group], key=lambda i: lengths[i], reverse=True)
        batches += [by_length[i : i + batch_size] for i in range(0, len(by_length), batch_size)]
    generator.shuffle(batches)
    return batches


def _micro_batches(batch: Sequence[EncodedExample]) -> Iterator[list[EncodedExample]]:
    """Split a batch so that no forward pass holds more than MAX_MICRO_BATCH_TOKENS padded."""
    ordered = sorted(batch, key=lambda example: len(example.input_ids), reverse=True)
    current: list[EncodedExample] = []
    for example in ordered:
        width = len(current[0].input_ids) if current else len(example.input_ids)
        if current and width * (len(current) + 1) > MAX_MICRO_BATCH_TOKENS:
            yield current
            current = []
        current.append(example)
    if current:
        yield current


def _shifted_trainable(example: EncodedExample) -> int:
    # The first token has no prediction; a label there can never be trained.
    return sum(label != IGNORE_INDEX for label in example.labels[1:])


def _token_loss(logits: torch.Tensor, labels: torch.Tensor) -> tuple[torch.Tensor, float]:
    """Summed cross-entropy and the number of correct argmax predictions on trained tokens."""
    shifted_labels = labels[:, 1:]
    mask = shifted_labels != IGNORE_INDEX
    picked = logits[:, :-1][mask].float()
    targets = shifted_labels[mask]
    loss = F.cross_entropy(picked, targets, reduction="sum")
    correct = float((picked.argmax(dim=-1) == targets).sum().item())
    return loss, correct
