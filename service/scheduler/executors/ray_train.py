"""A sharded job on the Ray executor: one Ray Train run (`TorchTrainer`) of `devices` workers.

The job's detached actor (ray.py's JobActor, asking for no resources of its own) is the Ray
Train driver: it gives back the placement group the scheduler reserved to check that the gang
fits, then calls `TorchTrainer.fit()`, whose controller reserves the same bundles in a
placement group of its own (`PACK`: one node when one holds them all, else as few as can) and
starts a worker per device. Ray Train makes the torch process group (gloo on CPUs, NCCL on
GPUs); each worker calls `run_rank` with the `RankContext` Ray Train gives it, so rank 0
reports, records and saves exactly as a local gang's rank 0 does.

Ray Train's own retries are off (`max_failures=0`): a rank that dies ends the run, the actor
returns, and the scheduler requeues the job whole to resume from its last sharded checkpoint,
as on the local executor. The controller and the workers belong to the actor (Ray's owner
fate-sharing), so killing the actor (stop) ends them, and adopting the actor by name adopts
the whole run.

`ray.train` (and so torch) is imported here only, inside the actor.
"""

from __future__ import annotations

import dataclasses
import logging
import os
from pathlib import Path

from service.scheduler.executors import RankTarget
from service.scheduler.worker import WorkerAssignment
from service.training.contract import RankContext

logger = logging.getLogger("whetstone.scheduler")


@dataclasses.dataclass(frozen=True)
class _RankJob:
    """What each Ray Train worker needs to train its rank (in train_loop_config["job"])."""

    assignment: WorkerAssignment
    rank_target: RankTarget


def train_on_ray(
    assignment: WorkerAssignment,
    *,
    rank_target: RankTarget,
    cpus_per_worker: float,
    reservation: str | None,
) -> None:
    """Run the job as one Ray Train run of `len(assignment.gang)` workers, giving back the
    scheduler's `reservation` (a placement group's name) just before the trainer reserves the
    same; returns when the run ends, raises when a worker failed (the job then stays bound to
    the run, for the scheduler to requeue)."""
    from ray.train import FailureConfig, RunConfig, ScalingConfig
    from ray.train.torch import TorchConfig, TorchTrainer

    cuda = assignment.device.startswith("cuda")
    trainer = TorchTrainer(
        _train_rank,
        train_loop_config={"job": _RankJob(assignment, rank_target)},
        torch_config=TorchConfig(backend="nccl" if cuda else "gloo"),
        scaling_config=ScalingConfig(
            num_workers=len(assignment.gang),
            use_gpu=cuda,
            resources_per_worker={"CPU": cpus_per_worker, **({"GPU": 1.0} if cuda else {})},
            placement_strategy="PACK",
        ),
        run_config=RunConfig(
            name=f"whetstone-{assignment.job_id}-{assignment.worker.rsplit('/', 1)[-1]}",
            # Ray Train keeps only its run's bookkeeping here: the job's checkpoints are the
            # worker's own, in its work directory and the artifact store.
            storage_path=str(Path(assignment.settings.data_dir).resolve() / "ray-train"),
            failure_config=FailureConfig(max_failures=0),
        ),
    )
    if reservation is not None:
        _give_back(reservation)
    trainer.fit()


def _give_back(name: str) -> None:
    """Remove the scheduler's reservation by name, so that the trainer's group can take it."""
    from ray.util.placement_group import get_placement_group, remove_placement_group

    try:
        remove_placement_group(get_placement_group(name))
    except Exception as exc:  # removed already (a stop), or never made
        logger.debug("reservation %s already gone: %s", name, exc)


def _train_rank(config: dict[str, _RankJob]) -> None:
    """One Ray Train worker: this rank of the job, in the process group Ray Train made."""
    import ray.train
    import ray.train.torch

    assignment, rank_target = config["job"].assignment, config["job"].rank_target
    context = ray.train.get_context()
    device = assignment.device
    if device.startswith("cuda"):
        device = str(ray.train.torch.get_device())
    rank = RankContext(
        rank=context.get_world_rank(),
        world_size=context.get_world_size(),
        local_rank=context.get_local_rank(),
        # Set by Ray Train's torch backend (init_method "env"); run_rank uses the group as is.
        master_addr=os.environ.get("MASTER_ADDR", ""),
        master_port=int(os.environ.get("MASTER_PORT", "0")),
        backend="nccl" if device.startswith("cuda") else "gloo",
    )
    rank_target(dataclasses.replace(assignment, device=device), rank)
