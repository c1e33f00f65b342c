"""The LoRA recipe: setup, train, save_checkpoint, cleanup, read top to bottom.

Modelled on torchtune's single-device LoRA recipe. It reads local files only, reports through
a TrainingReporter and returns a TrainingOutcome; the scheduler owns the database and storage.
One loop serves every method: the method's part (its examples, what is computed before the first
step, the loss of a micro-batch, its metrics and its validation) is an Objective
(service/training/objective.py: supervised cross-entropy; service/training/dpo.py: DPO;
service/training/reinforcement.py: GRPO), and everything else is shared, the checkpoint format
included.

Invariants the scheduler relies on:
- Determinism: the same seed, data and base model give byte-identical adapters on the CPU.
  Every source of randomness is seeded from spec.seed (LoRA init, dropout, data order), and the
  data order of an epoch is a pure function of (seed, epoch).
- Resume equivalence: a checkpoint holds everything the next step depends on (adapter weights,
  optimizer moments, LR schedule, RNG states, the epoch's batch plan and position), so a run
  paused after step k and resumed ends with the same adapter as one that never stopped.

Full fine-tuning (hyperparameter training_type "full") is the same loop on the bare model: no
peft, every parameter trainable, fp32 master weights (bf16 autocast on CUDA), checked against the
device's memory before the model is loaded (service/training/memory.py). Where a LoRA run writes
`adapter/`, it writes `model/`: the whole model in safetensors shards with its config and
tokenizer, loadable by `AutoModelForCausalLM.from_pretrained`; checkpoints hold it beside the
same `state/`. DPO needs no second copy for its reference, whose log-probabilities are computed
before the first step; the forgetting check's starting loss is measured then too.
"""

from __future__ import annotations

import json
import math
import random
import shutil
from collections.abc import Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import torch
from peft import LoraConfig, get_peft_model, set_peft_model_state_dict
from safetensors.torch import load_file

from service.catalog.loading import load_model, load_tokenizer, uses_bf16
from service.datasets.errors import DatasetError
from service.training import forgetting, memory
from service.training.contract import (
    ResumeState,
    TrainingOutcome,
    TrainingReporter,
    TrainingSpec,
)
from service.training.dpo import DPOObjective
from service.training.hyperparameters import (
    is_full_training,
    learning_rate,
    resolve_hyperparameters,
)
from service.training.objective import Batching, Objective, RunContext, SupervisedObjective
from service.training.reinforcement import ReinforcementObjective

WARMUP_FRACTION = 0.03
# The LR decays linearly to this fraction of its peak; never to zero, so the last epoch's
# examples still move the adapter.
FINAL_LR_FRACTION = 0.1
MAX_GRAD_NORM = 1.0
# Examples sorted by length together: the larger, the less padding but the less random batches.
LENGTH_GROUP_BATCHES = 32
STATE_FILE = "training_state.pt"
# What a run trains, as saved in the work dir and every checkpoint: a PEFT adapter, or the whole
# model of a full fine-tuning run.
ADAPTER_DIR = "adapter"
MODEL_DIR = "model"
# Safetensors shards of a saved full model: each one object in the store, small enough to
# upload and download whole.
MAX_SHARD_SIZE = "2GB"
# The methods whose runs end with the forgetting check (reinforcement's reference is its own
# frozen policy, and its prompts carry no target text to drift from).
FORGETTING_CHECKED = ("supervised", "dpo")
# The objective of each method (TrainingSpec.method).
OBJECTIVES: dict[str, type[Any]] = {
    "supervised": SupervisedObjective,
    "dpo": DPOObjective,
    "reinforcement": ReinforcementObjective,
}


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
    """Train a LoRA adapter (or, with training_type "full", the whole model) as `spec` says,
    from scratch or from a checkpoint of an earlier run."""
    recipe = LoRAFinetuneRecipe(spec, reporter)
    recipe.setup(resume)
    try:
        return recipe.train()
    finally:
        recipe.cleanup()


