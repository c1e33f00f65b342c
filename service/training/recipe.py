"""The fine-tuning recipe: setup, train, save_checkpoint, cleanup, read top to bottom.

Modelled on torchtune's single-device LoRA recipe: setup is split into its steps
(_setup_data, _setup_model, _setup_optimizer, ...) and returns what they build as one `Run`,
which cleanup drops whole. It reads local files only, reports through
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
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import asdict, dataclass
from functools import partial
from pathlib import Path
from typing import Any, Literal, NotRequired, TypedDict

import torch
from peft import (
    LoraConfig,
    PeftModelForCausalLM,
    get_peft_model,
    prepare_model_for_kbit_training,
    set_peft_model_state_dict,
)
from safetensors.torch import load_file
from transformers import PreTrainedModel, PreTrainedTokenizerBase

from service.catalog.loading import load_model, load_tokenizer, uses_bf16
from service.datasets.errors import DatasetError, DatasetParam
from service.training import distributed, forgetting, memory
from service.training.contract import (
    RankContext,
    ResumeState,
    TrainingOutcome,
    TrainingReporter,
    TrainingSpec,
)
from service.training.dpo import DPOObjective
from service.training.early_stopping import EarlyStopper, EarlyStoppingState
from service.training.hyperparameters import (
    SHARDED_METHODS,
    LoraShape,
    Method,
    ResolvedHyperparameters,
    Value,
    resolve,
)
from service.training.objective import (
    Batching,
    Example,
    Objective,
    ObjectiveClass,
    ObjectiveState,
    RunContext,
    SupervisedObjective,
    TrainedModel,
)
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
OBJECTIVES: dict[Method, ObjectiveClass] = {
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
    recipe = FinetuneRecipe(spec, reporter)
    recipe.setup(resume)
    try:
        return recipe.train()
    finally:
        recipe.cleanup()


@dataclass(frozen=True)
class TrainingData:
    """The run's examples, as its objective trains and evaluates on them, and the forgetting
    check's reference texts (none for a method that has no check)."""

    train: list[Example]
    valid: list[Example]
    reference_texts: list[str]


@dataclass(frozen=True)
class StepPlan:
    """How many steps the run takes, and when it validates."""

    batch_size: int
    total_steps: int
    valid_every: int
    valid_count: int


@dataclass
class Run:
    """Everything setup builds and train reads; cleanup drops it whole."""

    hyperparameters: ResolvedHyperparameters
    tokenizer: PreTrainedTokenizerBase
    data: TrainingData
    plan: StepPlan
    objective: Objective
    model: TrainedModel
    optimizer: torch.optim.Optimizer
    lr_scheduler: torch.optim.lr_scheduler.LRScheduler
    # The starting model's loss on the reference texts, measured before the first step of a
    # full run (which has no adapter to disable at the end); None for a LoRA run.
    reference_base_loss: float | None
    # None: the run trains every planned step.
    early_stopper: EarlyStopper | None


class RngState(TypedDict):
    """The generators' states, saved so that a resumed run draws what the first would have."""

    # random.getstate()'s own type.
    python: tuple[Any, ...]
    torch: torch.Tensor
    cuda: torch.Tensor | None


class CheckpointState(TypedDict):
    """state/training_state.pt: everything the next step depends on beyond the weights."""

    # torch's state_dict() types.
    optimizer: dict[str, Any]
    lr_scheduler: dict[str, Any]
    progress: dict[str, int]
    epoch_plan: list[list[int]]
    hyperparameters: dict[str, Value]
    n_examples: int
    last_metrics: dict[str, float]
    # Absent from checkpoints written before the loop was shared by every method.
    objective: NotRequired[ObjectiveState]
    # Absent from checkpoints written before full fine-tuning.
    reference_base_loss: NotRequired[float | None]
    # Absent from checkpoints of runs without early stopping (and older ones).
    early_stopping: NotRequired[dict[str, float | int | None]]
    # The ranks that wrote it; absent (1) from single-device checkpoints. A sharded
    # checkpoint's optimizer state is under state/optimizer/ (DCP), each rank's RNG beside it.
    world_size: NotRequired[int]
    rng: RngState


