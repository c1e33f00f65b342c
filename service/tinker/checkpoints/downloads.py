"""Signed download URLs for Tinker checkpoints, and the bytes they serve.

A URL carries the checkpoint's storage prefix and an expiry, signed with a key derived from the
server's internal token (WHETSTONE_INTERNAL_TOKEN: replicas that share it honour each other's
URLs), so a download needs no API key, as Tinker's signed URLs do not. A URL names one file
(what `external_weights_urls` lists) or the whole checkpoint as a tar (the `/archive` route
redirects to it): the files of the PEFT adapter at the tar's root, which
`PeftModel.from_pretrained` loads once extracted, streamed from the store as vLLM's adapter
route streams them (service/adapters).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
from dataclasses import dataclass

from service.core.errors import InvalidRequestError, NotFoundError
from service.storage import ArtifactStore

# How long a signed URL stays valid.
URL_LIFETIME_SECONDS = 3600
_CHUNK_BYTES = 1 << 20
_PURPOSE = b"whetstone-tinker-download:"


@dataclass(frozen=True)
class Grant:
    """What a valid signed token allows: reading the files under `prefix` until `expires`."""

    prefix: str
    expires: int


def sign(secret: str, *, prefix: str, expires: int) -> str:
    """A token granting reads under `prefix` until `expires` (Unix seconds)."""
    payload = base64.urlsafe_b64encode(f"{expires}\n{prefix}".encode()).decode().rstrip("=")
    return f"{payload}.{_signature(secret, payload)}"


def verify(secret: str, token: str, *, at: int | None = None) -> Grant:
    """The grant of a token this server signed; NotFoundError when it is not one or expired
    (a download link that no longer works is gone, as far as its holder can tell)."""
    payload, _, signature = token.partition(".")
    if not signature or not hmac.compare_digest(signature, _signature(secret, payload)):
        raise NotFoundError("This download link is not valid.")
    padded = payload + "=" * (-len(payload) % 4)
    expires_text, _, prefix = base64.urlsafe_b64decode(padded).decode().partition("\n")
    expires = int(expires_text)
    if expires < (at if at is not None else int(time.time())):
        raise NotFoundError("This download link has expired: ask for a new one.")
    return Grant(prefix=prefix, expires=expires)


def checkpoint_files(store: ArtifactStore, prefix: str) -> list[str]:
    """The files of the checkpoint under `prefix`, as paths relative to it. Blocking."""
    return sorted(key[len(prefix) + 1 :] for key in store.list_keys(prefix + "/"))


def file_key(store: ArtifactStore, grant: Grant, name: str) -> str:
    """The storage key of file `name` of the granted checkpoint. Blocking."""
    if not name or ".." in name.split("/") or name.startswith("/"):
        raise InvalidRequestError(f"{name!r} is not a file of this checkpoint.", param="file")
    key = f"{grant.prefix}/{name}"
    if not store.exists(key):
        raise NotFoundError(f"The checkpoint has no file {name!r}.")
    return key


def archive_members(store: ArtifactStore, prefix: str) -> list[tuple[str, int]]:
    """The checkpoint's files and their sizes, for the tar service.adapters streams;
    NotFoundError when it has none. Blocking."""
    members = [(name, store.size(f"{prefix}/{name}")) for name in checkpoint_files(store, prefix)]
    if not members:
        raise NotFoundError("The checkpoint has no files.")
    return members


def _signature(secret: str, payload: str) -> str:
    key = hashlib.sha256(_PURPOSE + secret.encode()).digest()
    digest = hmac.new(key, payload.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")
