"""Verifying AWS Signature Version 4 with botocore's own signer.

The canonical request is rebuilt from what arrived (the raw path as sent, the query, the signed
headers and the body) and signed again with the secret of the access key id; the signatures
must match and the request's time must be within the clock-skew window. botocore does the
canonicalization, so client and server cannot disagree about it.
"""

from __future__ import annotations

import hmac
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from service.core.errors import PermissionDeniedError

# AWS refuses requests signed more than 15 minutes from its clock (RequestTimeTooSkewed).
CLOCK_SKEW_SECONDS = 15 * 60
SERVICE = "bedrock"
_AUTHORIZATION = re.compile(
    r"AWS4-HMAC-SHA256\s+Credential=(?P<key>[^/]+)/(?P<date>\d{8})/(?P<region>[^/]+)/"
    r"(?P<service>[^/]+)/aws4_request,\s*SignedHeaders=(?P<headers>[^,]+),\s*"
    r"Signature=(?P<signature>[0-9a-f]{64})"
)


class AccessDenied(PermissionDeniedError):
    """A request whose signature, key or time AWS would refuse (AccessDeniedException)."""


@dataclass(frozen=True)
class SignedBy:
    """The credential scope a request claims: access key id and region."""

    access_key_id: str
    region: str
    date: str
    service: str
    signed_headers: tuple[str, ...]
    signature: str


def parse_authorization(authorization: str | None) -> SignedBy:
    """The parts of a SigV4 `Authorization` header; AccessDenied when it is not one."""
    match = _AUTHORIZATION.fullmatch((authorization or "").strip())
    if match is None:
        raise AccessDenied(
            "Missing or malformed Authorization header: requests must be signed with AWS "
            "Signature Version 4 (an AWS SDK with any access key signs them)."
        )
    return SignedBy(
        access_key_id=match["key"],
        region=match["region"],
        date=match["date"],
        service=match["service"],
        signed_headers=tuple(match["headers"].split(";")),
        signature=match["signature"],
    )


def verify(
    signed: SignedBy,
    *,
    secret: str,
    method: str,
    url: str,
    headers: Mapping[str, str],
    body: bytes,
    now: datetime | None = None,
) -> None:
    """AccessDenied unless `signed.signature` is the signature of this request under `secret`.

    `url` is the URL as sent: scheme, host, the raw (still percent-encoded) path and query."""
    amz_date = headers.get("x-amz-date", "")
    try:
        when = datetime.strptime(amz_date, "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
    except ValueError as exc:
        raise AccessDenied("The request has no valid X-Amz-Date header.") from exc
    skew = abs(((now or datetime.now(UTC)) - when).total_seconds())
    if skew > CLOCK_SKEW_SECONDS or amz_date[:8] != signed.date:
        raise AccessDenied(
            f"Signature expired: the request time {amz_date} is more than "
            f"{CLOCK_SKEW_SECONDS // 60} minutes from the server's time."
        )
    if signed.service != SERVICE:
        raise AccessDenied(
            f"Credential should be scoped to a valid service: {SERVICE!r}, not {signed.service!r}."
        )
    if "host" not in signed.signed_headers:
        raise AccessDenied("The host header must be signed.")
    missing = [name for name in signed.signed_headers if name not in headers]
    if missing:
        raise AccessDenied(f"Signed headers are missing from the request: {', '.join(missing)}.")
    request = AWSRequest(
        method=method,
        url=url,
        headers={name: headers[name] for name in signed.signed_headers},
        data=body,
    )
    request.context["timestamp"] = amz_date
    auth = SigV4Auth(Credentials(signed.access_key_id, secret), SERVICE, signed.region)
    canonical = auth.canonical_request(request)
    expected = auth.signature(auth.string_to_sign(request, canonical), request)
    if not hmac.compare_digest(expected, signed.signature):
        raise AccessDenied(
            "The request signature we calculated does not match the signature you provided. "
            "Check your AWS Secret Access Key and signing method."
        )
