"""Log output: plain text by default, one JSON object per line with WHETSTONE_LOG_FORMAT=json.

Every record written while a request is handled carries that request's id, project and job
id (`RequestContextFilter`, from the ASGI scope the metrics middleware puts in a context
variable; asyncio.to_thread copies it into worker threads). The middleware adds one access
record per request with its method, route, status and duration.
"""

from __future__ import annotations

import logging
import sys
from contextvars import ContextVar
from typing import IO

from pythonjsonlogger.core import RESERVED_ATTRS
from pythonjsonlogger.json import JsonFormatter
from starlette.types import Scope

from service.core.config import Settings

ACCESS_LOGGER = "whetstone.access"
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
# Path parameters that name a job, whichever route they come from.
_JOB_PARAMS = ("fine_tuning_job_id", "job_id")

# The ASGI scope of the request being handled here, if any.
current_scope: ContextVar[Scope | None] = ContextVar("whetstone_scope", default=None)


def request_context(scope: Scope) -> dict[str, str | None]:
    """The request id, project and job id a request's scope holds so far."""
    state = scope.get("state") or {}
    principal = state.get("principal")
    params = scope.get("path_params") or {}
    job_id = next((params[name] for name in _JOB_PARAMS if name in params), None)
    return {
        "request_id": state.get("request_id"),
        "project": getattr(principal, "project", None),
        "job_id": job_id,
    }


class RequestContextFilter(logging.Filter):
    """Adds request_id, project and job_id to each record (None outside a request), unless
    the record names them itself (a worker's job_id)."""

    def __init__(self, job_id: str | None = None):
        super().__init__()
        self.job_id = job_id

    def filter(self, record: logging.LogRecord) -> bool:
        """Annotate; never drops a record."""
        scope = current_scope.get()
        context: dict[str, str | None] = (
            request_context(scope)
            if scope is not None
            else {"request_id": None, "project": None, "job_id": None}
        )
        if context["job_id"] is None:
            context["job_id"] = self.job_id
        for name, value in context.items():
            if not hasattr(record, name):
                setattr(record, name, value)
        return True


def json_formatter() -> logging.Formatter:
    """One JSON object per record: time, level, logger, message, then the record's extras."""
    return JsonFormatter(
        "%(asctime)s %(levelname)s %(name)s %(message)s",
        rename_fields={"asctime": "time", "levelname": "level", "name": "logger"},
        json_ensure_ascii=False,
        # uvicorn's ANSI-coloured copy of each message would repeat it.
        reserved_attrs=[*RESERVED_ATTRS, "color_message"],
    )


def log_handler(
    settings: Settings, stream: IO[str] | None = None, *, job_id: str | None = None
) -> logging.Handler:
    """A stream handler in the settings' format, with the request context filter."""
    handler = logging.StreamHandler(stream or sys.stderr)
    if settings.log_format == "json":
        handler.setFormatter(json_formatter())
    else:
        text = (
            TEXT_FORMAT
            if job_id is None
            else TEXT_FORMAT.replace("%(name)s", f"worker[{job_id}] %(name)s")
        )
        handler.setFormatter(logging.Formatter(text))
    handler.addFilter(RequestContextFilter(job_id))
    return handler


def configure_logging(settings: Settings, *, job_id: str | None = None) -> None:
    """Route every logger through one handler at the settings' level (a process's start).

    In text mode the access records stay off: uvicorn writes its own access line there.
    """
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(log_handler(settings, job_id=job_id))
    root.setLevel(settings.log_level.upper())
    if settings.log_format != "json":
        logging.getLogger(ACCESS_LOGGER).setLevel(logging.WARNING)
    # boto's INFO lines ("Found credentials in environment variables") are noise to operators.
    for noisy in ("boto3", "botocore", "s3transfer", "urllib3"):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, root.level))