class FinetuneRecipe:
    """One run on one device, or one rank of a sharded run (spec.rank), of the method
    spec.method names: a LoRA adapter, or the whole model with training_type "full"."""

    def __init__(self, spec: TrainingSpec, reporter: TrainingReporter):
        self.spec = spec
        self.rank: RankContext | None = spec.rank
        self.reporter: TrainingReporter = (
            reporter if spec.rank is None else distributed.RankReporter(reporter, spec.rank)
        )
        self.device = torch.device(spec.device)
        self.progress = TrainingProgress()
        self.epoch_plan: list[list[int]] = []
        self.last_metrics: dict[str, float] = {}
        self.last_checkpoint: tuple[int, Path] | None = None
        # Built by setup, dropped by cleanup.
        self._run: Run | None = None

    @property
    def run(self) -> Run:
        """The set-up run; setup must have been called."""
        if self._run is None:
            raise RuntimeError("the recipe is not set up (or already cleaned up)")
        return self._run

    # setup

    def setup(self, resume: ResumeState | None) -> None:
        """Seed; load the tokenizer and the data; resolve the hyperparameters (or take the
        checkpoint's); load the model, with its LoRA; build the optimizer; restore the
        checkpoint's state; let the objective prepare its examples."""
        spec = self.spec
        if self.rank is not None and spec.method not in SHARDED_METHODS:
            raise ValueError(f"{spec.method} jobs train on one device")
        _seed_everything(spec.seed)
        tokenizer: PreTrainedTokenizerBase = load_tokenizer(spec.model_dir)
        objective_class = OBJECTIVES[spec.method]
        data = self._setup_data(objective_class, tokenizer)
        state = self._read_state(resume, data) if resume is not None else None
        hyperparameters = resolve(
            # The resolved values of the first attempt, whatever "auto" would say now.
            state["hyperparameters"] if state is not None else spec.hyperparameters,
            n_examples=len(data.train),
            entry=spec.base_model,
            method=spec.method,
        )
        objective = objective_class(
            hyperparameters,
            Batching(_pad_token_id(tokenizer), self.device, self._autocast),
            RunContext(
                tokenizer=tokenizer,
                context_length=spec.base_model.context_length,
                grader=spec.grader,
                python_graders=spec.python_graders,
                starting_adapter_dir=spec.initial_adapter_dir,
                grader_models=spec.grader_models,
                warn=self._warn,
            ),
        )
        plan = _plan_steps(hyperparameters, len(data.train), objective)
        early_stopper = None
        if hyperparameters.early_stopping is not None:
            early_stopper = EarlyStopper(
                hyperparameters.early_stopping, on_validation=bool(data.valid)
            )
            if state is not None and "early_stopping" in state:
                early_stopper.state = EarlyStoppingState.from_state_dict(state["early_stopping"])
        model = self._setup_model(hyperparameters, resume)
        if hyperparameters.activation_checkpointing:
            _checkpoint_activations(model)
        if self.rank is not None:
            # After the weights are loaded whole (the checkpoint's, or a starting adapter):
            # each rank keeps its shard.
            distributed.shard_model(model, self.device)
        optimizer, lr_scheduler = self._setup_optimizer(model, hyperparameters, plan)
        if state is not None:
            assert resume is not None
            self._restore(state, optimizer, lr_scheduler, model, resume.checkpoint_dir)
        reference_base_loss = self._setup_reference_loss(
            model, tokenizer, hyperparameters, data, state
        )
        # After the model is set up and before any step: what the objective computes from the
        # starting model (DPO's reference log-probabilities), or takes from the checkpoint.
        train, valid = objective.prepare(
            model, data.train, data.valid, state.get("objective", {}) if state is not None else None
        )
        self._run = Run(
            hyperparameters=hyperparameters,
            tokenizer=tokenizer,
            data=TrainingData(train, valid, data.reference_texts),
            plan=plan,
            objective=objective,
            model=model,
            optimizer=optimizer,
            lr_scheduler=lr_scheduler,
            reference_base_loss=reference_base_loss,
            early_stopper=early_stopper,
        )
        self.reporter.started(
            hyperparameters=hyperparameters.as_dict(),
            total_steps=plan.total_steps,
            n_examples=len(train),
        )

    def _setup_data(
        self, objective_class: ObjectiveClass, tokenizer: PreTrainedTokenizerBase
    ) -> TrainingData:
        """The training and validation examples, and the forgetting check's reference texts."""
        spec = self.spec
        train = self._load(objective_class, tokenizer, spec.training_file, "training_file")
        valid: list[Example] = []
        if spec.validation_file is not None:
            valid = self._load(objective_class, tokenizer, spec.validation_file, "validation_file")
        if not train:
            raise DatasetError(
                f"No example of the training file has a trained token within its first "
                f"{spec.base_model.context_length} tokens.",
                code="invalid_training_file",
                param="training_file",
            )
        return TrainingData(train, valid, self._reference_texts(tokenizer))

    def _load(
        self,
        objective_class: ObjectiveClass,
        tokenizer: PreTrainedTokenizerBase,
        path: Path,
        param: DatasetParam,
    ) -> list[Example]:
        examples, _report = objective_class.load(
            path,
            tokenizer,
            context_length=self.spec.base_model.context_length,
            param=param,
            warn=self._warn,
        )
        return examples

    def _reference_texts(self, tokenizer: PreTrainedTokenizerBase) -> list[str]:
        if self.spec.method not in FORGETTING_CHECKED:
            return []
        try:
            return forgetting.reference_texts(self.spec.reference_file, tokenizer)
        except (OSError, ValueError) as exc:
            # A broken reference set must not cost the job: check on the shipped one.
            self._warn(
                f"The forgetting check's reference file cannot be read ({exc}); it uses "
                "Whetstone's general reference text instead"
            )
            return forgetting.reference_texts(None, tokenizer)

    def _setup_model(
        self, hyperparameters: ResolvedHyperparameters, resume: ResumeState | None
    ) -> TrainedModel:
        """The base model wrapped with a fresh LoRA (or the checkpoint's, or the starting
        adapter of a continued job); the bare model of a full run."""
        lora = hyperparameters.lora
        if lora is None:
            return self._setup_full_model(resume)
        self._check_lora_memory(hyperparameters, lora)
        config = LoraConfig(
            task_type="CAUSAL_LM",
            r=lora.rank,
            lora_alpha=lora.alpha,
            lora_dropout=lora.dropout,
            target_modules=(
                lora.target_modules
                if isinstance(lora.target_modules, str)
                else list(lora.target_modules)
            ),
        )
        try:
            model = self._wrap(config)
        except ValueError as exc:
            # peft adapts the fused experts of MoE models as parameters (`all-linear` does), and
            # refuses dropout there. Train without it, saying so, rather than fail the job; the
            # half-wrapped base is reloaded.
            if "lora_dropout" not in str(exc) or not config.lora_dropout:
                raise
            self._warn(
                f"LoRA dropout {config.lora_dropout:g} is not supported on this model's expert "
                "parameters; training with dropout 0."
            )
            config.lora_dropout = 0.0
            model = self._wrap(config)
        # The catalog name, not the worker's scratch path that get_peft_model copies from the
        # base model, is what a reader of adapter_config.json can resolve.
        model.peft_config["default"].base_model_name_or_path = (
            self.spec.base_model.hub_id or self.spec.base_model.name
        )
        # A resumed run starts from its checkpoint, which already holds whatever the job
        # started from; only a fresh run of a continued job loads the starting adapter.
        if resume is not None:
            _load_adapter(model, resume.checkpoint_dir / ADAPTER_DIR, "checkpoint")
        elif self.spec.initial_adapter_dir is not None:
            _load_adapter(model, self.spec.initial_adapter_dir, "starting")
        return model

    def _check_lora_memory(self, hyperparameters: ResolvedHyperparameters, lora: LoraShape) -> None:
        """Before loading: refuse a LoRA (or QLoRA) run whose weights and adapter state cannot
        fit the device; warn when its activations, counted at the longest forward pass the
        context allows, may not (the data's real lengths are usually shorter)."""
        spec = self.spec
        shape = memory.model_shape(spec.model_dir)
        if shape is None:
            return
        plan = memory.TrainingPlan(
            training_type="lora",
            quantization=spec.base_model.quantization,
            batch_size=hyperparameters.batch_size,
            sequence_length=spec.base_model.context_length,
            activation_checkpointing=hyperparameters.activation_checkpointing,
            lora_rank=lora.rank,
            lora_targets=lora.target_modules,
            compute_bytes=2 if uses_bf16(spec.device) else 4,
        )
        estimate = memory.plan_memory(
            shape, plan, parameters=memory.parameter_count(spec.model_dir)
        )
        available = memory.available_bytes(spec.device)
        memory.check_plan(estimate, available=available, device=spec.device, with_activations=False)
        if estimate.total > available:
            self._warn(
                f"{estimate.describe()}; {spec.device} has {available / 1024**3:.2f} GiB "
                "available, so a batch of the longest examples may not fit. Set "
                '"activation_checkpointing": true or lower batch_size if it runs out of memory.'
            )

    def _wrap(self, config: LoraConfig) -> PeftModelForCausalLM:
        # A sharded run keeps fp32 master weights, as FSDP2 shards a block's parameters as
        # one flat group of one dtype (and casts them to bf16 for compute on CUDA).
        quantization = self.spec.base_model.quantization
        base: PreTrainedModel = load_model(
            self.spec.model_dir,
            device=self.spec.device,
            fp32=self.rank is not None,
            quantization=quantization,
        )
        if quantization is not None:
            # QLoRA's preparation: norms and embeddings in fp32, inputs that carry gradients
            # into the frozen 4-bit layers. Checkpointing is the job's own choice.
            base = prepare_model_for_kbit_training(  # type: ignore[no-untyped-call]  # peft
                base, use_gradient_checkpointing=False
            )
        model = get_peft_model(base, config)
        if not isinstance(model, PeftModelForCausalLM):  # task_type CAUSAL_LM makes one
            raise TypeError(f"get_peft_model made a {type(model).__name__}")
        return model

    def _setup_full_model(self, resume: ResumeState | None) -> PreTrainedModel:
        """The bare model, every parameter trainable, in fp32; from the checkpoint's `model/`
        on resume. Refused before loading when it and AdamW's state cannot fit the device."""
        source = resume.checkpoint_dir / MODEL_DIR if resume is not None else self.spec.model_dir
        memory.check_fits(
            memory.parameter_count(source),
            available=memory.available_bytes(self.spec.device),
            device=self.spec.device,
        )
        model: PreTrainedModel = load_model(source, device=self.spec.device, fp32=True)
        model.requires_grad_(True)
        return model

    def _setup_optimizer(
        self, model: TrainedModel, hyperparameters: ResolvedHyperparameters, plan: StepPlan
    ) -> tuple[torch.optim.Optimizer, torch.optim.lr_scheduler.LRScheduler]:
        """AdamW over the trainable parameters, and its warmup-then-decay schedule."""
        trainable = [param for param in model.parameters() if param.requires_grad]
        optimizer = torch.optim.AdamW(
            trainable, lr=hyperparameters.learning_rate(self.spec.base_model), weight_decay=0.0
        )
        lr_scheduler = torch.optim.lr_scheduler.LambdaLR(
            optimizer, partial(_lr_factor, total_steps=plan.total_steps)
        )
        return optimizer, lr_scheduler

    def _setup_reference_loss(
        self,
        model: TrainedModel,
        tokenizer: PreTrainedTokenizerBase,
        hyperparameters: ResolvedHyperparameters,
        data: TrainingData,
        state: CheckpointState | None,
    ) -> float | None:
        """A full run has no adapter to disable at the end: the starting model's reference
        loss is measured now, before any step, or taken from the checkpoint."""
        if not hyperparameters.full or not data.reference_texts:
            return None
        saved = state.get("reference_base_loss") if state is not None else None
        if saved is not None:
            return float(saved)
        return forgetting.starting_loss(
            model, tokenizer, data.reference_texts, self.device, self._autocast
        )

    def _read_state(self, resume: ResumeState, data: TrainingData) -> CheckpointState:
        state: CheckpointState = torch.load(
            resume.checkpoint_dir / "state" / STATE_FILE, map_location="cpu", weights_only=True
        )
        if state["n_examples"] != len(data.train):
            raise ValueError(
                f"the checkpoint was trained on {state['n_examples']} examples, the training "
                f"file now has {len(data.train)}"
            )
        world_size = self.rank.world_size if self.rank is not None else 1
        if state.get("world_size", 1) != world_size:
            raise ValueError(
                f"the checkpoint was written by {state.get('world_size', 1)} rank(s), this run "
                f"has {world_size}"
            )
        return state

    def _restore(
        self,
        state: CheckpointState,
        optimizer: torch.optim.Optimizer,
        lr_scheduler: torch.optim.lr_scheduler.LRScheduler,
        model: TrainedModel,
        checkpoint_dir: Path,
    ) -> None:
        rng = state["rng"]
        if self.rank is None:
            optimizer.load_state_dict(state["optimizer"])
        else:
            distributed.load_optimizer(
                model, optimizer, checkpoint_dir / "state" / distributed.OPTIMIZER_DIR
            )
            rng = torch.load(
                distributed.rng_file(checkpoint_dir / "state", self.rank),
                map_location="cpu",
                weights_only=True,
            )
        lr_scheduler.load_state_dict(state["lr_scheduler"])
        self.progress = TrainingProgress.from_state_dict(state["progress"])
        self.epoch_plan = [list(batch) for batch in state["epoch_plan"]]
        self.last_metrics = dict(state["last_metrics"])
        random.setstate(rng["python"])
        torch.set_rng_state(rng["torch"])
        cuda_rng = rng.get("cuda")
        if self.device.type == "cuda" and cuda_rng is not None:
            torch.cuda.set_rng_state(cuda_rng, self.device)

    def _warn(self, message: str) -> None:
        self.reporter.event(message, level="warn")

    # train

    def train(self) -> TrainingOutcome:
        """Epochs of batches; metrics and a control poll after every optimizer step."""
        run = self.run
        while self.progress.epochs_done < run.hyperparameters.n_epochs:
            if self.progress.batches_done == 0:
                self.epoch_plan = _plan_epoch(
                    [run.objective.length(example) for example in run.data.train],
                    run.plan.batch_size,
                    seed=self.spec.seed,
                    epoch=self.progress.epochs_done,
                )
            for position in range(self.progress.batches_done, len(self.epoch_plan)):
                batch = [run.data.train[i] for i in self.epoch_plan[position]]
                step_metrics, n_tokens = self._train_step(batch)
                self.progress.step += 1
                self.progress.batches_done = position + 1
                self.progress.trained_tokens += n_tokens
                stop = self._should_stop(step_metrics)
                self._report_step(step_metrics, last=stop)
                if self.progress.batches_done == len(self.epoch_plan):
                    self.progress.epochs_done += 1
                    self.progress.batches_done = 0
                    self._end_of_epoch()
                if stop:
                    return self._stop_early()
                action = self.reporter.control()
                if action == "cancel":
                    return self._outcome("cancelled")
                if action == "pause":
                    return self._outcome("paused", checkpoint_dir=self._checkpoint_for_pause())
        return self._finish()

    def _train_step(self, batch: Sequence[Example]) -> tuple[dict[str, float], int]:
        """One optimizer step on the objective's loss (summed over micro-batches, divided by
        its normaliser: trained tokens for supervised, pairs for DPO); the step's metrics."""
        run = self.run
        run.model.train()
        normaliser = run.objective.normaliser(batch)
        sums: dict[str, float] = {}
        n_tokens = 0
        try:
            for micro, weight in self._micro_batches(batch):
                part = run.objective.loss(run.model, micro)
                torch.autograd.backward(part.loss * weight / normaliser)
                # Weighted, not skipped: every rank then sums the same metric keys.
                _accumulate(sums, {key: value * weight for key, value in part.sums.items()})
                n_tokens += round(part.n_tokens * weight)
            if self.rank is not None:
                sums, n_tokens = distributed.summed(sums, n_tokens, sorted(sums))
            torch.nn.utils.clip_grad_norm_(
                [p for p in run.model.parameters() if p.requires_grad], MAX_GRAD_NORM
            )
            run.optimizer.step()
            run.lr_scheduler.step()
            run.optimizer.zero_grad(set_to_none=True)
        except torch.cuda.OutOfMemoryError as exc:
            raise RuntimeError(
                f"CUDA out of memory at step {self.progress.step + 1} with batch size "
                f"{run.plan.batch_size}; lower batch_size"
            ) from exc
        return run.objective.metrics(sums, batch), n_tokens

    def _micro_batches(self, batch: Sequence[Example]) -> Iterator[tuple[list[Example], float]]:
        """The micro-batches this process trains on, with their loss weights: the whole
        batch's on one device; on a rank, its share's, padded to the busiest rank's count with
        zero-weighted passes (every rank's forward and backward must meet the others')."""
        if self.rank is None:
            for micro in self.run.objective.micro_batches(batch):
                yield micro, 1.0
            return
        share = distributed.rank_share(batch, self.rank)
        micros = list(self.run.objective.micro_batches(share)) if share else []
        for index in range(distributed.most(len(micros))):
            if index < len(micros):
                yield micros[index], 1.0
            else:
                yield [batch[0]], 0.0

    def _should_stop(self, step_metrics: dict[str, float]) -> bool:
        """Early stopping's check after a step (never on the planned last one)."""
        run = self.run
        stopper, step = run.early_stopper, self.progress.step
        if stopper is None or step >= run.plan.total_steps:
            return False
        if not stopper.on_validation:
            return stopper.check(step, stopper.smooth(step_metrics["loss"]))
        if step % run.plan.valid_every != 0:
            return False
        # The same batch every time, so that a change is the model's, not the batch's.
        fixed = run.data.valid[: min(run.plan.valid_count, len(run.data.valid))]
        return stopper.check(step, self._evaluate(fixed)["loss"])

    def _stop_early(self) -> TrainingOutcome:
        """End the run at this step: say so, keep a checkpoint of it, finish as planned."""
        run = self.run
        assert run.early_stopper is not None
        step = self.progress.step
        self.reporter.event(run.early_stopper.message(step, run.plan.total_steps))
        if self.last_checkpoint is None or self.last_checkpoint[0] != step:
            # The job's last checkpoint is its final model, as at the end of a full plan.
            self.reporter.checkpoint(
                step=step,
                epoch=self.progress.epochs_done,
                checkpoint_dir=self.save_checkpoint(),
                metrics=dict(self.last_metrics),
            )
        return self._finish()

    def _report_step(self, step_metrics: dict[str, float], *, last: bool = False) -> None:
        """The step's metrics; the last step's (planned, or where the run stops early) carry
        the full validation loss and the forgetting check, and total_steps is the step."""
        run = self.run
        step = self.progress.step
        last = last or step == run.plan.total_steps
        # A run that stops early reports its own length, so estimated_finish says "now".
        total_steps = step if last else run.plan.total_steps
        valid = run.data.valid
        metrics: dict[str, float] = {
            "step": step,
            "total_steps": total_steps,
            **_prefixed("train_", step_metrics),
        }
        if valid and (step % run.plan.valid_every == 0 or last):
            # A rotating batch, chosen by step alone so that a resumed run picks the same one.
            count = min(run.plan.valid_count, len(valid))
            start = (step // run.plan.valid_every - 1) * count
            picked = [valid[(start + offset) % len(valid)] for offset in range(count)]
            metrics.update(_prefixed("valid_", self._evaluate(picked)))
        if valid and last:
            # OpenAI's last metrics event carries the full validation loss; the end of the
            # epoch then reuses it rather than evaluating the same model twice.
            metrics.update(_prefixed("full_valid_", self._evaluate(valid)))
        if run.data.reference_texts and last:
            # In the last metrics event, and so in the results file; _finish reports it.
            metrics.update(self._forgetting_check().metrics())
        self.last_metrics = {key: value for key, value in metrics.items() if key != "total_steps"}
        self.reporter.metrics(metrics)

    def _end_of_epoch(self) -> None:
        metrics = dict(self.last_metrics)
        valid = self.run.data.valid
        if valid and not any(key.startswith("full_valid_") for key in metrics):
            metrics.update(_prefixed("full_valid_", self._evaluate(valid)))
            self.last_metrics.update(metrics)
        checkpoint_dir = self.save_checkpoint()
        self.reporter.checkpoint(
            step=self.progress.step,
            epoch=self.progress.epochs_done,
            checkpoint_dir=checkpoint_dir,
            metrics=metrics,
        )

    def _evaluate(self, examples: Sequence[Example]) -> dict[str, float]:
        """The objective's metrics over `examples`; touches no RNG, so training is unaffected."""
        return self.run.objective.evaluate(self.run.model, examples)

    def _forgetting_check(self) -> forgetting.ForgettingCheck:
        run = self.run
        texts = run.data.reference_texts
        if isinstance(run.model, PeftModelForCausalLM):
            return forgetting.measure(run.model, run.tokenizer, texts, self.device, self._autocast)
        if run.reference_base_loss is None:
            raise RuntimeError("a full run measures its starting reference loss in setup")
        tuned = forgetting.starting_loss(
            run.model, run.tokenizer, texts, self.device, self._autocast
        )
        return forgetting.ForgettingCheck(run.reference_base_loss, tuned)

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
            self._warn(warning)

    def _autocast(self) -> AbstractContextManager[None]:
        if uses_bf16(self.spec.device):
            return torch.autocast("cuda", dtype=torch.bfloat16)
        return nullcontext()

    # save_checkpoint

    def save_checkpoint(self) -> Path:
        """Write adapter/ (PEFT format), or model/ for a full run, and state/ under
        work_dir/checkpoints/step-N/."""
        run = self.run
        step = self.progress.step
        target = self.spec.work_dir / "checkpoints" / f"step-{step}"
        staging = target.with_name(f".{target.name}.partial")
        leads = self.rank is None or self.rank.leads
        if leads:
            shutil.rmtree(staging, ignore_errors=True)
            (staging / "state").mkdir(parents=True)
        if self.rank is not None:
            distributed.barrier()  # the staging directory exists for every rank
            distributed.save_optimizer(
                run.model, run.optimizer, staging / "state" / distributed.OPTIMIZER_DIR
            )
            torch.save(self._rng_state(), distributed.rng_file(staging / "state", self.rank))
        self._save_trained(staging)
        if not leads:
            distributed.barrier()  # rank 0 publishes the checkpoint
            self.last_checkpoint = (step, target)
            return target
        state: CheckpointState = {
            # A sharded run's is in state/optimizer/, each rank's shard.
            "optimizer": run.optimizer.state_dict() if self.rank is None else {},
            "lr_scheduler": run.lr_scheduler.state_dict(),
            "progress": self.progress.state_dict(),
            "epoch_plan": self.epoch_plan,
            "hyperparameters": run.hyperparameters.as_dict(),
            "n_examples": len(run.data.train),
            "last_metrics": dict(self.last_metrics),
            # What the objective computed before the first step (DPO: reference log-probs).
            "objective": run.objective.state_dict(),
            "reference_base_loss": run.reference_base_loss,
            "rng": self._rng_state(),
            "world_size": self.rank.world_size if self.rank is not None else 1,
        }
        if run.early_stopper is not None:
            state["early_stopping"] = run.early_stopper.state.state_dict()
        torch.save(state, staging / "state" / STATE_FILE)
        # A readable copy for people; the .pt file is what resuming reads.
        (staging / "state" / "progress.json").write_text(
            json.dumps({**self.progress.state_dict(), "hyperparameters": state["hyperparameters"]})
        )
        # Published with one rename: a crash mid-save never leaves a half checkpoint in place.
        shutil.rmtree(target, ignore_errors=True)
        staging.rename(target)
        if self.rank is not None:
            distributed.barrier()
        self.last_checkpoint = (step, target)
        return target

    def _rng_state(self) -> RngState:
        return {
            "python": random.getstate(),
            "torch": torch.get_rng_state(),
            "cuda": torch.cuda.get_rng_state(self.device) if self.device.type == "cuda" else None,
        }

    def _save_trained(self, parent: Path) -> Path:
        """What the run trains, under `parent`: adapter/ for LoRA, model/ for a full run."""
        run = self.run
        # A sharded run gathers the weights whole (every rank takes part); rank 0 saves them
        # as a single-device run does, so the artifact is the same.
        gathered = distributed.full_trained_state(run.model) if self.rank is not None else None
        leads = self.rank is None or self.rank.leads
        if isinstance(run.model, PeftModelForCausalLM):
            directory = parent / ADAPTER_DIR
            # save_embedding_layers=False: the vocabulary is never resized, and "auto" would
            # ask the Hugging Face Hub about the base model, a network call a training worker
            # must not make. selected_adapters: a reinforcement job's frozen reference adapter
            # is not its result.
            if leads:
                run.model.save_pretrained(
                    str(directory),
                    save_embedding_layers=False,
                    selected_adapters=["default"],
                    state_dict=gathered,
                )
            return directory
        directory = parent / MODEL_DIR
        if not leads:
            return directory
        run.model.save_pretrained(directory, max_shard_size=MAX_SHARD_SIZE, state_dict=gathered)
        # Its own tokenizer: the saved directory is a model of its own, served as a base.
        run.tokenizer.save_pretrained(str(directory))
        return directory

    def _checkpoint_for_pause(self) -> Path:
        if self.last_checkpoint is not None and self.last_checkpoint[0] == self.progress.step:
            return self.last_checkpoint[1]
        return self.save_checkpoint()

    # cleanup

    def _finish(self) -> TrainingOutcome:
        if self.rank is None or self.rank.leads:
            for name in (ADAPTER_DIR, MODEL_DIR):
                shutil.rmtree(self.spec.work_dir / name, ignore_errors=True)
        saved = self._save_trained(self.spec.work_dir)
        metrics = {
            key: float(value)
            for key, value in self.last_metrics.items()
            if key.startswith("train_")
        }
        full_valid = {k: v for k, v in self.last_metrics.items() if k.startswith("full_valid_")}
        if self.run.data.valid and not full_valid:
            # Only a run resumed from its last step's checkpoint lacks them: the last step's
            # report measured the model that is saved here.
            full_valid = _prefixed("full_valid_", self._evaluate(self.run.data.valid))
        metrics.update(full_valid)
        if self.run.data.reference_texts:
            self._report_forgetting(metrics)
        if self.run.hyperparameters.full:
            return self._outcome("succeeded", model_dir=saved, metrics=metrics)
        return self._outcome("succeeded", adapter_dir=saved, metrics=metrics)

    def _outcome(
        self,
        status: Literal["succeeded", "cancelled", "paused"],
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
        self._run = None
        if self.device.type == "cuda":
            torch.cuda.empty_cache()


def _plan_steps(
    hyperparameters: ResolvedHyperparameters, n_examples: int, objective: Objective
) -> StepPlan:
    """Steps per epoch and in all, and the objective's validation schedule."""
    batch_size = min(hyperparameters.batch_size, n_examples)
    total_steps = hyperparameters.n_epochs * math.ceil(n_examples / batch_size)
    valid_every, valid_count = objective.validation_plan(total_steps, batch_size)
    return StepPlan(batch_size, total_steps, valid_every, valid_count)


def _lr_factor(step: int, *, total_steps: int) -> float:
    """Linear warmup to the peak, then linear decay to FINAL_LR_FRACTION of it."""
    warmup = max(1, round(WARMUP_FRACTION * total_steps))
    if step < warmup:
        return (step + 1) / warmup
    remaining = max(1, total_steps - warmup)
    return 1.0 - (1.0 - FINAL_LR_FRACTION) * min(1.0, (step - warmup) / remaining)


def _pad_token_id(tokenizer: PreTrainedTokenizerBase) -> int:
    pad = tokenizer.pad_token_id
    if not isinstance(pad, int):
        raise ValueError("the tokenizer has no pad token")  # load_tokenizer guarantees one
    return pad


def _load_adapter(model: PeftModelForCausalLM, directory: Path, what: str) -> None:
    """Copy a saved adapter's weights into the model's LoRA of the same shape."""
    weights = load_file(str(directory / "adapter_model.safetensors"))
    result = set_peft_model_state_dict(model, weights)
    unexpected = getattr(result, "unexpected_keys", None)
    if unexpected:
        raise ValueError(f"the {what} adapter does not fit: {list(unexpected)[:3]}")


def _checkpoint_activations(model: TrainedModel) -> None:
    """Recompute each decoder layer's activations in the backward pass (transformers' own
    gradient checkpointing). Non-reentrant: it needs no input that requires a gradient, which
    a LoRA run's frozen embeddings do not give, and it keeps the RNG state for dropout."""
    model.activation_checkpointing_enable(activation_checkpointing_kwargs={"use_reentrant": False})


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
