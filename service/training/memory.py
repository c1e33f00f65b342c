"""The pre-flight memory check of full fine-tuning: will the model and AdamW's state fit?

Full training holds, per parameter, the fp32 master weight, its fp32 gradient and AdamW's two
fp32 moments: 16 bytes. (On CUDA the forward and backward passes run under bf16 autocast, but the
weights stay fp32, since a bf16 weight loses every AdamW update smaller than 2^-8 of itself: at
the usual learning rates, most of them.) Activations, the CUDA context and the allocator's slack
come on top, which a margin covers. The check runs before the model is loaded, on a parameter
count taken from the config alone, so a model that cannot fit fails the job at once rather than
as an OOM kill minutes later. LoRA jobs are not checked: their optimizer state is the adapter's.

Pure arithmetic (`required_bytes`, `check_fits`) is separate from what it asks the machine
(`available_bytes`, `parameter_count`), so the refusal is tested without allocating anything.

The planner (`ModelShape`, `plan_memory`, `check_plan`) extends the estimate to LoRA, QLoRA
(a 4-bit NF4 base) and sharded (FSDP) jobs, per device, from the config alone:

- weights: full training keeps fp32 masters (4 bytes); a LoRA base is frozen in the load dtype
  (2 bytes in bf16); an NF4 base holds its linear layers in 4 bits plus bitsandbytes' double-
  quantised block constants (0.5 + 0.127/8 bytes), the rest in bf16;
- gradients and AdamW's two moments: 4 + 8 bytes per trained parameter (every parameter of a
  full run, the adapter's of a LoRA run, whose own weights are fp32: 16 bytes in all);
- FSDP divides weights, gradients and optimizer state by the world size, and holds the two
  decoder layers it gathers at a time (the one computing and the one prefetched) whole;
- activations, per token of the largest forward pass (at most MAX_MICRO_BATCH_TOKENS): each
  decoder layer keeps about 6h + q + 2kv + 4I values (norms, attention projections, the
  residual, SwiGLU's gate, up, product and down inputs) in the compute dtype, plus the LoRA
  inputs it adapts; with activation checkpointing only each layer's input (h) is kept, and one
  layer is recomputed at a time; the logits add vocab x (dtype + 8) bytes (their fp32 copy for
  the loss, and its gradient);
- a margin: a fifth of the weights' and optimizer's state, at least 256 MiB (the CUDA context,
  the allocator's slack, a checkpoint save's copies).
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

# fp32 weight + fp32 gradient + AdamW's exp_avg and exp_avg_sq in fp32.
BYTES_PER_PARAMETER = {"float32": 4 + 4 + 4 + 4}
# Activations (at most 8192 padded tokens per forward pass), the temporary copies of a
# checkpoint save, the CUDA context: a fifth more, and at least 256 MiB.
MARGIN_FRACTION = 0.2
MIN_MARGIN_BYTES = 256 * 1024**2
INSUFFICIENT_MEMORY_CODE = "insufficient_memory"


class InsufficientMemoryError(Exception):
    """Full fine-tuning of this model cannot fit the device; the job fails with `code`."""

    code = INSUFFICIENT_MEMORY_CODE

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def required_bytes(parameters: int, dtype: str = "float32") -> int:
    """Bytes full training of `parameters` parameters needs: weights, gradients, AdamW's two
    moments, and the margin."""
    state = parameters * BYTES_PER_PARAMETER[dtype]
    return state + max(MIN_MARGIN_BYTES, round(state * MARGIN_FRACTION))


def check_fits(parameters: int, *, available: int, device: str, dtype: str = "float32") -> None:
    """Raise InsufficientMemoryError, naming both figures, when training cannot fit."""
    needed = required_bytes(parameters, dtype)
    if needed > available:
        raise InsufficientMemoryError(
            f"Full fine-tuning of this model needs about {_gib(needed)} "
            f"({needed} bytes: {parameters:,} parameters x {BYTES_PER_PARAMETER[dtype]} bytes "
            f"of {dtype} weights, gradients and AdamW's two moments, plus a margin), but "
            f"{device} has {_gib(available)} ({available} bytes) available. Train a LoRA "
            f'adapter instead (training_type "lora"), or use a device with more memory.'
        )


def available_bytes(device: str) -> int:
    """Free memory of `device` now: the CUDA device's free bytes, or the machine's
    MemAvailable (free RAM plus reclaimable cache) on the CPU."""
    import torch

    target = torch.device(device)
    if target.type == "cuda":
        free, _total = torch.cuda.mem_get_info(target)
        return int(free)
    return _host_available_bytes()


def _host_available_bytes() -> int:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemAvailable:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    # Not Linux: free pages only (excludes the page cache, so it errs on the safe side).
    return os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")


def parameter_count(model_dir: Path) -> int:
    """The model's parameter count from its config alone: built on the meta device, so no
    weight is read or allocated. Tied weights count once, as the optimizer sees them."""
    import torch
    from transformers import AutoConfig, AutoModelForCausalLM

    config = AutoConfig.from_pretrained(model_dir, local_files_only=True)
    with torch.device("meta"):
        # transformers leaves the auto classes' from_config unannotated.
        model: torch.nn.Module = AutoModelForCausalLM.from_config(config)  # type: ignore[no-untyped-call]
    return sum(parameter.numel() for parameter in model.parameters())


def _gib(count: int) -> str:
    return f"{count / 1024**3:.2f} GiB"


# -- the planner: LoRA, QLoRA and sharded jobs ----------------------------------------------

GIB = 1024**3
# Padded tokens per forward pass (service/training/objective.py splits larger batches).
MAX_MICRO_BATCH_TOKENS = 8192
# AdamW's two fp32 moments and the fp32 gradient, per trained parameter.
OPTIMIZER_BYTES = 8
GRADIENT_BYTES = 4
# NF4: 4 bits a weight, and with double quantisation an 8-bit absmax per 64 weights plus an
# fp32 constant per 256 blocks: 0.127 bits more (QLoRA paper, section 3).
NF4_BYTES = 0.5 + 0.127 / 8
# FSDP2 holds the layer computing and the one it prefetches unsharded.
GATHERED_LAYERS = 2
LINEAR_NAMES = ("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj")
TrainingKind = Literal["lora", "full"]
Quantization = Literal["nf4"]


@dataclass(frozen=True)
class ModelShape:
    """A decoder-only transformer's dimensions, as its config.json gives them."""

    hidden_size: int
    num_layers: int
    intermediate_size: int
    num_heads: int
    num_kv_heads: int
    head_dim: int
    vocab_size: int
    tied_embeddings: bool
    qkv_bias: bool

    @classmethod
    def from_config(cls, config: Mapping[str, object]) -> ModelShape:
        """The shape of a Llama-, Qwen2- or Mistral-style config (a config.json as a dict)."""

        def number(key: str, default: int | None = None) -> int:
            value = config.get(key)
            value = default if value is None else value
            if not isinstance(value, int):
                raise ValueError(f"the model's config has no integer {key!r}")
            return value

        hidden, heads = number("hidden_size"), number("num_attention_heads")
        return cls(
            hidden_size=hidden,
            num_layers=number("num_hidden_layers"),
            intermediate_size=number("intermediate_size"),
            num_heads=heads,
            num_kv_heads=number("num_key_value_heads", heads),
            head_dim=number("head_dim", hidden // heads),
            vocab_size=number("vocab_size"),
            tied_embeddings=config.get("tie_word_embeddings") is True,
            qkv_bias=config.get("attention_bias") is True or config.get("model_type") == "qwen2",
        )

    def linear_shapes(self) -> dict[str, tuple[int, int]]:
        """Each decoder layer's linear layers: (in features, out features) by module name."""
        h, q, kv, i = (
            self.hidden_size,
            self.num_heads * self.head_dim,
            self.kv_dim,
            self.intermediate_size,
        )
        return {
            "q_proj": (h, q),
            "k_proj": (h, kv),
            "v_proj": (h, kv),
            "o_proj": (q, h),
            "gate_proj": (h, i),
            "up_proj": (h, i),
            "down_proj": (i, h),
        }

    @property
    def kv_dim(self) -> int:
        """Width of the key (and the value) projection."""
        return self.num_kv_heads * self.head_dim

    def layer_linear_parameters(self) -> int:
        """Weights of one decoder layer's linear layers (what NF4 quantises)."""
        return sum(inputs * outputs for inputs, outputs in self.linear_shapes().values())

    def layer_parameters(self) -> int:
        """Every parameter of one decoder layer: linears, q/k/v biases, two norms."""
        bias = self.num_heads * self.head_dim + 2 * self.kv_dim if self.qkv_bias else 0
        return self.layer_linear_parameters() + bias + 2 * self.hidden_size

    def parameters(self) -> int:
        """Every parameter: embeddings, layers, the final norm, the LM head unless tied."""
        embeddings = self.vocab_size * self.hidden_size
        head = 0 if self.tied_embeddings else embeddings
        return embeddings + self.num_layers * self.layer_parameters() + self.hidden_size + head

    def lora_parameters(self, rank: int, targets: str | Sequence[str]) -> int:
        """An adapter's parameters: rank x (in + out) for each adapted linear of every layer."""
        adapted = self._targets(targets)
        per_layer = sum(rank * (inputs + outputs) for name, (inputs, outputs) in adapted.items())
        return self.num_layers * per_layer

    def _targets(self, targets: str | Sequence[str]) -> dict[str, tuple[int, int]]:
        shapes = self.linear_shapes()
        if isinstance(targets, str):
            return (
                shapes
                if targets == "all-linear"
                else {k: v for k, v in shapes.items() if k == targets}
            )
        return {name: shape for name, shape in shapes.items() if name in targets}

    def activation_values_per_token(self, lora_targets: str | Sequence[str] | None) -> int:
        """Values one decoder layer keeps per token for the backward pass, without
        checkpointing: norms, q/k/v, attention output, residual, SwiGLU's four, LoRA inputs."""
        h, i = self.hidden_size, self.intermediate_size
        kept = 6 * h + self.num_heads * self.head_dim + 2 * self.kv_dim + 4 * i
        if lora_targets is not None:
            kept += sum(inputs for inputs, _ in self._targets(lora_targets).values())
        return kept


@dataclass(frozen=True)
class TrainingPlan:
    """How a job trains, as far as memory is concerned."""

    training_type: TrainingKind = "lora"
    quantization: Quantization | None = None
    # Devices the job is sharded over (FSDP); 1: one device holds everything.
    world_size: int = 1
    batch_size: int = 1
    sequence_length: int = 2048
    activation_checkpointing: bool = False
    lora_rank: int = 16
    lora_targets: str | tuple[str, ...] = "all-linear"
    # The dtype the frozen base (LoRA) and the activations are held in: bf16 on CUDA.
    compute_bytes: int = 2

    @property
    def tokens_per_forward(self) -> int:
        """Padded tokens of a device's largest forward pass: its share of the global batch,
        split at the micro-batch cap (one sequence is never split)."""
        per_device = -(-self.batch_size // self.world_size)
        return min(
            per_device * self.sequence_length,
            max(MAX_MICRO_BATCH_TOKENS, self.sequence_length),
        )


@dataclass(frozen=True)
class MemoryEstimate:
    """Bytes per device, by what holds them."""

    weights: int
    gradients: int
    optimizer: int
    activations: int
    margin: int
    parameters: int
    trained_parameters: int
    plan: TrainingPlan

    @property
    def total(self) -> int:
        """Everything: what the device must have free."""
        return self.weights + self.gradients + self.optimizer + self.activations + self.margin

    def describe(self) -> str:
        """The figures in words, for the job's error."""
        plan = self.plan
        what = "QLoRA (NF4 base)" if plan.quantization == "nf4" else "LoRA"
        if plan.training_type == "full":
            what = "Full fine-tuning"
        shards = f" sharded over {plan.world_size} devices" if plan.world_size > 1 else ""
        checkpointing = "with" if plan.activation_checkpointing else "without"
        return (
            f"{what}{shards} of {self.parameters:,} parameters ({self.trained_parameters:,} "
            f"trained) needs about {_gib(self.total)} per device: weights {_gib(self.weights)}, "
            f"gradients {_gib(self.gradients)}, optimizer {_gib(self.optimizer)}, activations "
            f"{_gib(self.activations)} ({plan.tokens_per_forward} tokens a forward pass, "
            f"{checkpointing} activation checkpointing), margin {_gib(self.margin)}"
        )


def plan_memory(
    shape: ModelShape, plan: TrainingPlan, parameters: int | None = None
) -> MemoryEstimate:
    """Bytes per device of training `shape` as `plan` says; `parameters` overrides the count
    derived from the shape (the exact count of the meta-device model, where there is one)."""
    total = parameters if parameters is not None else shape.parameters()
    world = plan.world_size
    full = plan.training_type == "full"
    if full:
        weight_bytes: float = total * 4.0
        gathered = GATHERED_LAYERS * shape.layer_parameters() * plan.compute_bytes
        trained = total
    else:
        if plan.quantization == "nf4":
            linear = shape.num_layers * shape.layer_linear_parameters()
            weight_bytes = linear * NF4_BYTES + (total - linear) * plan.compute_bytes
            gathered = GATHERED_LAYERS * round(shape.layer_linear_parameters() * NF4_BYTES)
        else:
            weight_bytes = total * plan.compute_bytes
            gathered = GATHERED_LAYERS * shape.layer_parameters() * plan.compute_bytes
        trained = shape.lora_parameters(plan.lora_rank, plan.lora_targets)
        weight_bytes += trained * 4.0  # the adapter's fp32 weights
    weights = round(weight_bytes / world) + (gathered if world > 1 else 0)
    gradients = math.ceil(trained * GRADIENT_BYTES / world)
    optimizer = math.ceil(trained * OPTIMIZER_BYTES / world)
    tokens = plan.tokens_per_forward
    lora_targets = None if full else plan.lora_targets
    per_layer = shape.activation_values_per_token(lora_targets) * plan.compute_bytes
    if plan.activation_checkpointing:
        layers = shape.num_layers * shape.hidden_size * plan.compute_bytes + per_layer
    else:
        layers = shape.num_layers * per_layer
    logits = shape.vocab_size * (plan.compute_bytes + 8)
    activations = tokens * (layers + logits)
    state = weights + gradients + optimizer
    margin = max(MIN_MARGIN_BYTES, round(state * MARGIN_FRACTION))
    return MemoryEstimate(
        weights=weights,
        gradients=gradients,
        optimizer=optimizer,
        activations=activations,
        margin=margin,
        parameters=total,
        trained_parameters=trained,
        plan=plan,
    )


def check_plan(
    estimate: MemoryEstimate, *, available: int, device: str, with_activations: bool = True
) -> None:
    """Raise InsufficientMemoryError, with every figure, when the estimate exceeds `available`;
    without `with_activations`, only when the weights, gradients, optimizer and margin do."""
    needed = estimate.total if with_activations else estimate.total - estimate.activations
    if needed <= available:
        return
    hints = []
    plan = estimate.plan
    if not plan.activation_checkpointing:
        hints.append('"activation_checkpointing": true')
    if plan.training_type == "full":
        hints.append('training_type "lora"')
    elif plan.quantization is None:
        hints.append("an NF4 (QLoRA) base")
    hints.append("more devices, or devices with more memory")
    raise InsufficientMemoryError(
        f"{estimate.describe()}; but {device} has {_gib(available)} ({available} bytes) "
        f"available. Try {', '.join(hints)}."
    )


def model_shape(model_dir: Path) -> ModelShape | None:
    """The shape in the model's config.json; None where it has no decoder of the Llama kind
    the planner describes (then only full training is checked, by parameter count)."""
    from service.catalog.architectures import read_config

    config = read_config(model_dir)
    if config is None:
        return None
    try:
        return ModelShape.from_config(config)
    except ValueError:
        return None


def gpus_needed(shape: ModelShape, plan: TrainingPlan, *, device_bytes: int) -> int | None:
    """The fewest devices of `device_bytes` each that hold `plan` sharded (1 to 64); None
    when even 64 cannot."""
    from dataclasses import replace

    for world in range(1, 65):
        if plan_memory(shape, replace(plan, world_size=world)).total <= device_bytes:
            return world
    return None
