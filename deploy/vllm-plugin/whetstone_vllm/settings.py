"""The environment variables the resolver reads (vLLM's process, not Whetstone's settings)."""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

# Where Whetstone answers, as vLLM reaches it: http://127.0.0.1:8000 for a child of
# `whetstone serve`, the Service's address in Kubernetes. Unset: the resolver is not registered.
URL_VARIABLE = "WHETSTONE_URL"
# The bearer of Whetstone's internal route (Whetstone's setting of the same name).
TOKEN_VARIABLE = "WHETSTONE_INTERNAL_TOKEN"
# Where downloaded adapters are unpacked; default: a directory under the system temp dir.
CACHE_VARIABLE = "WHETSTONE_VLLM_ADAPTER_CACHE"
# Deadline of one request to Whetstone (seconds), connection and each read.
TIMEOUT_VARIABLE = "WHETSTONE_VLLM_FETCH_TIMEOUT_SECONDS"

ENVIRONMENT_VARIABLES = frozenset({URL_VARIABLE, TOKEN_VARIABLE, CACHE_VARIABLE, TIMEOUT_VARIABLE})


@dataclass(frozen=True)
class ResolverSettings:
    """What the resolver needs to reach Whetstone and where it keeps adapters."""

    url: str
    token: str
    cache_dir: Path
    timeout_seconds: float = 30.0

    @classmethod
    def from_environment(cls) -> ResolverSettings | None:
        """The settings from the environment; None when WHETSTONE_URL is unset."""
        url = os.environ.get(URL_VARIABLE, "").strip()
        if not url:
            return None
        cache = os.environ.get(CACHE_VARIABLE, "").strip()
        return cls(
            url=url.rstrip("/"),
            token=os.environ.get(TOKEN_VARIABLE, ""),
            cache_dir=Path(cache) if cache else Path(tempfile.gettempdir()) / "whetstone-adapters",
            timeout_seconds=float(os.environ.get(TIMEOUT_VARIABLE) or 30.0),
        )