class LoRAFinetuneRecipe:
    """One LoRA run on one device, of the method spec.method names."""

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
        objective_class = OBJECTIVES[spec.method]
        self.train_examples, _ = self._load(objective_class, spec.training_file, "training_file")
        self.reference_texts: list[str] = []
        if spec.method in FORGETTING_CHECKED:
            try:
                self.reference_texts = forgetting.reference_texts(
                    spec.reference_file, self.tokenizer
                )
            except (OSError, ValueError) as exc:
                # A broken reference set must not cost the job: check on the shipped one.
                self.reporter.event(
                    f"The forgetting check's reference file cannot be read ({exc}); it uses "
                    "Whetstone's general reference text instead",
                    level="warn",
                )
                self.reference_texts = forgetting.reference_texts(None, self.tokenizer)
        self.valid_examples: list[Any] = []
        if spec.validation_file is not None:
            self.valid_examples, _ = self._load(
                objective_class, spec.validation_file, "validation_file"
            )
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
                spec.hyperparameters,
                n_examples=len(self.train_examples),
                entry=spec.base_model,
                method=spec.method,
            )
        hp = self.hyperparameters
        self.full = is_full_training(hp)
        self.objective: Objective = objective_class(
            dict(hp),
            Batching(self.tokenizer.pad_token_id, self.device, self._autocast),
            RunContext(
                tokenizer=self.tokenizer,
                context_length=context_length,
                grader=spec.grader,
                python_graders=spec.python_graders,
                starting_adapter_dir=spec.initial_adapter_dir,
                grader_models=spec.grader_models,
                warn=lambda message: self.reporter.event(message, level="warn"),
            ),
        )
        self.batch_size = min(int(hp["batch_size"]), len(self.train_examples))
        self.batches_per_epoch = math.ceil(len(self.train_examples) / self.batch_size)
        self.total_steps = int(hp["n_epochs"]) * self.batches_per_epoch
        self.valid_every, self.valid_count = self.objective.validation_plan(
            self.total_steps, self.batch_size
        )

        self.model = self._setup_model(resume)
        trainable = [param for param in self.model.parameters() if param.requires_grad]
        self.optimizer = torch.optim.AdamW(
            trainable, lr=learning_rate(hp, spec.base_model), weight_decay=0.0
        )
        self.lr_scheduler = torch.optim.lr_scheduler.LambdaLR(self.optimizer, self._lr_factor)
        if state is not None:
            self._restore(state)
        # A full run has no adapter to disable at the end: the starting model's reference loss
        # is measured now, before any step, or taken from the checkpoint.
        self.reference_base_loss: float | None = None
        if self.full and self.reference_texts:
            saved = state.get("reference_base_loss") if state is not None else None
            self.reference_base_loss = (
                float(saved)
                if saved is not None
                else forgetting.starting_loss(
                    self.model, self.tokenizer, self.reference_texts, self.device, self._autocast
                )
            )
        # After the model is set up and before any step: what the objective computes from the
        # starting model (DPO's reference log-probabilities), or takes from the checkpoint.
        self.train_examples, self.valid_examples = self.objective.prepare(
            self.model,
            self.train_examples,
            self.valid_examples,
            state.get("objective", {}) if state is not None else None,
        )
        self.reporter.started(
            hyperparameters=dict(hp),
            total_steps=self.total_steps,
            n_examples=len(self.train_examples),
        )

    def _load(self, objective_class: Any, path: Path, param: Any) -> tuple[list[Any], Any]:
        return objective_class.load(
            path,
            self.tokenizer,
            context_length=self.spec.base_model.context_length,
            param=param,
            warn=lambda message: self.reporter.event(message, level="warn"),
        )

    def _setup_model(self, resume: ResumeState | None) -> Any:
        if self.full:
            return self._setup_full_model(resume)
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
        try:
            model = get_peft_model(base, config)
        except ValueError as exc:
            # peft adapts the fused experts of MoE models as parameters (`all-linear` does), and
            # refuses dropout there. Train without it, saying so, rather than fail the job; the
            # half-wrapped base is reloaded.
            if "lora_dropout" not in str(exc) or not config.lora_dropout:
                raise
            self.reporter.event(
                f"LoRA dropout {config.lora_dropout:g} is not supported on this model's expert "
                "parameters; training with dropout 0.",
                level="warn",
            )
            config.lora_dropout = 0.0
            model = get_peft_model(load_model(self.spec.model_dir, device=self.spec.device), config)
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

    def _setup_full_model(self, resume: ResumeState | None) -> Any:
        """The bare model, every parameter trainable, in fp32; from the checkpoint's `model/`
        on resume. Refused before loading when it and AdamW's state cannot fit the device."""
        source = resume.checkpoint_dir / MODEL_DIR if resume is not None else self.spec.model_dir
        memory.check_fits(
            memory.parameter_count(source),
            available=memory.available_bytes(self.spec.device),
            device=self.spec.device,
        )
        model = load_model(source, device=self.spec.device, fp32=True)
        model.requires_grad_(True)
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
                    [self.objective.length(example) for example in self.train_examples],
                    self.batch_size,
                    seed=self.spec.seed,
                    epoch=self.progress.epochs_done,
                )
            for position in range(self.progress.batches_done, len(self.epoch_plan)):
                batch = [self.train_examples[i] for i in self.epoch_plan[position]]
                step_metrics, n_tokens = self._train_step(batch)
                self.progress.step += 1
                self.progress.batches_done = position + 1
                self.progress.trained_tokens += n_tokens
                self._report_step(step_metrics)
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

    def _train_step(self, batch: Sequence[Any]) -> tuple[dict[str, float], int]:
        """One optimizer step on the objective's loss (summed over micro-batches, divided by
        its normaliser: trained tokens for supervised, pairs for DPO); the step's metrics."""
        self.model.train()
        normaliser = self.objective.normaliser(batch)
        sums: dict[str, float] = {}
        n_tokens = 0
        try:
            for micro in self.objective.micro_batches(batch):
                part = self.objective.loss(self.model, micro)
                (part.loss / normaliser).backward()
                _accumulate(sums, part.sums)
                n_tokens += part.n_tokens
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
        return self.objective.metrics(sums, batch), n_tokens

    def _report_step(self, step_metrics: dict[str, float]) -> None:
        step = self.progress.step
        metrics: dict[str, Any] = {
            "step": step,
            "total_steps": self.total_steps,
            **_prefixed("train_", step_metrics),
        }
        if self.valid_examples and (step % self.valid_every == 0 or step == self.total_steps):
            # A rotating batch, chosen by step alone so that a resumed run picks the same one.
            count = min(self.valid_count, len(self.valid_examples))
            start = (step // self.valid_every - 1) * count
            picked = [
                self.valid_examples[(start + offset) % len(self.valid_examples)]
                for offset in range(count)
            ]
            metrics.update(_prefixed("valid_", self._evaluate(picked)))
        if self.valid_examples and step == self.total_steps:
            # OpenAI's last metrics event carries the full validation loss; the end of the
            # epoch then reuses it rather than evaluating the same model twice.
            metrics.update(_prefixed("full_valid_", self._evaluate(self.valid_examples)))
        if self.reference_texts and step == self.total_steps:
            # In the last metrics event, and so in the results file; _finish reports it.
            metrics.update(self._forgetting_check().metrics())
        self.last_metrics = {key: value for key, value in metrics.items() if key != "total_steps"}
        self.reporter.metrics(metrics)

    def _end_of_epoch(self) -> None:
        metrics = dict(self.last_metrics)
        if self.valid_examples and not any(key.startswith("full_valid_") for key in metrics):
            metrics.update(_prefixed("full_valid_", self._evaluate(self.valid_examples)))
            self.last_metrics.update(metrics)
        checkpoint_dir = self.save_checkpoint()
        self.reporter.checkpoint(
            step=self.progress.step,
            epoch=self.progress.epochs_done,
            checkpoint_dir=checkpoint_dir,
            metrics=metrics,
        )

    def _evaluate(self, examples: Sequence[Any]) -> dict[str, float]:
        """The objective's metrics over `examples`; touches no RNG, so training is unaffected."""
        return self.objective.evaluate(self.model, examples)

    def _forgetting_check(self) -> forgetting.ForgettingCheck:
        if self.full:
            assert self.reference_base_loss is not None
            tuned = forgetting.starting_loss(
                self.model, self.tokenizer, self.reference_texts, self.device, self._autocast
            )
            return forgetting.ForgettingCheck(self.reference_base_loss, tuned)
        return forgetting.measure(
            self.model, self.tokenizer, self.reference_texts, self.device, self._autocast
        )

    def _report_forgetting(self, metrics: dict[str, float]) -> None:
        """The final event with both reference losses, a warning past the threshold, and
        the figures in the outcome's metrics."""
        check = forgetting.ForgettingCheck.from_metrics(self.last_metrics)
        if check is None:  # resumed from a checkpoint saved before the last step's report
            check = self._forgetting_check()
        metrics.update(check.metrics())
        self.reporter.event(check.message())
        warning = check.warning(self.spec.forgetting_threshold_ratio)
        if warning is not None:
            self.reporter.event(warning, level="warn")

    def _autocast(self) -> AbstractContextManager[Any]:
        if uses_bf16(self.spec.device):
            return torch.autocast("cuda", dtype=torch.bfloat16)
        return nullcontext()

    # save_checkpoint

    def save_checkpoint(self) -> Path:
        """Write adapter/ (PEFT format), or model/ for a full run, and state/ under
        work_dir/checkpoints/step-N/."""
        step = self.progress.step
        target = self.spec.work_dir / "checkpoints" / f"step-{step}"
        staging = target.with_name(f".{target.name}.partial")
        shutil.rmtree(staging, ignore_errors=True)
        (staging / "state").mkdir(parents=True)
        self._save_trained(staging)
        state = {
            "optimizer": self.optimizer.state_dict(),
            "lr_scheduler": self.lr_scheduler.state_dict(),
            "progress": self.progress.state_dict(),
            "epoch_plan": self.epoch_plan,
            "hyperparameters": dict(self.hyperparameters),
            "n_examples": len(self.train_examples),
            "last_metrics": dict(self.last_metrics),
            # What the objective computed before the first step (DPO: reference log-probs).
            "objective": self.objective.state_dict(),
            "reference_base_loss": self.reference_base_loss,
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

    def _save_trained(self, parent: Path) -> Path:
        """What the run trains, under `parent`: adapter/ for LoRA, model/ for a full run."""
        if self.full:
            directory = parent / MODEL_DIR
            self.model.save_pretrained(directory, max_shard_size=MAX_SHARD_SIZE)
            # Its own tokenizer: the saved directory is a model of its own, served as a base.
            self.tokenizer.save_pretrained(directory)
            return directory
        directory = parent / ADAPTER_DIR
        self._save_adapter(directory)
        return directory

    def _save_adapter(self, directory: Path) -> None:
        # save_embedding_layers=False: the vocabulary is never resized, and "auto" would ask the
        # Hugging Face Hub about the base model, a network call a training worker must not make.
        # selected_adapters: a reinforcement job's frozen reference adapter is not its result.
        self.model.save_pretrained(
            directory, save_embedding_layers=False, selected_adapters=["default"]
        )

    def _checkpoint_for_pause(self) -> Path:
        if self.last_checkpoint is not None and self.last_checkpoint[0] == self.progress.step:
            return self.last_checkpoint[1]
        return self.save_checkpoint()

    # cleanup

    def _finish(self) -> TrainingOutcome:
        for name in (ADAPTER_DIR, MODEL_DIR):
            shutil.rmtree(self.spec.work_dir / name, ignore_errors=True)
        saved = self._save_trained(self.spec.work_dir)
        metrics = {
            key: float(value)
            for key, value in self.last_metrics.items()
            if key.startswith("train_")
        }
        if self.valid_examples:
            metrics.update(_prefixed("full_valid_", self._evaluate(self.valid_examples)))
        if self.reference_texts:
            self._report_forgetting(metrics)
        if self.full:
            return self._outcome("succeeded", model_dir=saved, metrics=metrics)
        return self._outcome("succeeded", adapter_dir=saved, metrics=metrics)

    def _outcome(
        self,
        status: Any,
        *,
        adapter_dir: Path | None = None,
        model_dir: Path | None = None,
        checkpoint_dir: Path | None = None,
        metrics: dict[str, float] | None = None,
    ) -> TrainingOutcome:
        return TrainingOutcome(
            status=status,
            step=self.progress.step,
            trained_tokens=self.progress.trained_tokens,
            adapter_dir=adapter_dir,
            model_dir=model_dir,
            checkpoint_dir=checkpoint_dir,
            metrics=metrics or {},
        )

    def cleanup(self) -> None:
        """Free the model and optimizer so that a worker running several jobs does not leak."""
        for name in ("model", "optimizer", "lr_scheduler", "objective"):
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


def _accumulate(sums: dict[str, float], part: dict[str, float]) -> None:
    for key, value in part.items():
        sums[key] = sums.get(key, 0.0) + value


def _prefixed(prefix: str, metrics: dict[str, float]) -> dict[str, float]:
    """An objective's metrics under the split's prefix: loss -> train_loss, valid_loss, ..."""
    return {f"{prefix}{key}": value for key, value in metrics.items()}
