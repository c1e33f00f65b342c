"""Tinker training sessions: a LoRA model and its optimizer held between calls.

The worker that holds a session (service/scheduler/sessions.py) decodes each request into the
types below and calls a `SessionTrainer`; the trainer knows nothing of HTTP, protobuf or the
database.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

# Tinker's loss functions, each a sum over tokens (service/training/sessions/losses.py).
LOSS_FUNCTIONS = ("cross_entropy", "importance_sampling", "ppo", "cispo", "dro")


@dataclass(frozen=True)
class LoraSpec:
    """Tinker's LoraConfig: rank, init seed, and which layers get adapters."""

    rank: int
    seed: int | None = None
    train_mlp: bool = True
    train_attn: bool = True
    train_unembed: bool = True


@dataclass(frozen=True)
class AdamSpec:
    """Tinker's AdamParams for one optim_step (its defaults)."""

    learning_rate: float = 1e-4
    beta1: float = 0.9
    beta2: float = 0.95
    eps: float = 1e-12
    weight_decay: float = 0.0
    grad_clip_norm: float = 0.0


@dataclass
class TrainingDatum:
    """One datum: the model input's token ids and the loss function's inputs by name
    (`target_tokens` int64, `weights`, `logprobs`, `advantages` float32; each as long as the
    input unless the loss says otherwise)."""

    tokens: list[int]
    loss_fn_inputs: dict[str, np.ndarray] = field(default_factory=dict)


@dataclass
class ForwardBackwardResult:
    """Per-datum outputs (`logprobs` always, float32, one per input token) and the batch's
    metrics, keys with exactly one colon (`loss:sum` always)."""

    loss_fn_output_type: str
    outputs: list[dict[str, np.ndarray]]
    metrics: dict[str, float]
