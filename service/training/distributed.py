"""A job's ranks training as one gang: PyTorch FSDP2 and torch.distributed, for the recipe.

Every rank runs the same recipe on the same spec (only `device` differs), so every collective
is met by the same call on every rank: evaluation, the forgetting check and DPO's reference
log-probabilities run on every rank alike (each rank computes them whole; they are forward
passes, and the sharded layers must all-gather in step). What differs by rank is kept here:

- the global batch is split across ranks (rank r takes examples r, r + N, ...), and each
  rank's part into as many micro-batches as the busiest rank's, padding with zero-weighted
  passes, since a rank that skipped a forward pass would leave the others waiting on its
  all-gather;
- gradients are summed across ranks (not averaged): each rank divides its loss by the global
  batch's normaliser, so the sum is the single-process gradient;
- the step's metric sums and token count are all-reduced, so that rank 0 reports the whole
  global batch and every rank's early stopping sees the same figures;
- rank 0 alone reports; the control it reads (cancel, pause) is broadcast after each step;
- checkpoints: the optimizer state is saved sharded with torch.distributed.checkpoint (DCP),
  each rank its RNG state; the trained weights are gathered whole on rank 0 and saved as a
  single-device run saves them, so a checkpoint and the final artifact serve unchanged.
"""

from __future__ import annotations

import datetime
import shutil
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Literal, TypeVar

import torch
import torch.distributed as dist
from torch.distributed.checkpoint.state_dict import (
    get_optimizer_state_dict,
    set_optimizer_state_dict,
)
from torch.distributed.checkpoint.state_dict_loader import load as dcp_load
from torch.distributed.checkpoint.state_dict_saver import save as dcp_save
from torch.distributed.fsdp import FSDPModule, MixedPrecisionPolicy, fully_shard
from torch.distributed.tensor import DTensor

from service.training.contract import Control, RankContext, TrainingReporter
from service.training.hyperparameters import Value

ItemT = TypeVar("ItemT")
# A rank that waits longer than this on a collective gives up (its gang is then requeued
# whole): generous, since rank 0 may be uploading a checkpoint while the others wait.
COLLECTIVE_TIMEOUT = datetime.timedelta(minutes=10)
OPTIMIZER_DIR = "optimizer"
# DCP names its metadata file `.metadata`; the artifact store skips dotfiles (its own temporary
# files), so a checkpoint stores it under another name and a resumed run puts it back.
DCP_METADATA = ".metadata"
STORED_METADATA = "dcp.metadata"
CONTROLS: tuple[Control, ...] = ("continue", "cancel", "pause")


@contextmanager
def process_group(rank: RankContext) -> Iterator[None]:
    """The gang's default process group for the body, torchrun's way (a TCP store at
    master_addr:master_port); a group already there (Ray Train's) is used and left alone."""
    if dist.is_initialized():
        yield
        return
    if rank.backend == "nccl":
        torch.cuda.set_device(rank.local_rank)
    dist.init_process_group(
        backend=rank.backend,
        init_method=f"tcp://{rank.master_addr}:{rank.master_port}",
        rank=rank.rank,
        world_size=rank.world_size,
        timeout=COLLECTIVE_TIMEOUT,
    )
    try:
        yield
    finally:
        dist.destroy_process_group()


def shard_model(model: torch.nn.Module, device: torch.device) -> None:
    """fully_shard each transformer block, then the root (embeddings, norm, head), in place."""
    # On CUDA the master weights stay fp32 and FSDP2 casts them to bf16 for compute; gradients
    # are reduced in fp32. On the CPU everything is fp32.
    policy = (
        MixedPrecisionPolicy(param_dtype=torch.bfloat16, reduce_dtype=torch.float32)
        if device.type == "cuda"
        else MixedPrecisionPolicy()
    )
    for block in _transformer_blocks(model):
        fully_shard(block, mp_policy=policy)
    fully_shard(model, mp_policy=policy)
    for module in model.modules():
        if isinstance(module, FSDPModule):
            # Each rank's loss is already divided by the global batch's normaliser: the
            # gradients are summed across ranks, not averaged.
            module.set_gradient_divide_factor(1.0)
            # Plain SUM collectives (gloo has no PREMUL_SUM, which a factor would need).
            module.set_force_sum_reduction_for_comms(True)


def _transformer_blocks(model: torch.nn.Module) -> list[torch.nn.Module]:
    """The decoder layers: the members of every ModuleList named `layers` (Llama, Qwen,
    Mistral, Gemma and gpt-oss all keep them so)."""
    blocks: list[torch.nn.Module] = []
    for name, module in model.named_modules():
        if isinstance(module, torch.nn.ModuleList) and name.rsplit(".", 1)[-1] == "layers":
            blocks.extend(module)
    return blocks


def rank_share(batch: Sequence[ItemT], rank: RankContext) -> list[ItemT]:
    """This rank's examples of the global batch: every world_size-th, from its rank."""
    return list(batch[rank.rank :: rank.world_size])


def most(value: int) -> int:
    """The largest `value` of any rank."""
    tensor = torch.tensor([value], dtype=torch.int64)
    dist.all_reduce(_to_backend(tensor), op=dist.ReduceOp.MAX)
    return int(tensor.item())


