"""Bedrock's ARNs, in the shapes AWS gives them, since user code splits them.

The account is a 12-digit number derived from the project, so two projects never share one;
the region is the one the request was signed for.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from urllib.parse import unquote

DEFAULT_REGION = "us-east-1"
JOB = "model-customization-job"
CUSTOM_MODEL = "custom-model"
DEPLOYMENT = "custom-model-deployment"
FOUNDATION_MODEL = "foundation-model"


@dataclass(frozen=True)
class Scope:
    """Where ARNs of one request live: its region and the caller's account."""

    region: str
    account: str

    def job(self, base_model: str, job_id: str) -> str:
        """`arn:aws:bedrock:{region}:{account}:model-customization-job/{base}/{id}`."""
        return f"arn:aws:bedrock:{self.region}:{self.account}:{JOB}/{base_model}/{job_id}"

    def custom_model(self, base_model: str, job_id: str) -> str:
        """`arn:aws:bedrock:{region}:{account}:custom-model/{base}/{id}` (one per job)."""
        return f"arn:aws:bedrock:{self.region}:{self.account}:{CUSTOM_MODEL}/{base_model}/{job_id}"

    def deployment(self, deployment_id: str) -> str:
        """`arn:aws:bedrock:{region}:{account}:custom-model-deployment/{id}`."""
        return f"arn:aws:bedrock:{self.region}:{self.account}:{DEPLOYMENT}/{deployment_id}"

    def foundation_model(self, base_model: str) -> str:
        """`arn:aws:bedrock:{region}::foundation-model/{base}` (no account, as AWS has it)."""
        return f"arn:aws:bedrock:{self.region}::{FOUNDATION_MODEL}/{base_model}"


def account_of(project: str) -> str:
    """The 12-digit account id standing for a project."""
    digest = int.from_bytes(hashlib.sha256(project.encode()).digest()[:8], "big")
    return f"{digest % 10**12:012d}"


def resource_of(identifier: str) -> tuple[str | None, str]:
    """(resource type, last path segment) of an ARN; (None, identifier) for a plain name.

    Identifiers arrive percent-encoded in the path (`arn%3Aaws%3A...%2F...`): decoded here."""
    identifier = unquote(identifier)
    if not identifier.startswith("arn:"):
        return None, identifier
    parts = identifier.split(":", 5)
    if len(parts) < 6:
        return None, identifier
    resource = parts[5]
    kind, _, rest = resource.partition("/")
    return kind, rest.rsplit("/", 1)[-1] if rest else ""
