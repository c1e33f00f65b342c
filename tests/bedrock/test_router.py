"""Bedrock's routes answer in AWS's envelope, from the one error handler."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from service.app import create_app
from service.core.config import Settings

# Without a keys file the signature is not checked, but it must be a SigV4 header.
SIGNED = {
    "Authorization": "AWS4-HMAC-SHA256 Credential=AKID/20261206/eu-west-1/bedrock/"
    "aws4_request, SignedHeaders=host;x-amz-date, Signature=" + "0" * 64
}


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    """One app on local disk, with no keys file, for the module."""
    settings = Settings(data_dir=tmp_path_factory.mktemp("bedrock"), scheduler_enabled=False)
    with TestClient(create_app(settings)) as test_client:
        yield test_client


def test_an_unknown_job_arn_is_resource_not_found_in_aws_shape(client: TestClient) -> None:
    arn = "arn%3Aaws%3Abedrock%3Aeu-west-1%3A1%3Amodel-customization-job%2Fbase%2Fnope"
    response = client.get(f"/model-customization-jobs/{arn}", headers=SIGNED)
    assert response.status_code == 404
    assert response.headers["x-amzn-ErrorType"] == "ResourceNotFoundException"
    assert response.headers["x-amzn-RequestId"] == response.headers["x-request-id"]
    assert set(response.json()) == {"message"} and "nope" in response.json()["message"]


def test_a_bad_body_is_a_validation_exception_and_no_signature_is_access_denied(
    client: TestClient,
) -> None:
    response = client.post("/model-customization-jobs", json={"jobName": 3}, headers=SIGNED)
    assert response.status_code == 400
    assert response.headers["x-amzn-ErrorType"] == "ValidationException"
    unsigned = client.post("/model/m/converse", json={"messages": []})
    assert unsigned.status_code == 403
    assert unsigned.headers["x-amzn-ErrorType"] == "AccessDeniedException"
    # The OpenAI routes keep OpenAI's envelope.
    assert "error" in client.get("/v1/models").json()


def test_s3_data_on_local_disk_storage_is_a_clear_validation_exception(
    client: TestClient,
) -> None:
    response = client.post(
        "/model-customization-jobs",
        json={
            "jobName": "j",
            "customModelName": "m",
            "roleArn": "arn:aws:iam::1:role/r",
            "baseModelIdentifier": "amazon.nova-micro-v1:0:128k",
            "trainingDataConfig": {"s3Uri": "s3://data/train.jsonl"},
            "outputDataConfig": {"s3Uri": "s3://data/out/"},
        },
        headers=SIGNED,
    )
    assert response.status_code == 400, response.text
    assert response.headers["x-amzn-ErrorType"] == "ValidationException"
    assert "needs S3-compatible storage" in response.json()["message"]
