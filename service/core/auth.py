"""Bearer keys -> Principal(organization, project, role)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from service.core.errors import AuthenticationError, PermissionDeniedError

Role = Literal["admin", "member"]
ROLES: tuple[Role, ...] = ("admin", "member")

LOCAL_PROJECT = "proj_local"
DEFAULT_ORGANIZATION = "personal"


@dataclass(frozen=True)
class Principal:
    """Who is calling: every resource read or written is scoped to `project`."""

    project: str
    organization: str = DEFAULT_ORGANIZATION
    # OpenAI asks an admin key for the organization's settings (checkpoint permissions here,
    # and the chaos API); keys-file entries are members unless they say "role": "admin".
    role: Role = "member"

    @property
    def is_admin(self) -> bool:
        """Whether this key may do what OpenAI reserves for admin keys."""
        return self.role == "admin"


def require_admin(principal: Principal, action: str) -> None:
    """403 in OpenAI's words unless the caller holds an admin key."""
    if not principal.is_admin:
        raise PermissionDeniedError(
            f"You have insufficient permissions for this operation: {action} requires an "
            'admin key ("role": "admin" in WHETSTONE_API_KEYS_FILE).',
            code="insufficient_permissions",
        )


class KeyRing:
    """Accepts bearer keys. With no keys file, any key maps to the one local project."""

    def __init__(
        self, keys: dict[str, Principal] | None, aws_secrets: dict[str, str] | None = None
    ):
        self._keys = keys
        # Access key id -> secret, for the keys that also sign AWS requests (SigV4).
        self._aws_secrets = aws_secrets or {}

    @classmethod
    def from_file(cls, path: Path | None) -> KeyRing:
        """Load `{"key": {"project": ..., "organization": ..., "role": ...}}`; None accepts
        any key. An entry's optional `aws_secret_access_key` makes its key an AWS access key id
        too, whose SigV4 signatures are checked with that secret."""
        if path is None:
            return cls(None)
        try:
            raw = json.loads(path.read_text())
        except (OSError, json.JSONDecodeError) as exc:
            raise ValueError(f"cannot read WHETSTONE_API_KEYS_FILE {path}: {exc}") from exc
        if not isinstance(raw, dict):
            raise ValueError(f"WHETSTONE_API_KEYS_FILE {path} must hold a JSON object")
        keys: dict[str, Principal] = {}
        aws_secrets: dict[str, str] = {}
        for key, owner in raw.items():
            if not isinstance(owner, dict) or not isinstance(owner.get("project"), str):
                raise ValueError(f"key {key[:6]}... in {path} needs a string 'project'")
            role = owner.get("role", "member")
            if role not in ROLES:
                raise ValueError(f"key {key[:6]}... in {path}: role must be 'admin' or 'member'")
            keys[key] = Principal(
                project=owner["project"],
                organization=owner.get("organization") or DEFAULT_ORGANIZATION,
                role=role,
            )
            secret = owner.get("aws_secret_access_key")
            if secret is not None:
                if not isinstance(secret, str) or not secret:
                    raise ValueError(
                        f"key {key[:6]}... in {path}: aws_secret_access_key must be a string"
                    )
                aws_secrets[key] = secret
        return cls(keys, aws_secrets)

    def authenticate(self, authorization: str | None) -> Principal:
        """The principal for an `Authorization` header value, or AuthenticationError."""
        if not authorization:
            raise AuthenticationError(
                "You didn't provide an API key. You need to provide your API key in an "
                "Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY)."
            )
        scheme, _, key = authorization.partition(" ")
        key = key.strip()
        if scheme.lower() != "bearer" or not key:
            raise AuthenticationError("The Authorization header must be 'Bearer <key>'.")
        if self._keys is None:
            # Local mode: one operator, who holds every permission.
            return Principal(project=LOCAL_PROJECT, role="admin")
        principal = self._keys.get(key)
        if principal is None:
            raise AuthenticationError(f"Incorrect API key provided: {_redact(key)}.")
        return principal

    def aws_signer(self, access_key_id: str) -> tuple[Principal, str | None] | None:
        """The principal of an AWS access key id and the secret its signatures are checked
        with; with no keys file any id is the local admin, unchecked (secret None); None for
        an id the keys file does not give an AWS secret."""
        if self._keys is None:
            return Principal(project=LOCAL_PROJECT, role="admin"), None
        secret = self._aws_secrets.get(access_key_id)
        if secret is None:
            return None
        return self._keys[access_key_id], secret

    def projects_of(self, organization: str) -> frozenset[str] | None:
        """The projects the keys file gives `organization`; None with no keys file, where no
        list of projects exists."""
        if self._keys is None:
            return None
        return frozenset(p.project for p in self._keys.values() if p.organization == organization)


def _redact(key: str) -> str:
    return key[:3] + "*" * 4 + key[-4:] if len(key) > 8 else "****"
