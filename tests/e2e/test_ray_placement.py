"""Honest placement on a real Ray head (CPUs only), with PostgreSQL and S3 (moto).

- With the default WHETSTONE_RAY_DEVICE (cuda) on a cluster without a GPU, `serve` warns at
  start-up; a job stays `queued` with an event saying what it waits for, never `running`, and
  fails as `unplaceable` once the grace period is over.
- With the cluster's CPUs all held by someone else, the executor does not place a run (so no
  job is claimed) and says what it waits for; once they are freed it reserves them, and gives
  a reservation no job took back.

One head, one database and one bucket for the module (the `cluster` fixture of test_ray).
"""

from __future__ import annotations

import time

import pytest

from tests.e2e.conftest import openai_client
from tests.e2e.test_fine_tuning import FINISHED
from tests.e2e.test_ray import SHORT, SHORT_EXAMPLES, Cluster, all_events, cluster, create, wait
from tests.harness import ServerProcess

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

__all__ = ["cluster"]  # the module's Ray head, database and bucket

WARNED = "the Ray cluster cannot place any job"
STARTED = "Fine-tuning job started"
WAITING = "Waiting to be placed: "
GRACE_SECONDS = 4


def test_a_gpu_job_on_a_cluster_without_gpus_waits_queued_then_fails(cluster: Cluster) -> None:
    env = {key: value for key, value in cluster.env.items() if key != "WHETSTONE_RAY_DEVICE"}
    env["WHETSTONE_RAY_UNPLACEABLE_GRACE_SECONDS"] = str(GRACE_SECONDS)
    server = ServerProcess(cluster.root / "gpu", env).start(timeout=120)
    try:
        # The leader connects to the cluster at its first tick, before any job exists.
        wait(lambda: WARNED in server.log(), 60, "the start-up warning")
        assert "WHETSTONE_RAY_DEVICE=cpu" in server.log()
        client = openai_client(server)
        job_id = create(client, SHORT_EXAMPLES, SHORT).id

        def waiting_event() -> str | None:
            return next(
                (e.message for e in all_events(client, job_id) if e.message.startswith(WAITING)),
                None,
            )

        message = wait(waiting_event, 60, "the job's waiting event")
        assert "1 GPU" in message and "no node of the Ray cluster has that much" in message
        seen: set[str] = set()
        job = client.fine_tuning.jobs.retrieve(job_id)
        while job.status not in FINISHED:
            seen.add(job.status)
            time.sleep(0.2)
            job = client.fine_tuning.jobs.retrieve(job_id)
        # It never claimed to run while it waited.
        assert seen <= {"validating_files", "queued"}, seen
        assert job.status == "failed"
        assert job.error is not None and job.error.code == "unplaceable"
        assert "WHETSTONE_RAY_DEVICE=cpu" in job.error.message
        assert STARTED not in [e.message for e in all_events(client, job_id)]
    finally:
        server.stop()


def test_a_run_is_placed_only_once_the_cluster_has_its_cpus_free(cluster: Cluster) -> None:
    # The scheduler claims a job only once `place` returns None; training inside the reserved
    # group is what every test of test_ray.py does.
    from ray.util.placement_group import placement_group, remove_placement_group

    from service.core.config import Settings
    from service.scheduler.executors.ray import RayExecutor
    from service.scheduler.slots import DeviceSlot
    from service.scheduler.worker import run_worker

    settings = Settings(
        data_dir=cluster.root / "driver",
        executor="ray",
        database_url=cluster.database_url,
        storage_url=cluster.env["WHETSTONE_STORAGE_URL"],
        ray_address=cluster.head.address,
        ray_namespace=cluster.env["WHETSTONE_RAY_NAMESPACE"],
        ray_device="cpu",
    )
    executor = RayExecutor(settings, run_worker)
    executor.ensure_ready()
    import ray

    slot = DeviceSlot(index=0, device="cpu", threads=1)
    worker = executor.token("sched-test", slot)
    try:
        # Every CPU of the head is held, as another tenant of the cluster would hold them.
        hog = placement_group([{"CPU": float(cluster.head.num_cpus)}])
        ray.get(hog.ready(), timeout=60)
        unplaced = wait(
            lambda: (
                found
                if (found := executor.place(slot, worker)) is not None
                and found.waiting_for is not None
                else None
            ),
            30,
            "the run to wait for CPUs",
        )
        assert not unplaced.never
        assert "needs 1 CPU, 0 GPUs on one node" in unplaced.waiting_for
        assert "has 0 CPUs, 0 GPUs free" in unplaced.waiting_for
        remove_placement_group(hog)
        wait(lambda: executor.place(slot, worker) is None, 30, "the reservation")
        assert ray.available_resources().get("CPU", 0) == cluster.head.num_cpus - 1
        # A reservation no job took is given back.
        executor.unplace(worker)
        wait(
            lambda: ray.available_resources().get("CPU", 0) == cluster.head.num_cpus,
            30,
            "the reservation to be given back",
        )
    finally:
        executor.close()
