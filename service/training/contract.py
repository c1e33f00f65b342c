"""The narrow interface between the training recipe and whoever runs it (the scheduler).

The recipe (service/training/recipe.py) knows nothing of the database, storage or HTTP: it reads
local files, reports through a TrainingReporter, and returns a TrainingOutcome. The scheduler's
worker backs the reporter with db/ and storage/. This module imports no torch.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, Protocol

from service.catalog import BaseModelEntry
from service.graders.sandbox import SandboxConfig
from service.training.hyperparameters import Value

Control = Literal["continue", "cancel", "pause"]
# torch.distributed's backend of a gang: gloo between CPU processes, NCCL between CUDA devices.
Backend = Literal["gloo", "nccl"]


@dataclass(frozen=True)
class RankContext:
    """Who this process is in a sharded job (torchrun's RANK, WORLD_SIZE, LOCAL_RANK,
    MASTER_ADDR and MASTER_PORT)."""

    rank: int
    world_size: int
    local_rank: int
    master_addr: str
    master_port: int
    backend: Backend

    @property
    def leads(self) -> bool:
        """Whether this rank reports, records and saves for the gang (rank 0)."""
        return self.rank == 0


@dataclass(frozen=True)
class TrainingSpec:
    """Everything one run of the recipe needs, all of it local."""

    job_id: str
    base_model: BaseModelEntry
    # A local directory with the base model's weights and tokenizer (Catalog.local_path).
    model_dir: Path
    training_file: Path
    validation_file: Path | None
    # As requested: OpenAI's n_epochs / batch_size / learning_rate_multiplier (ints, floats or
    # "auto") and the LoRA extensions lora_rank, lora_alpha, lora_dropout, lora_target_modules.
    hyperparameters: Mapping[str, object]
    seed: int
    device: str  # "cpu" or "cuda:N"
    # Scratch space owned by this run; the recipe writes checkpoints and the adapter here.
    work_dir: Path
    # A PEFT adapter directory the first step starts from (a job continuing an `ft:` model);
    # its LoRA shape is the one the hyperparameters name.
    initial_adapter_dir: Path | None = None
    # The fine-tuning method: "supervised" (chat or prompt-completion files), "dpo"
    # (preference files; the hyperparameters then hold beta as well) or "reinforcement"
    # (prompt files, graded by `grader`).
    method: Literal["supervised", "dpo", "reinforcement"] = "supervised"
    # The reinforcement job's grader, as stored in its method.
    grader: dict[str, Any] | None = None
    # How python graders are confined here; None: they are disabled.
    python_graders: SandboxConfig | None = None
    # The models the grader samples, by the name it gives them.
    grader_models: dict[str, GraderModel] = field(default_factory=dict)
    # The forgetting check's reference set (service/training/forgetting.py): a JSONL file, or
    # None for the general text Whetstone ships; and the tuned/base loss ratio that warns.
    reference_file: Path | None = None
    forgetting_threshold_ratio: float = 1.1
    # This process's place in a sharded job (FSDP2, service/training/distributed.py); None:
    # the job trains on `device` alone. Every rank gets the same spec but for `device`, and
    # `work_dir` is shared by the gang (sharded checkpoints are written there by every rank).
    rank: RankContext | None = None


@dataclass(frozen=True)
class GraderModel:
    """A model that a score_model or label_model grader names, available locally."""

    model_dir: Path
    # The adapter of an `ft:` grader model; None for a base model.
    adapter_dir: Path | None
    context_length: int


@dataclass(frozen=True)
class ResumeState:
    """Where a previous attempt left off: a directory written by the recipe's own save."""

    step: int
    # Holds `adapter/` (PEFT format), or `model/` for a full job, and `state/` (optimizer, LR
    # schedule, RNG, data position).
    checkpoint_dir: Path


@dataclass(frozen=True)
class TrainingOutcome:
    """How a run ended."""

    status: Literal["succeeded", "cancelled", "paused"]
    step: int
    trained_tokens: int
    # Succeeded: the final adapter in PEFT format (adapter_config.json,
    # adapter_model.safetensors). Paused: the checkpoint directory to resume from.
    adapter_dir: Path | None = None
    checkpoint_dir: Path | None = None
    # Succeeded, training_type "full": the whole model instead of an adapter (config.json,
    # safetensors shards, the tokenizer), loadable by AutoModelForCausalLM.from_pretrained.
    model_dir: Path | None = None
    # Final metrics: train_loss, train_mean_token_accuracy (DPO: and its train_rewards_* and
    # train_logps_*) and, with a validation file, the same under full_valid_*.
    metrics: dict[str, float] = field(default_factory=dict)


class TrainingReporter(Protocol):
    """What the recipe tells the outside world while it runs."""

    def event(self, message: str, *, level: Literal["info", "warn", "error"] = "info") -> None:
        """A human-readable job event (warnings such as truncated examples)."""

    def started(
        self, *, hyperparameters: dict[str, Value], total_steps: int, n_examples: int
    ) -> None:
        """The resolved hyperparameters (no "auto" left) and the planned number of steps."""

    def metrics(self, data: dict[str, float]) -> None:
        """One optimizer step's metrics: step, total_steps, train_loss,
        train_mean_token_accuracy (DPO: and train_rewards_*, train_logps_*), and periodically
        the same under valid_*."""

    def checkpoint(
        self, *, step: int, epoch: int, checkpoint_dir: Path, metrics: dict[str, float]
    ) -> None:
        """An end-of-epoch checkpoint (adapter/ and state/ under checkpoint_dir) to store."""

    def control(self) -> Control:
        """Polled once per optimizer step: go on, or stop to cancel or to pause."""
