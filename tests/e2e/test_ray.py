"""Training on a real Ray cluster, end to end: a local Ray head, PostgreSQL and S3 (moto), and
`whetstone serve` replicas with WHETSTONE_EXECUTOR=ray, driven with the official SDK.

- Two jobs train at once in Ray; a kill -9 of both replicas does not interrupt them (no retry,
  no resume from a checkpoint); a third replica started afterwards adopts them, sees them
  succeed and serves their models.
- With two replicas alive, killing the leader still gets a new job scheduled by the survivor;
  an actor that dies mid-job (a lost node) is a worker crash, retried from its checkpoint; a
  pause and a cancel reach a Ray-run job within a step.
- Placement: with the default WHETSTONE_RAY_DEVICE (cuda) on this cluster without a GPU,
  `serve` warns at start-up, and a job stays `queued` with an event saying what it waits for,
  never `running`, then fails as `unplaceable` after the grace period; with the head's CPUs all
  held by another tenant, the executor does not place a run (so no job is claimed) and says
  what it waits for, then reserves them once freed, and gives back a reservation no job took.
- A sharded job: asking for 2 devices, it trains as one Ray Train run of 2 workers, reports
  each step once and its adapter (in S3) serves. A gang is placed as one bundle per device,
  or never when the head is too small.
- A Tinker training session (the tinker SDK) lives in a detached Ray actor: killed by name,
  its pending future fails with category `server` and a new client resumes from the last
  save_state with the same loss; closing the session ends the actor and frees its CPU.

One head, one database and one bucket for the module. Every Ray process binds loopback.
"""

from __future__ import annotations

import contextlib
import importlib.util
import json
import os
import re
import signal
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import boto3
import openai
import psycopg
import pytest
from sqlalchemy import create_engine, text

from tests.conftest import SHARED_POSTGRES_URL, postgres_available
from tests.e2e.conftest import openai_client
from tests.e2e.test_fine_tuning import BASE, FINISHED, SENTENCE, metric_steps, upload
from tests.harness import RAY_LOOPBACK_ENV, MotoServer, RayHead, ServerProcess

if TYPE_CHECKING:
    from service.scheduler.executors.ray import RayExecutor

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

LEASE_SECONDS = 2
# 60 examples in batches of 2, 5 epochs: 150 steps, long enough to outlive two kill -9s and a
# replica's start-up on a busy 2-core machine, short enough for the budget.
LONG = {"n_epochs": 5, "batch_size": 2}
LONG_EXAMPLES = 60
# 10 examples in batches of 2: 5 steps an epoch, a checkpoint at step 5.
SHORT = {"n_epochs": 2, "batch_size": 2}
SHORT_EXAMPLES = 10
LEADS = "this replica leads the scheduler"
RETRIED = re.compile(r"retrying|Resuming|Restarting|resumed")


def chat_lines(n: int) -> bytes:
    """`n` chat examples, every reply the same sentence."""
    return "\n".join(
        json.dumps(
            {
                "messages": [
                    {"role": "user", "content": f"Tell me something, please ({i})."},
                    {"role": "assistant", "content": SENTENCE},
                ]
            }
        )
        for i in range(n)
    ).encode()


