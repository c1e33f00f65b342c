"""Which storage keys vLLM may fetch, and the tar stream of one.

The keys are the ones the scheduler's workers write (service/scheduler/worker.py) and that
`service/fine_tuning` hands the engines as a trained model's `adapter_key`:

    jobs/{job_id}/adapter                            a LoRA job's adapter
    jobs/{job_id}/model                              a full job's model
    jobs/{job_id}/checkpoints/step-{N}/adapter       a LoRA checkpoint's adapter
    jobs/{job_id}/checkpoints/step-{N}/model         a full checkpoint's model
    _whetstone/zero-adapters/{base}                  a base model's zero adapter (vLLM)
    tinker/{project}/{model_id}/sampler_weights/{name}  Tinker sampler weights (adapter only)
    imported/{project}/{id}/adapter                  an adapter published or imported as ft:

Nothing else is served: not files, not reports, not a checkpoint's optimizer state.
"""

from __future__ import annotations

import hmac
import re
import tarfile
from collections.abc import Iterator

from pydantic import SecretStr

from service.core.errors import AuthenticationError, NotFoundError, WhetstoneError
from service.storage import ArtifactStore

SERVABLE_KEY = re.compile(
    r"jobs/ftjob-[A-Za-z0-9]+/(?:checkpoints/step-[0-9]+/)?(?:adapter|model)"
    # A base model's zero adapter (service/inference/engines/vllm/zero_adapter.py), which
    # every base request goes through on vLLM.
    r"|_whetstone/zero-adapters/[A-Za-z0-9_-]+"
    # Tinker's sampler weights (service/scheduler/sessions.py): never `weights/`, whose
    # optimizer state is not the engines' to read. No segment may start with a dot.
    r"|tinker/(?!\.)[^/]+/(?!\.)[^/]+/sampler_weights/(?!\.)[A-Za-z0-9._-]+"
    # Adapters made ft: models by service/tinker/checkpoints/bridges.py.
    r"|imported/(?!\.)[^/]+/imp_[A-Za-z0-9]+/adapter"
)
_BLOCK = tarfile.BLOCKSIZE
# A tar archive ends with two zero blocks.
_END_OF_ARCHIVE = b"\0" * (2 * _BLOCK)


def authenticate_internal(authorization: str | None, token: SecretStr) -> None:
    """AuthenticationError unless `authorization` is `Bearer <WHETSTONE_INTERNAL_TOKEN>`."""
    scheme, _, given = (authorization or "").partition(" ")
    # Compared in constant time: the token opens every project's adapters.
    if scheme.lower() != "bearer" or not hmac.compare_digest(
        given.strip().encode(), token.get_secret_value().encode()
    ):
        raise AuthenticationError(
            "The internal routes need 'Authorization: Bearer <WHETSTONE_INTERNAL_TOKEN>'.",
            code="invalid_internal_token",
        )


def archive_members(store: ArtifactStore, key: str) -> list[tuple[str, int]]:
    """Each object under `key` as (path inside the archive, size); NotFoundError when `key`
    is no adapter or model key, or holds nothing (a deleted model's, say). Blocking."""
    if not SERVABLE_KEY.fullmatch(key):
        raise NotFoundError(f"No adapter or model is stored under {key!r}.", param="key")
    prefix = key + "/"
    members = [(stored[len(prefix) :], store.size(stored)) for stored in store.list_keys(prefix)]
    if not members:
        raise NotFoundError(f"No adapter or model is stored under {key!r}.", param="key")
    return members


def archive_chunks(
    store: ArtifactStore, key: str, members: list[tuple[str, int]]
) -> Iterator[bytes]:
    """The uncompressed tar of `members` (from `archive_members`), streamed object by object,
    so a model of many GB never sits in memory. Blocking.

    Headers come from tarfile; the stream is framed by hand because tarfile's writer takes
    each member whole from a file object and so cannot stream objects from the store.
    """
    for name, size in members:
        yield _header(name, size)
        sent = 0
        for chunk in store.iter_chunks(f"{key}/{name}"):
            sent += len(chunk)
            yield chunk
        if sent != size:
            # The header promised `size` bytes: a short or long body would corrupt the rest of
            # the archive, so end the stream instead (the client sees a truncated archive).
            raise WhetstoneError(f"{key}/{name} changed while it was sent ({sent} != {size} bytes)")
        yield b"\0" * (-size % _BLOCK)
    yield _END_OF_ARCHIVE


def archive_size(members: list[tuple[str, int]]) -> int:
    """The length in bytes of the archive `archive_chunks` streams for `members`."""
    return sum(len(_header(name, size)) + size + (-size % _BLOCK) for name, size in members) + len(
        _END_OF_ARCHIVE
    )


def _header(name: str, size: int) -> bytes:
    """The tar header blocks of one regular file (a PAX header first for a long name)."""
    info = tarfile.TarInfo(name)
    info.size = size
    info.mode = 0o644
    return info.tobuf(format=tarfile.PAX_FORMAT)
