"""Google's error envelope, `{"error": {"code", "message", "status"}}` (google.rpc.Status over
HTTP), which the one handler (service/core/handlers.py) gives every error on Google's paths."""

from __future__ import annotations

from fastapi.responses import JSONResponse

from service.core.errors import WhetstoneError
from service.core.handlers import ErrorDialect
from service.core.wire import JSONObject

# google.rpc.Code's name for each HTTP status, as Google's APIs pair them.
GOOGLE_STATUS = {
    400: "INVALID_ARGUMENT",
    401: "UNAUTHENTICATED",
    403: "PERMISSION_DENIED",
    404: "NOT_FOUND",
    405: "UNIMPLEMENTED",
    409: "ABORTED",
    413: "INVALID_ARGUMENT",
    429: "RESOURCE_EXHAUSTED",
    500: "INTERNAL",
    501: "UNIMPLEMENTED",
    503: "UNAVAILABLE",
    504: "DEADLINE_EXCEEDED",
}
# The paths of Google's front door: Vertex AI's versions (no OpenAI route is under either).
GOOGLE_PATH_PREFIXES = ("/v1beta1/", "/v1/projects/")


def google_envelope(error: WhetstoneError) -> JSONObject:
    """Google's envelope for a domain error."""
    return {
        "error": {
            "code": error.status_code,
            "message": error.message,
            "status": GOOGLE_STATUS.get(error.status_code, "UNKNOWN"),
        }
    }


def google_error(
    error: WhetstoneError, headers: dict[str, str] | None, _request_id: str
) -> JSONResponse:
    """The response of an error on Google's paths."""
    return JSONResponse(google_envelope(error), status_code=error.status_code, headers=headers)


# What the app passes to install_error_handlers.
ERROR_DIALECTS: dict[str, ErrorDialect] = dict.fromkeys(GOOGLE_PATH_PREFIXES, google_error)
