"""Tinker's error envelope, and the supported SDK range the front door checks."""

from __future__ import annotations

from fastapi.responses import JSONResponse
from packaging.version import InvalidVersion, Version

from service.core.errors import InvalidRequestError, WhetstoneError
from service.core.handlers import ErrorDialect

# The wire contract changes between the SDK's minor versions: this server speaks 0.38.
SUPPORTED_SDK_RANGE = ">=0.38.0,<0.39"
_LOWEST = Version("0.38.0")
_ABOVE = Version("0.39")
PATH_PREFIX = "/api/v1/"
_RETRYABLE = frozenset({408, 409, 429})


class UnsupportedSdkError(InvalidRequestError):
    """An SDK version outside the range this server speaks."""


def check_sdk_version(version: str | None) -> None:
    """Refuse an SDK version outside SUPPORTED_SDK_RANGE, naming the range (None: unknown,
    allowed: only the SDK's own routes send it, and a header-less call is checked elsewhere)."""
    if version is None:
        return
    try:
        parsed = Version(version)
    except InvalidVersion:
        parsed = None
    if parsed is None or not (_LOWEST <= parsed < _ABOVE):
        raise UnsupportedSdkError(
            f"tinker SDK version {version!r} is not supported by this Whetstone server: it "
            f"supports tinker{SUPPORTED_SDK_RANGE}. Install a supported version, e.g. "
            "`pip install 'tinker==0.38.0'`.",
            param="sdk_version",
            code="unsupported_sdk_version",
        )


def tinker_error(
    error: WhetstoneError, headers: dict[str, str] | None, request_id: str
) -> JSONResponse:
    """The response of an error on Tinker's paths: `{"error", "category", "code"}`, which the
    SDK prints whole in its APIStatusError."""
    category = "user" if error.status_code < 500 else "server"
    body = {
        "error": error.message,
        "category": category,
        "code": error.code,
        "request_id": request_id,
    }
    # The SDK retries 408/409/429/5xx on its own; a refusal of the caller's input must not be.
    retry = "true" if error.status_code in _RETRYABLE or error.status_code >= 500 else "false"
    return JSONResponse(
        body, status_code=error.status_code, headers={**(headers or {}), "x-should-retry": retry}
    )


# What the app passes to install_error_handlers.
ERROR_DIALECTS: dict[str, ErrorDialect] = {PATH_PREFIX: tinker_error}
