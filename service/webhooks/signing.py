"""Standard Webhooks signatures: `webhook-id`, `webhook-timestamp`, `webhook-signature`.

The signature is `v1,<base64 HMAC-SHA256 of "{id}.{timestamp}.{body}">`, keyed with the bytes
that follow `whsec_` in the secret, base64-decoded; several are separated by spaces (during a
rotation that keeps the old secret). This is what openai-python's `webhooks.unwrap` verifies.
Written out because it is twenty lines of the standard library; the `standardwebhooks`
package would add a dependency for the same HMAC.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from collections.abc import Iterable

SECRET_PREFIX = "whsec_"
SECRET_BYTES = 32


def new_secret() -> str:
    """A fresh `whsec_...` signing secret."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode("ascii")


def secret_hint(secret: str) -> str:
    """The masked hint shown instead of a secret: its prefix and last four characters."""
    return f"{SECRET_PREFIX}****{secret[-4:]}"


def signature(secret: str, *, webhook_id: str, timestamp: int, body: bytes) -> str:
    """One `v1,<base64>` signature of `body` by `secret`."""
    key = base64.b64decode(secret.removeprefix(SECRET_PREFIX))
    signed = f"{webhook_id}.{timestamp}.".encode() + body
    digest = hmac.new(key, signed, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode("ascii")


def signed_headers(
    secrets_: Iterable[str], *, webhook_id: str, timestamp: int, body: bytes
) -> dict[str, str]:
    """The three Standard Webhooks headers for one attempt, signed by every secret given."""
    signatures = " ".join(
        signature(secret, webhook_id=webhook_id, timestamp=timestamp, body=body)
        for secret in secrets_
    )
    return {
        "webhook-id": webhook_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": signatures,
    }
