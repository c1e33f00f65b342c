"""Identifiers with OpenAI's prefixes, and the clock used for `created_at` fields."""

from __future__ import annotations

import secrets
import string
import time

_ALPHABET = string.ascii_letters + string.digits


def random_token(length: int) -> str:
    """A random alphanumeric string of `length` characters."""
    return "".join(secrets.choice(_ALPHABET) for _ in range(length))


def new_id(prefix: str, length: int = 24) -> str:
    """An id such as `file-abc...`; `prefix` includes its separator (`file-`, `ftckpt_`)."""
    return f"{prefix}{random_token(length)}"


def now() -> int:
    """Unix seconds, the unit of every `created_at` on the wire."""
    return int(time.time())
