"""The team deployment end to end: PostgreSQL for metadata and S3 for artifacts.

A `whetstone serve` process on the PostgreSQL server at 127.0.0.1:5432 and a real moto S3
server trains a job with the official SDK, stores its adapter in the bucket, and serves it.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import boto3
import openai
import pytest

from tests.conftest import POSTGRES_URL, empty_postgres, postgres_available
from tests.e2e.conftest import openai_client
from tests.e2e.test_fine_tuning import BASE, SENTENCE, upload, wait_status
from tests.harness import MotoServer, ServerProcess

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def bucket(moto_server: MotoServer) -> str:
    """A fresh bucket on the moto server."""
    name = f"team-{uuid.uuid4().hex[:12]}"
    boto3.client("s3", endpoint_url=moto_server.endpoint_url).create_bucket(Bucket=name)
    return name


@pytest.fixture(scope="module")
def server(
    tmp_path_factory: pytest.TempPathFactory, moto_server: MotoServer, bucket: str
) -> Iterator[ServerProcess]:
    """A server on PostgreSQL (empty tables) and S3; skipped where PostgreSQL is absent."""
    reason = postgres_available()
    if reason is not None:
        pytest.skip(reason)
    empty_postgres()
    process = ServerProcess(
        Path(tmp_path_factory.mktemp("team")),
        {
            "WHETSTONE_DATABASE_URL": POSTGRES_URL,
            "WHETSTONE_STORAGE_URL": f"s3://{bucket}/whetstone",
            "WHETSTONE_S3_ENDPOINT_URL": moto_server.endpoint_url,
        },
    ).start()
    yield process
    process.stop()


def test_a_job_trains_on_postgresql_and_s3_and_its_model_answers(
    server: ServerProcess, moto_server: MotoServer, bucket: str
) -> None:
    client = openai_client(server)
    job = client.fine_tuning.jobs.create(model=BASE, training_file=upload(client))
    job = wait_status(client, job.id, ("succeeded", "failed", "cancelled"))
    assert job.status == "succeeded", job.error

    keys = [
        item["Key"]
        for item in boto3.client("s3", endpoint_url=moto_server.endpoint_url)
        .list_objects_v2(Bucket=bucket, Prefix=f"whetstone/jobs/{job.id}/adapter/")
        .get("Contents", [])
    ]
    stored = {key.rsplit("/", 1)[1] for key in keys}
    assert {"adapter_config.json", "adapter_model.safetensors"} <= stored
    assert job.fine_tuned_model is not None
    reply = client.chat.completions.create(
        model=job.fine_tuned_model,
        messages=[{"role": "user", "content": "Tell me something, please (3)."}],
        temperature=0,
    )
    assert reply.choices[0].message.content == SENTENCE
    with pytest.raises(openai.NotFoundError):
        openai_client(server).models.retrieve(job.fine_tuned_model + "x")
