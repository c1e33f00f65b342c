"""Bearer keys -> Principal(organization, project)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from service.core.errors import AuthenticationError

LOCAL_PROJECT = "proj_local"
DEFAULT_ORGANIZATION = "personal"


@dataclass(frozen=True)
class Principal:
    """Who is calling: every resource read or written is scoped to `project`."""

    project: str
    organization: str = DEFAULT_ORGANIZATION


class KeyRing:
    """Accepts bearer keys. With no keys file, any key maps to the one local project."""

    def __init__(self, keys: dict[str, Principal] | None):
        self._keys = keys

    @classmethod
    def from_file(cls, path: Path | None) -> KeyRing:
        """Load `{"key": {"project": ..., "organization": ...}}`; None accepts any key."""
        if path is None:
            return cls(None)
        try:
            raw = json.loads(path.read_text())
        except (OSError, json.JSONDecodeError) as exc:
            raise ValueError(f"cannot read WHETSTONE_API_KEYS_FILE {path}: {exc}") from exc
        if not isinstance(raw, dict):
            raise ValueError(f"WHETSTONE_API_KEYS_FILE {path} must hold a JSON object")
        keys: dict[str, Principal] = {}
        for key, owner in raw.items():
            if not isinstance(owner, dict) or not isinstance(owner.get("project"), str):
                raise ValueError(f"key {key[:6]}... in {path} needs a string 'project'")
            keys[key] = Principal(
                project=owner["project"],
                organization=owner.get("organization") or DEFAULT_ORGANIZATION,
            )
        return cls(keys)

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
            return Principal(project=LOCAL_PROJECT)
        principal = self._keys.get(key)
        if principal is None:
            raise AuthenticationError(f"Incorrect API key provided: {_redact(key)}.")
        return principal


def _redact(key: str) -> str:
    return key[:3] + "*" * 4 + key[-4:] if len(key) > 8 else "****"
