"""AWS's error envelope: `{"message"}` with `x-amzn-ErrorType` and `x-amzn-RequestId`, at the
status botocore's service model gives each exception, so boto3 raises
`client.exceptions.<Name>`."""

from __future__ import annotations

from fastapi.responses import JSONResponse

from service.core.errors import WhetstoneError

# Our statuses -> Bedrock's exception names (botocore: ConflictException is a 400 there).
_ERROR_TYPES: dict[int, tuple[str, int]] = {
    400: ("ValidationException", 400),
    401: ("AccessDeniedException", 403),
    403: ("AccessDeniedException", 403),
    404: ("ResourceNotFoundException", 404),
    405: ("ValidationException", 400),
    409: ("ConflictException", 400),
    413: ("ValidationException", 400),
    429: ("ThrottlingException", 429),
    503: ("ServiceUnavailableException", 503),
}
INTERNAL = ("InternalServerException", 500)


def aws_error_type(error: WhetstoneError) -> tuple[str, int]:
    """(exception name, HTTP status) of an error, as Bedrock answers it."""
    return _ERROR_TYPES.get(error.status_code, INTERNAL)


def render_aws_error(
    error: WhetstoneError, headers: dict[str, str] | None, request_id: str
) -> JSONResponse:
    """The AWS envelope of a domain error."""
    name, status = aws_error_type(error)
    return JSONResponse(
        {"message": error.message},
        status_code=status,
        headers={**(headers or {}), "x-amzn-ErrorType": name, "x-amzn-RequestId": request_id},
    )