def summed(
    sums: Mapping[str, float], n_tokens: int, keys: Sequence[str]
) -> tuple[dict[str, float], int]:
    """The metric sums and token count of the whole global batch (every rank's summed)."""
    values = [float(sums.get(key, 0.0)) for key in keys] + [float(n_tokens)]
    tensor = _to_backend(torch.tensor(values, dtype=torch.float64))
    dist.all_reduce(tensor)
    totals = tensor.cpu().tolist()
    return dict(zip(keys, totals[:-1], strict=True)), round(totals[-1])


def _to_backend(tensor: torch.Tensor) -> torch.Tensor:
    """NCCL reduces CUDA tensors only."""
    if dist.get_backend() == "nccl":
        return tensor.cuda()
    return tensor


def broadcast_control(action: Control | None) -> Control:
    """Rank 0's control (its reporter read it), on every rank."""
    box: list[object] = [action]
    dist.broadcast_object_list(box, src=0)
    value = box[0]
    assert value in CONTROLS
    return value


def barrier() -> None:
    """Every rank reached this point."""
    dist.barrier()


class RankReporter:
    """The recipe's reporter on a rank: rank 0 forwards to the job's reporter, the others
    stay silent; control is rank 0's answer on every rank."""

    def __init__(self, inner: TrainingReporter, rank: RankContext):
        self.inner = inner
        self.rank = rank

    def event(self, message: str, *, level: Literal["info", "warn", "error"] = "info") -> None:
        """Rank 0's events only: every rank sees the same warnings."""
        if self.rank.leads:
            self.inner.event(message, level=level)

    def started(
        self, *, hyperparameters: dict[str, Value], total_steps: int, n_examples: int
    ) -> None:
        """Reported once, by rank 0."""
        if self.rank.leads:
            self.inner.started(
                hyperparameters=hyperparameters, total_steps=total_steps, n_examples=n_examples
            )

    def metrics(self, data: dict[str, float]) -> None:
        """The global batch's metrics, by rank 0."""
        if self.rank.leads:
            self.inner.metrics(data)

    def checkpoint(
        self, *, step: int, epoch: int, checkpoint_dir: Path, metrics: dict[str, float]
    ) -> None:
        """Rank 0 stores the checkpoint that every rank wrote its part of."""
        if self.rank.leads:
            self.inner.checkpoint(
                step=step, epoch=epoch, checkpoint_dir=checkpoint_dir, metrics=metrics
            )

    def control(self) -> Control:
        """Rank 0 asks; every rank gets its answer (a collective: every rank polls at once)."""
        return broadcast_control(self.inner.control() if self.rank.leads else None)


def full_trained_state(model: torch.nn.Module) -> dict[str, torch.Tensor]:
    """The trained weights gathered whole (every rank takes part; each gets a copy, on the
    CPU): a LoRA run's trainable parameters, a full run's whole state dict."""
    trainable_only = not all(param.requires_grad for param in model.parameters())
    source: Mapping[str, torch.Tensor] = (
        {name: param for name, param in model.named_parameters() if param.requires_grad}
        if trainable_only
        else model.state_dict()
    )
    # A tied weight (the head that shares the embeddings) is saved once, under its first
    # name, as save_pretrained of an unsharded model does; named_parameters lists it once.
    tied = {name for name, _ in model.named_parameters(remove_duplicate=False)} - {
        name for name, _ in model.named_parameters()
    }
    state: dict[str, torch.Tensor] = {}
    for name, value in source.items():
        if name in tied:
            continue
        tensor = value.full_tensor() if isinstance(value, DTensor) else value
        state[name] = tensor.detach().cpu()
    return state


def save_optimizer(model: torch.nn.Module, optimizer: torch.optim.Optimizer, target: Path) -> None:
    """The optimizer state, sharded: each rank writes its own shard under `target` (DCP)."""
    _reshard(model)
    dcp_save({"optimizer": get_optimizer_state_dict(model, optimizer)}, checkpoint_id=target)
    # dcp_save returns on every rank once the metadata is written (it ends in a collective).
    if dist.get_rank() == 0:
        (target / DCP_METADATA).replace(target / STORED_METADATA)


def load_optimizer(model: torch.nn.Module, optimizer: torch.optim.Optimizer, source: Path) -> None:
    """The optimizer state saved by save_optimizer with the same number of ranks."""
    _reshard(model)
    if not (source / DCP_METADATA).exists():
        shutil.copyfile(source / STORED_METADATA, source / DCP_METADATA)
    state = {"optimizer": get_optimizer_state_dict(model, optimizer)}
    dcp_load(state, checkpoint_id=source)
    set_optimizer_state_dict(model, optimizer, state["optimizer"])


def _reshard(model: torch.nn.Module) -> None:
    """Put the sharded parameters back on the modules: FSDP2 leaves the root's gathered after
    a forward pass without backward (an evaluation), and DCP maps the optimizer's state to
    parameter names through the parameters the modules hold."""
    for module in model.modules():
        if isinstance(module, FSDPModule):
            module.reshard()


def rng_file(state_dir: Path, rank: RankContext) -> Path:
    """Where a rank's generator states are saved in a checkpoint's state/."""
    return state_dir / f"rng-rank{rank.rank}.pt"
