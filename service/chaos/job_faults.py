"""Job faults: reserved `whetstone_fault*` keys of a job's metadata make the job misbehave.

SDKs send `metadata` unchanged, so a CI suite written against OpenAI can ask any job to fail
at validation, fail in training, lose its worker process once, or stall, with no other
extension. The keys are checked when the job is created (a 400 naming the key; refused outright
where fault injection is off), so the scheduler and the worker read them without checking.
"""

from __future__ import annotations

import logging
import os
import signal
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Literal, cast, get_args

from service.core.errors import InvalidRequestError

logger = logging.getLogger("whetstone.chaos")

FaultKind = Literal["fail_validation", "fail_training", "crash_worker", "stall"]
FAULT_KINDS: tuple[str, ...] = get_args(FaultKind)

FAULT_KEY = "whetstone_fault"
STEP_KEY = "whetstone_fault_step"
CODE_KEY = "whetstone_fault_code"
MESSAGE_KEY = "whetstone_fault_message"
RESERVED_KEYS = (FAULT_KEY, STEP_KEY, CODE_KEY, MESSAGE_KEY)
# Every key with this prefix is reserved, so that a misspelt one is refused, not ignored.
RESERVED_PREFIX = "whetstone_fault"
MAX_CODE_CHARS = 64
# How often a stalled worker asks whether it was cancelled or paused (seconds).
STALL_POLL_SECONDS = 0.2


class InjectedFailure(Exception):
    """A `fail_training` fault struck: the job fails with this code and message."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class JobFault:
    """What a job's metadata asks for: a kind, the optimizer step it strikes at, and the
    error to report instead of the default one."""

    kind: FaultKind
    step: int = 1
    code: str | None = None
    message: str | None = None

    def validation_failure(self) -> tuple[str, str, str]:
        """(code, message, param) of a `fail_validation` fault."""
        return (
            self.code or "invalid_training_file",
            self.message
            or f"The training file was refused by an injected fault ({FAULT_KEY}=fail_validation).",
            "training_file",
        )

    def strike(
        self,
        *,
        step: int,
        attempt: int,
        stop_requested: Callable[[], bool],
        announce: Callable[[str], None],
    ) -> None:
        """Called by the worker after each optimizer step, before it reports the step."""
        if step != self.step or self.kind == "fail_validation":
            return
        if self.kind == "fail_training":
            raise InjectedFailure(
                self.code or "training_failed",
                self.message
                or f"Training failed: an injected fault ({FAULT_KEY}=fail_training) struck at "
                f"step {step}.",
            )
        if self.kind == "crash_worker":
            # Only the first attempt dies, so that the retry shows recovery from a checkpoint.
            if attempt > 0:
                return
            announce(
                f"Injected fault ({FAULT_KEY}=crash_worker): killing the worker at step {step}"
            )
            logger.warning("injected fault: killing this worker process at step %d", step)
            # SIGKILL rather than an exception: nothing of ours runs on the way out, exactly as
            # when the kernel's OOM killer ends a worker.
            os.kill(os.getpid(), signal.SIGKILL)
        if self.kind == "stall":
            announce(f"Injected fault ({FAULT_KEY}=stall): training stalls at step {step}")
            while not stop_requested():
                time.sleep(STALL_POLL_SECONDS)


def job_fault(metadata: Mapping[str, str] | None) -> JobFault | None:
    """The fault a job's (already checked) metadata asks for, or None."""
    if not metadata or FAULT_KEY not in metadata:
        return None
    return JobFault(
        kind=cast(FaultKind, metadata[FAULT_KEY]),
        step=int(metadata.get(STEP_KEY, "1")),
        code=metadata.get(CODE_KEY),
        message=metadata.get(MESSAGE_KEY),
    )


def check_job_metadata(metadata: Mapping[str, str] | None, *, enabled: bool) -> None:
    """A 400 naming the key unless the reserved keys in `metadata` make a valid fault."""
    reserved = [key for key in (metadata or {}) if key.startswith(RESERVED_PREFIX)]
    if not reserved:
        return
    assert metadata is not None
    if not enabled:
        raise InvalidRequestError(
            f"Invalid 'metadata': '{reserved[0]}' asks for fault injection, which is off on "
            "this server (set WHETSTONE_CHAOS_ENABLED=true to allow it).",
            param="metadata",
            code="fault_injection_disabled",
        )
    for key in reserved:
        if key not in RESERVED_KEYS:
            _refuse(key, f"unknown key; the fault keys are {', '.join(RESERVED_KEYS)}")
    kind = metadata.get(FAULT_KEY)
    if kind is None:
        _refuse(reserved[0], f"it needs '{FAULT_KEY}' beside it")
    if kind not in FAULT_KINDS:
        _refuse(FAULT_KEY, f"'{kind}' is not one of {', '.join(FAULT_KINDS)}")
    step = metadata.get(STEP_KEY)
    if step is not None and not (step.isascii() and step.isdigit() and int(step) >= 1):
        _refuse(STEP_KEY, f"'{step}' is not an optimizer step (a whole number from 1)")
    code = metadata.get(CODE_KEY)
    if code is not None and not (0 < len(code) <= MAX_CODE_CHARS):
        _refuse(CODE_KEY, f"the code must have 1 to {MAX_CODE_CHARS} characters")
    if metadata.get(MESSAGE_KEY) == "":
        _refuse(MESSAGE_KEY, "the message must not be empty")


def _refuse(key: str, why: str) -> None:
    raise InvalidRequestError(
        f"Invalid 'metadata.{key}': {why}.", param=f"metadata.{key}", code="invalid_value"
    )