@dataclass
class Cluster:
    """What the module's replicas share: the Ray head, the database, the bucket."""

    root: Path
    head: RayHead
    database_url: str
    env: dict[str, str]

    def replica(self, name: str) -> ServerProcess:
        """A `whetstone serve` process (not started) with the Ray executor."""
        return ServerProcess(self.root / name, self.env)

    def start_all(self, *names: str) -> list[ServerProcess]:
        """Start replicas at the same moment; each once it answers."""
        servers = [self.replica(name) for name in names]
        errors: list[BaseException] = []

        def start(server: ServerProcess) -> None:
            try:
                server.start(timeout=120)
            except BaseException as exc:
                errors.append(exc)

        threads = [threading.Thread(target=start, args=(server,)) for server in servers]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        if errors:
            raise errors[0]
        return servers

    def attempts(self, job_id: str) -> int:
        """The job's crash count, read from the database (not on the wire)."""
        engine = create_engine(self.database_url)
        try:
            with engine.connect() as connection:
                return connection.execute(
                    text("SELECT attempts FROM fine_tuning_jobs WHERE id = :id"), {"id": job_id}
                ).scalar_one()
        finally:
            engine.dispose()


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory, moto_server: MotoServer) -> Iterator[Cluster]:
    """A Ray head, a fresh PostgreSQL database and a bucket; skipped without Ray or PostgreSQL."""
    if importlib.util.find_spec("ray") is None:
        pytest.skip("ray is not installed (pip install -e '.[ray]')")
    reason = postgres_available()
    if reason is not None:
        pytest.skip(reason)
    saved = {key: os.environ.get(key) for key in RAY_LOOPBACK_ENV}
    os.environ.update(RAY_LOOPBACK_ENV)
    root = Path(tmp_path_factory.mktemp("ray"))
    name = f"whetstone_ray_{uuid.uuid4().hex[:10]}"
    admin = SHARED_POSTGRES_URL.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    database_url = SHARED_POSTGRES_URL.rsplit("/", 1)[0] + f"/{name}"
    bucket = f"ray-{uuid.uuid4().hex[:12]}"
    boto3.client("s3", endpoint_url=moto_server.endpoint_url).create_bucket(Bucket=bucket)
    credentials = {
        key: os.environ[key]
        for key in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_DEFAULT_REGION")
    }
    # The actors' workers inherit the head's environment: the store's credentials and one
    # torch thread each.
    head = RayHead(root / "ray-head.log", {**credentials, "OMP_NUM_THREADS": "1"}).start()
    env = {
        **RAY_LOOPBACK_ENV,
        "WHETSTONE_DATABASE_URL": database_url,
        "WHETSTONE_STORAGE_URL": f"s3://{bucket}/whetstone",
        "WHETSTONE_S3_ENDPOINT_URL": moto_server.endpoint_url,
        "WHETSTONE_EXECUTOR": "ray",
        "WHETSTONE_RAY_ADDRESS": head.address,
        "WHETSTONE_RAY_NAMESPACE": f"whetstone-test-{uuid.uuid4().hex[:8]}",
        "WHETSTONE_RAY_DEVICE": "cpu",
        "WHETSTONE_RAY_CPUS_PER_JOB": "1",
        "WHETSTONE_RAY_MAX_JOBS": "2",
        "WHETSTONE_RAY_WORKER_DATA_DIR": str(root / "ray-worker"),
        "WHETSTONE_LEADER_LEASE_SECONDS": str(LEASE_SECONDS),
    }
    try:
        yield Cluster(root=root, head=head, database_url=database_url, env=env)
    finally:
        head.stop()
        with psycopg.connect(admin, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def all_events(client: openai.OpenAI, job_id: str) -> list[Any]:
    """Every event of the job, oldest first."""
    return list(reversed(list(client.fine_tuning.jobs.list_events(job_id, limit=1000))))


def wait(predicate: Any, timeout: float, what: str) -> Any:
    """Poll `predicate` until it returns something truthy; that value."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def leaders(servers: list[ServerProcess]) -> list[ServerProcess]:
    """The replicas whose log says they took the lead."""
    return [server for server in servers if LEADS in server.log()]


def create(client: openai.OpenAI, n_examples: int, hyperparameters: dict[str, int], **extra: Any):
    """A supervised job on `n_examples` examples; the SDK's job."""
    return client.fine_tuning.jobs.create(
        model=BASE,
        training_file=upload(client, chat_lines(n_examples)),
        hyperparameters=hyperparameters,
        seed=7,
        **extra,
    )


def test_ray_jobs_outlive_every_replica_and_a_new_one_adopts_them(cluster: Cluster) -> None:
    first, second = cluster.start_all("a", "b")
    try:
        # Two replicas started at once: exactly one leads.
        wait(lambda: leaders([first, second]), 30, "a leader")
        time.sleep(LEASE_SECONDS)
        assert len(leaders([first, second])) == 1, [s.log()[-2000:] for s in (first, second)]

        client = openai_client(second)
        jobs = [create(client, LONG_EXAMPLES, LONG).id for _ in range(2)]
        # Both train at the same time, each in its own actor.
        wait(
            lambda: all(
                client.fine_tuning.jobs.retrieve(job_id).status == "running"
                and metric_steps(all_events(client, job_id))
                for job_id in jobs
            ),
            90,
            "both jobs training at once",
        )
    finally:
        first.kill()
        second.kill()
    killed_at = time.monotonic()

    third = cluster.replica("c").start(timeout=120)
    try:
        client = openai_client(third)
        done = [
            wait(
                lambda job_id=job_id: (
                    job
                    if (job := client.fine_tuning.jobs.retrieve(job_id)).status in FINISHED
                    else None
                ),
                120,
                f"job {job_id} to finish",
            )
            for job_id in jobs
        ]
        for job in done:
            assert job.status == "succeeded", job.error
            seen = all_events(client, job.id)
            total = LONG["n_epochs"] * LONG_EXAMPLES // LONG["batch_size"]
            # Not interrupted: every step once, in order, and no retry or resume.
            assert metric_steps(seen) == list(range(1, total + 1))
            assert not [e.message for e in seen if RETRIED.search(e.message)]
            assert cluster.attempts(job.id) == 0
        # The jobs were still training when the new replica led: it adopted them.
        log = third.log()
        assert LEADS in log
        adopted = [job_id for job_id in jobs if f"adopted job {job_id}" in log]
        assert adopted, (time.monotonic() - killed_at, log[-3000:])
        # Serving is stateless: the new replica serves both models from the store.
        for job in done:
            assert job.fine_tuned_model is not None
            reply = client.chat.completions.create(
                model=job.fine_tuned_model,
                messages=[{"role": "user", "content": "Tell me something, please (3)."}],
                temperature=0,
                max_tokens=16,
            )
            assert reply.choices[0].message.content == SENTENCE
    finally:
        third.stop()


def test_a_survivor_takes_over_and_a_lost_actor_is_a_crash(cluster: Cluster) -> None:
    leader, survivor = cluster.start_all("d", "e")
    try:
        wait(lambda: leaders([leader, survivor]), 30, "a leader")
        if leaders([leader, survivor]) == [survivor]:
            leader, survivor = survivor, leader
        leader.kill()
        client = openai_client(survivor)
        # The actor's worker process is killed at step 7 (a lost node), after the checkpoint
        # at step 5. Two more jobs stall at step 2 until they are paused, or cancelled.
        crashing = create(
            client,
            SHORT_EXAMPLES,
            SHORT,
            metadata={"whetstone_fault": "crash_worker", "whetstone_fault_step": "7"},
        ).id
        stall = {"whetstone_fault": "stall", "whetstone_fault_step": "2"}
        pausing = create(client, SHORT_EXAMPLES, SHORT, metadata=stall).id
        wait(lambda: LEADS in survivor.log(), 30, "the survivor to lead")

        def stalled(job_id: str) -> bool:
            return any("training stalls at step 2" in e.message for e in all_events(client, job_id))

        wait(lambda: stalled(pausing), 90, "the second job to stall")
        client.fine_tuning.jobs.pause(pausing)
        paused = wait(
            lambda: (
                job
                if (job := client.fine_tuning.jobs.retrieve(pausing)).status == "paused"
                else None
            ),
            30,
            "the paused Ray worker to save its checkpoint and stop",
        )
        assert "Fine-tuning job paused at step 2" in [
            e.message for e in all_events(client, pausing)
        ]
        assert [c.step_number for c in client.fine_tuning.jobs.checkpoints.list(paused.id)] == [2]

        cancelling = create(client, SHORT_EXAMPLES, SHORT, metadata=stall).id
        wait(lambda: stalled(cancelling), 90, "the third job to stall")
        client.fine_tuning.jobs.cancel(cancelling)
        wait(
            lambda: any(
                e.message == "Training stopped at step 2" for e in all_events(client, cancelling)
            ),
            30,
            "the cancelled Ray worker to stop",
        )
        assert client.fine_tuning.jobs.retrieve(cancelling).status == "cancelled"

        job = wait(
            lambda: (
                found
                if (found := client.fine_tuning.jobs.retrieve(crashing)).status in FINISHED
                else None
            ),
            120,
            "the crashed job to finish",
        )
        assert job.status == "succeeded", job.error
        messages = [e.message for e in all_events(client, crashing) if e.type != "metrics"]
        died = [m for m in messages if m.startswith("Ray actor whetstone-job-")]
        assert died and "retrying (attempt 2 of 3)" in died[0], messages
        assert "Resuming fine-tuning job from step 5 after restart" in messages
        assert cluster.attempts(crashing) == 1
    finally:
        leader.kill()
        survivor.stop()


def test_an_actor_whose_run_never_came_ends_when_adopted(cluster: Cluster) -> None:
    # A server that dies right after creating an actor may never deliver its `run` call (Ray
    # queues calls in the caller until the actor is placed). The adopter's `join` ends such an
    # actor, so it holds no device; once it is gone, adopting finds nothing.
    from service.core.config import Settings
    from service.scheduler.executors import Run
    from service.scheduler.executors.ray import RayExecutor, actor_name
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
    worker = "ray/sched-gone/abcdefgh"
    try:
        executor._actor_class.options(
            name=actor_name("ftjob-orphan", worker),
            namespace=settings.ray_namespace,
            lifetime="detached",
            num_cpus=1,
        ).remote()
        handle = executor.adopt("ftjob-orphan", worker)
        assert handle is not None
        run = Run(job_id="ftjob-orphan", worker=worker, slot=0, handle=handle)
        (ended,) = wait(lambda: executor.ended([run]), 60, "the orphan actor to end")
        assert ended.clean, ended.description
        wait(lambda: executor.adopt("ftjob-orphan", worker) is None, 30, "the name to go")
    finally:
        executor.close()


# -- placement: a job is `running` only once it trains ----------------------------------------

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


def driver_executor(cluster: Cluster) -> RayExecutor:
    """A Ray executor on the module's head, as a leader builds it, with CPU runs."""
    from service.core.config import Settings
    from service.scheduler.executors.ray import RayExecutor
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
    return executor


def test_a_run_is_placed_only_once_the_cluster_has_its_cpus_free(cluster: Cluster) -> None:
    # The scheduler claims a job only once `place` returns None; training inside the reserved
    # group is what every test of test_ray.py does.
    from ray.util.placement_group import placement_group, remove_placement_group

    from service.scheduler.slots import DeviceSlot

    executor = driver_executor(cluster)
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


# -- a sharded job: one Ray Train run ---------------------------------------------------------

# 10 examples in batches of 5 over 2 workers (3 and 2 each): 2 steps an epoch, a checkpoint
# at step 2, 4 steps in all; few steps, since a Ray Train run takes ~30 s to start here.
SHARDED = {"n_epochs": 2, "batch_size": 5, "devices": 2}


def test_a_two_device_job_trains_as_one_ray_train_run_and_serves(cluster: Cluster) -> None:
    server = cluster.replica("sharded").start(timeout=120)
    try:
        client = openai_client(server)
        job = client.fine_tuning.jobs.create(
            model=BASE,
            training_file=upload(client, chat_lines(SHORT_EXAMPLES)),
            method={"type": "supervised", "supervised": {"hyperparameters": SHARDED}},
            seed=7,
        )
        done = wait(
            lambda: (
                found
                if (found := client.fine_tuning.jobs.retrieve(job.id)).status in FINISHED
                else None
            ),
            180,
            "the sharded job to finish",
        )
        assert done.status == "succeeded", done.error
        assert done.method.supervised.hyperparameters.model_dump()["devices"] == 2
        seen = all_events(client, job.id)
        total = SHARDED["n_epochs"] * SHORT_EXAMPLES // SHARDED["batch_size"]
        # Rank 0 alone reports, once per step, for the whole global batch.
        assert metric_steps(seen) == list(range(1, total + 1))
        assert not [e.message for e in seen if RETRIED.search(e.message)]
        assert cluster.attempts(job.id) == 0
        # It ran as a Ray Train run (TorchTrainer keeps its run's records under the worker's
        # data directory), not as a single actor.
        runs = list((cluster.root / "ray-worker" / "ray-train").glob(f"whetstone-{job.id}-*"))
        assert len(runs) == 1, runs
        # The adapter rank 0 saved (whole, in S3) serves. That it is the single-device job's
        # artifact, serving peft's greedy answer, tests/e2e/test_multi_device.py checks on the
        # same save path; it is not repeated here to keep within the suite's time.
        assert done.fine_tuned_model is not None
        s3 = boto3.client("s3", endpoint_url=cluster.env["WHETSTONE_S3_ENDPOINT_URL"])
        bucket, prefix = cluster.env["WHETSTONE_STORAGE_URL"].removeprefix("s3://").split("/", 1)
        listed = s3.list_objects_v2(Bucket=bucket, Prefix=f"{prefix}/jobs/{job.id}/adapter/")
        names = {item["Key"].rsplit("/", 1)[-1] for item in listed.get("Contents", [])}
        assert {"adapter_config.json", "adapter_model.safetensors"} <= names, names
        reply = client.completions.create(
            model=done.fine_tuned_model, prompt="Tell me something", max_tokens=8, temperature=0
        )
        assert reply.model == done.fine_tuned_model
        assert reply.choices[0].text and reply.usage is not None
        assert reply.usage.completion_tokens > 0
    finally:
        server.stop()


def test_a_gang_is_placed_as_one_bundle_per_device(cluster: Cluster) -> None:
    # The head has 2 CPUs: a 2-device run (a CPU each) is placed; a 3-device one never can be.
    from service.scheduler.slots import DeviceSlot

    executor = driver_executor(cluster)
    import ray

    slot = DeviceSlot(index=0, device="cpu", threads=1)
    worker = executor.token("sched-test", slot)
    try:
        never = executor.place(slot, worker, devices=3)
        assert never is not None and never.never
        assert never.waiting_for is not None
        assert "3 bundles (one per device) of 1 CPU, 0 GPUs" in never.waiting_for
        wait(lambda: executor.place(slot, worker, devices=2) is None, 30, "the gang's group")
        assert ray.available_resources().get("CPU", 0) == cluster.head.num_cpus - 2
        executor.unplace(worker)
        wait(
            lambda: ray.available_resources().get("CPU", 0) == cluster.head.num_cpus,
            30,
            "the reservation to be given back",
        )
    finally:
        executor.close()


# -- a Tinker training session in a Ray actor -------------------------------------------------


def _session_actor_pids() -> set[int]:
    """Process ids of the head's Tinker session actors (Ray titles a worker `ray::<class>`)."""
    pids = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError):
                if (entry / "cmdline").read_bytes().startswith(b"ray::SessionActor"):
                    pids.add(int(entry.name))
    return pids


