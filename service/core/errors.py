"""The error tree. Domain code raises these; one handler renders OpenAI's envelope.

    WhetstoneError                      500 server_error
    ├── InvalidRequestError             400 invalid_request_error
    ├── AuthenticationError             401 invalid_request_error (code invalid_api_key)
    ├── PermissionDeniedError           403 invalid_request_error
    ├── NotFoundError                   404 invalid_request_error
    │   └── ModelNotFoundError          404 invalid_request_error (code model_not_found)
    ├── MethodNotAllowedError           405 invalid_request_error
    ├── ConflictError                   409 invalid_request_error
    ├── PayloadTooLargeError            413 invalid_request_error
    └── ServiceUnavailableError         503 server_error, with retry-after
        ├── StorageUnavailableError     503 server_error (code storage_unavailable)
        ├── DatabaseUnavailableError    503 server_error (code database_unavailable)
        ├── EngineOverloadedError       503 server_error (code engine_overloaded)
        └── EngineUnavailableError      503 server_error (code engine_unavailable)

The envelope is `{"error": {"message", "type", "param", "code"}}`; no stack trace ever goes in it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

if TYPE_CHECKING:
    from service.core.wire import JSONObject


class WhetstoneError(Exception):
    """Base of every error a client may see; renders as a 500 unless a subclass says otherwise."""

    status_code: ClassVar[int] = 500
    error_type: ClassVar[str] = "server_error"
    default_code: ClassVar[str | None] = None
    # Seconds a client should wait before trying again (the `retry-after` header); None: none.
    retry_after_seconds: ClassVar[int | None] = None

    def __init__(
        self,
        message: str,
        *,
        param: str | None = None,
        code: str | None = None,
        status_code: int | None = None,
    ):
        super().__init__(message)
        self.message = message
        self.param = param
        self.code = code if code is not None else self.default_code
        # An instance may carry a status its class does not name (a 4xx from Starlette): the
        # instance attribute shadows the ClassVar on purpose, which mypy refuses.
        self.status_code = status_code or type(self).status_code  # type: ignore[misc]

    def envelope(self) -> JSONObject:
        """OpenAI's error envelope for this error."""
        return {
            "error": {
                "message": self.message,
                "type": self.error_type,
                "param": self.param,
                "code": self.code,
            }
        }


class InvalidRequestError(WhetstoneError):
    """The request is malformed or asks for something that cannot be done."""

    status_code = 400
    error_type = "invalid_request_error"


class AuthenticationError(WhetstoneError):
    """No key, or a key that is not accepted."""

    status_code = 401
    error_type = "invalid_request_error"
    default_code = "invalid_api_key"


class PermissionDeniedError(WhetstoneError):
    """The key is valid but may not do this."""

    status_code = 403
    error_type = "invalid_request_error"


class NotFoundError(WhetstoneError):
    """No such resource in the caller's project (another project's resources look absent)."""

    status_code = 404
    error_type = "invalid_request_error"


class ModelNotFoundError(NotFoundError):
    """No such model for the caller."""

    default_code = "model_not_found"


class ModelLoadError(WhetstoneError):
    """A model that exists cannot be loaded (its weights, its adapter or its architecture):
    a failure of ours, never a 404, which would tell the client the model does not exist."""

    default_code = "model_load_failed"


class MethodNotAllowedError(WhetstoneError):
    """The route exists but not with this HTTP method."""

    status_code = 405
    error_type = "invalid_request_error"


class ConflictError(WhetstoneError):
    """The resource changed state while the operation ran (a job the scheduler moved meanwhile);
    retrying may succeed. A state that forbids the operation outright is an InvalidRequestError."""

    status_code = 409
    error_type = "invalid_request_error"


class PayloadTooLargeError(WhetstoneError):
    """The request body is over a configured limit."""

    status_code = 413
    error_type = "invalid_request_error"
    default_code = "payload_too_large"


class ServiceUnavailableError(WhetstoneError):
    """A dependency of the service does not answer; retrying later may succeed."""

    status_code = 503
    error_type = "server_error"
    # The official SDKs retry a 503 and honour retry-after; a dependency that is down or slow
    # usually needs a few seconds, so ask for that rather than an immediate retry storm.
    retry_after_seconds = 5


class StorageUnavailableError(ServiceUnavailableError):
    """The artifact store (local disk or S3) does not answer, or not in time."""

    default_code = "storage_unavailable"


class DatabaseUnavailableError(ServiceUnavailableError):
    """The database refuses connections, drops them, or does not answer in time."""

    default_code = "database_unavailable"


class EngineOverloadedError(ServiceUnavailableError):
    """A completion waited longer than its deadline for a place in the inference batch."""

    default_code = "engine_overloaded"
    retry_after_seconds = 1


class EngineUnavailableError(ServiceUnavailableError):
    """The engine of the model (a vLLM server) is starting, restarting, or does not answer."""

    default_code = "engine_unavailable"


class ClusterUnavailableError(ServiceUnavailableError):
    """The Ray cluster of WHETSTONE_EXECUTOR=ray does not answer."""

    default_code = "cluster_unavailable"
