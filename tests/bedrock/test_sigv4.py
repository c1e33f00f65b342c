"""SigV4 verification: requests signed by botocore's own signer, as boto3 sends them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from service.bedrock.sigv4 import AccessDenied, parse_authorization, verify

KEY, SECRET = "AKIDEXAMPLE", "secret-of-the-example"
ARN_PATH = (
    "/model-customization-jobs/arn%3Aaws%3Abedrock%3Aus-east-1%3A123456789012%3A"
    "model-customization-job%2Famazon.nova-micro-v1%3A0%3A128k%2Fabc"
)


def signed(
    body: bytes = b'{"jobName": "a"}', path: str = ARN_PATH, secret: str = SECRET
) -> AWSRequest:
    """A request signed the way boto3 signs one (region eu-west-1, service bedrock)."""
    request = AWSRequest(
        method="POST",
        url=f"http://127.0.0.1:8000{path}?maxResults=5",
        headers={"Content-Type": "application/json"},
        data=body,
    )
    SigV4Auth(Credentials(KEY, secret), "bedrock", "eu-west-1").add_auth(request)
    return request


def check(request: AWSRequest, *, body: bytes | None = None, now: datetime | None = None) -> None:
    """Verify `request` as the server sees it: lower-case headers, the raw URL."""
    headers = {name.lower(): value for name, value in request.headers.items()}
    headers["host"] = "127.0.0.1:8000"
    verify(
        parse_authorization(headers["authorization"]),
        secret=SECRET,
        method=request.method,
        url=request.url,
        headers=headers,
        body=request.body if body is None else body,
        now=now,
    )


def test_a_request_signed_by_botocore_verifies_with_a_percent_encoded_arn_in_its_path() -> None:
    request = signed()
    check(request)
    scope = parse_authorization(request.headers["Authorization"])
    assert (scope.access_key_id, scope.region, scope.service) == (KEY, "eu-west-1", "bedrock")


def test_a_wrong_secret_or_a_changed_body_is_denied() -> None:
    with pytest.raises(AccessDenied, match="signature we calculated does not match"):
        check(signed(secret="another"))
    with pytest.raises(AccessDenied, match="signature we calculated does not match"):
        check(signed(), body=b'{"jobName": "b"}')


def test_a_request_outside_the_clock_skew_window_is_denied() -> None:
    request = signed()
    check(request, now=datetime.now(UTC) + timedelta(minutes=14))
    with pytest.raises(AccessDenied, match="Signature expired"):
        check(request, now=datetime.now(UTC) + timedelta(minutes=16))


@pytest.mark.parametrize("header", [None, "Bearer sk-1", "AWS4-HMAC-SHA256 Credential=x"])
def test_an_unsigned_or_malformed_authorization_is_denied(header: str | None) -> None:
    with pytest.raises(AccessDenied, match="Signature Version 4"):
        parse_authorization(header)