def test_a_tinker_session_lives_in_a_ray_actor_and_a_killed_one_resumes_from_its_save(
    cluster: Cluster,
) -> None:
    import numpy as np
    import ray
    import tinker
    from tinker import types

    from service.scheduler.executors.ray import SESSION_PREFIX

    def datum(tokens: list[int]) -> types.Datum:
        return types.Datum(
            model_input=types.ModelInput.from_ints(tokens[:-1]),
            loss_fn_inputs={
                "target_tokens": types.TensorData.from_numpy(np.array(tokens[1:], dtype=np.int64)),
                "weights": types.TensorData.from_numpy(np.ones(len(tokens) - 1, dtype=np.float32)),
            },
        )

    batch = [datum([5, 17, 42, 8, 99, 100, 101]), datum([5, 23, 7, 64, 65])]

    def loss(client: tinker.TrainingClient) -> float:
        return float(client.forward(batch, "cross_entropy").result().metrics["loss:sum"])

    executor = driver_executor(cluster)
    namespace = cluster.env["WHETSTONE_RAY_NAMESPACE"]

    def session_actors() -> list[str]:
        return [
            actor["name"]
            for actor in ray.util.list_named_actors(all_namespaces=True)
            if actor["namespace"] == namespace and actor["name"].startswith(SESSION_PREFIX)
        ]

    server = cluster.replica("tinker").start(timeout=120)
    try:
        with tinker.ServiceClient(base_url=server.base_url, api_key="tml-ray") as service:
            client = service.create_lora_training_client(
                base_model="whetstone-tiny", rank=8, seed=0
            ).result()
            (name,) = session_actors()
            for _ in range(2):
                backward = client.forward_backward(batch, "cross_entropy")
                client.optim_step(types.AdamParams(learning_rate=2e-2)).result()
                backward.result()
            saved = client.save_state("before-kill").result()
            expected = loss(client)

            # Frozen, the actor cannot finish the next request before Ray kills it.
            (pid,) = _session_actor_pids()
            os.kill(pid, signal.SIGSTOP)
            pending = client.forward(batch, "cross_entropy")
            ray.kill(ray.get_actor(name, namespace=namespace), no_restart=True)
            with pytest.raises(tinker.RequestFailedError) as failure:
                pending.result()
            assert failure.value.category == types.RequestErrorCategory.Server
            assert saved.path in failure.value.message

            resumed = service.create_training_client_from_state_with_optimizer(saved.path).result()
            assert loss(resumed) == pytest.approx(expected, rel=1e-5, abs=1e-5)
        # Closing the session unloads its model: the actor ends and gives its CPU back.
        wait(
            lambda: (
                not session_actors()
                and ray.available_resources().get("CPU", 0) == cluster.head.num_cpus
            ),
            60,
            "the unloaded session's actor to end",
        )
    finally:
        server.stop()
        for pid in _session_actor_pids():
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        executor.close()
