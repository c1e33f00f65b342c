"""The one error handler: every failure becomes OpenAI's envelope with the right status."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException
from starlette.routing import Match

from service.core.errors import (
    InvalidRequestError,
    MethodNotAllowedError,
    NotFoundError,
    PayloadTooLargeError,
    ServiceUnavailableError,
    WhetstoneError,
)

logger = logging.getLogger("whetstone.errors")


# The branch tags pydantic puts in the `loc` of a union's errors: ("stop", "str"),
# ("prompt", "list[int]", 0), ("content", "function-after[...]").
_UNION_TAGS = frozenset({"str", "int", "float", "bool", "none"})


def _is_union_tag(part: object) -> bool:
    return isinstance(part, str) and ("[" in part or "function-" in part or part in _UNION_TAGS)


def _param_of(loc: tuple[int | str, ...]) -> str | None:
    # ("body", "method", "supervised", "n_epochs") -> "method.supervised.n_epochs";
    # list indexes render as [i] the way OpenAI names them ("messages[0].role").
    parts = [p for p in loc if p not in ("body", "query", "path", "header", "form")]
    name = ""
    for part in parts:
        if isinstance(part, int):
            name += f"[{part}]"
        elif _is_union_tag(part):
            continue  # pydantic's union-branch tags say nothing to a client
        else:
            name += f".{part}" if name else str(part)
    return name or None


_NOT_JSON = (
    "We could not parse the JSON body of your request. (HINT: This likely means you "
    "aren't using your HTTP library correctly. The OpenAI API expects a JSON payload.)"
)
# pydantic's error types for a value of the wrong JSON type, and the type each one expected.
_EXPECTED_TYPE = {
    "int_type": "an integer",
    "float_type": "a number",
    "string_type": "a string",
    "bool_type": "a boolean",
    "list_type": "an array",
    "dict_type": "an object",
    "model_type": "an object",
    "model_attributes_type": "an object",
}


def _json_type(value: object) -> str:
    """`a boolean`, `an array`, ...: the JSON type of a decoded value, as OpenAI words it."""
    if value is None:
        return "null"
    for python_type, name in (
        (bool, "a boolean"),
        (int, "an integer"),
        (float, "a decimal number"),
        (str, "a string"),
        (list, "an array"),
        (dict, "an object"),
    ):
        if isinstance(value, python_type):
            return name
    return "a value of another type"


def _body_error(kind: str, value: object) -> InvalidRequestError:
    """The body as a whole is not a JSON object: absent, not JSON at all, or another JSON type."""
    if kind == "missing" or isinstance(value, bytes):
        # FastAPI hands the raw bytes on when the content type is not JSON.
        return InvalidRequestError(
            f"{_NOT_JSON} Send a JSON object with Content-Type: application/json.",
            code="invalid_json",
        )
    return InvalidRequestError(
        f"The request body must be a JSON object, but it is {_json_type(value)}.",
        code="invalid_type",
    )


def _unparsable_body(cause: BaseException | None) -> InvalidRequestError | None:
    """What json.loads failed on besides a syntax error (which FastAPI reports itself), behind
    FastAPI's bare "error parsing the body" 400; None when that was not the cause."""
    if isinstance(cause, RecursionError):
        reason = "it nests arrays or objects deeper than the parser allows"
    elif isinstance(cause, UnicodeDecodeError):
        reason = "it is not valid UTF-8"
    else:
        return None
    return InvalidRequestError(
        f"We could not parse the JSON body of your request: {reason}.", code="invalid_json"
    )


def validation_error(exc: RequestValidationError) -> InvalidRequestError:
    """Translate FastAPI's validation error into a 400 naming the first offending param."""
    first = exc.errors()[0] if exc.errors() else {"loc": (), "msg": "invalid request", "type": ""}
    loc = tuple(first.get("loc", ()))
    param = _param_of(loc)
    kind = str(first.get("type", ""))
    if kind == "json_invalid":
        return InvalidRequestError(_NOT_JSON, code="invalid_json")
    if loc == ("body",):
        return _body_error(kind, first.get("input"))
    if kind in _EXPECTED_TYPE and not any(map(_is_union_tag, loc)):
        # OpenAI's wording; a union's errors name one branch each, so they keep pydantic's.
        return InvalidRequestError(
            f"Invalid type for '{param}': expected {_EXPECTED_TYPE[kind]}, but got "
            f"{_json_type(first.get('input'))} instead.",
            param=param,
            code="invalid_type",
        )
    if kind == "missing":
        return InvalidRequestError(
            f"Missing required parameter: '{param}'.",
            param=param,
            code="missing_required_parameter",
        )
    message = str(first.get("msg", "invalid value"))
    return InvalidRequestError(
        f"Invalid value for '{param}': {message}.", param=param, code="invalid_value"
    )


def http_error(request: Request, exc: HTTPException) -> WhetstoneError:
    """Translate Starlette's routing errors (404, 405, 413, 400) into domain errors."""
    if exc.status_code == 404:
        return NotFoundError(
            f"Unknown request URL: {request.method} {request.url.path}. "
            "Please check the URL for typos.",
            code="unknown_url",
        )
    if exc.status_code == 405:
        return MethodNotAllowedError(
            f"Method {request.method} is not allowed for {request.url.path}.",
            code="method_not_allowed",
        )
    if exc.status_code == 413:
        return PayloadTooLargeError(str(exc.detail))
    unparsable = _unparsable_body(exc.__cause__)
    if unparsable is not None:
        return unparsable
    if 400 <= exc.status_code < 500:
        return InvalidRequestError(str(exc.detail), status_code=exc.status_code)
    return WhetstoneError(str(exc.detail))


_METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE")


def allowed_methods(request: Request) -> str:
    """The `Allow` value of a 405: every method some route serves at the request's path."""
    # FastAPI makes one route per method (a path with GET and POST is two routes, inside an
    # included router), so ask the routes about each method rather than read their attributes.
    routes = request.app.router.routes
    return ", ".join(
        method
        for method in _METHODS
        if any(
            route.matches({**request.scope, "method": method})[0] is Match.FULL for route in routes
        )
    )


def render(error: WhetstoneError, headers: dict[str, str] | None = None) -> JSONResponse:
    """The envelope response for a domain error."""
    return JSONResponse(error.envelope(), status_code=error.status_code, headers=headers)


# A cloud's envelope for an error: (error, extra headers, request id) -> response.
ErrorDialect = Callable[[WhetstoneError, dict[str, str] | None, str], JSONResponse]


def _renderer(
    request: Request, dialects: Mapping[str, ErrorDialect]
) -> Callable[[WhetstoneError, dict[str, str] | None], JSONResponse]:
    """OpenAI's envelope, or the envelope of the front door whose path prefix the request has."""
    for prefix, dialect in dialects.items():
        if request.url.path.startswith(prefix):
            return lambda error, headers: dialect(error, headers, request_id(request))
    return render


def retry_after(error: WhetstoneError) -> dict[str, str] | None:
    """The `retry-after` header for an error that names one (503s: the SDKs honour it)."""
    if error.retry_after_seconds is None:
        return None
    return {"retry-after": str(error.retry_after_seconds)}


def _cause(error: BaseException) -> str:
    # The driver's reason stays in the log; the client's message does not carry it.
    cause = error.__cause__
    if cause is None:
        return ""
    inner = getattr(cause, "orig", None) or cause
    first = (str(inner).strip().splitlines() or [""])[0][:300]
    if not first or first in getattr(error, "message", ""):
        return ""  # nothing to add, or the message says it already
    return f" (cause: {type(inner).__name__}: {first})"


def install_error_handlers(
    app: FastAPI, dialects: Mapping[str, ErrorDialect] | None = None
) -> None:
    """Register the handlers; anything else escapes to RequestContextMiddleware's 500.
    `dialects` maps the path prefixes of the clouds' front doors to their envelopes."""
    dialects = dict(dialects or {})

    async def on_domain_error(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, WhetstoneError)
        if isinstance(exc, ServiceUnavailableError):
            # An outage is expected and says so in one line; a traceback would only be noise.
            logger.warning(
                "%s [%s]: %s%s", type(exc).__name__, request_id(request), exc.message, _cause(exc)
            )
        elif exc.status_code >= 500:
            logger.error("%s [%s]: %s", type(exc).__name__, request_id(request), exc.message)
        return _renderer(request, dialects)(exc, retry_after(exc))

    async def on_validation_error(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, RequestValidationError)
        return _renderer(request, dialects)(validation_error(exc), None)

    async def on_http_error(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, HTTPException)
        # Starlette's own Allow names the methods of the first route matched only.
        headers = {"allow": allowed_methods(request)} if exc.status_code == 405 else None
        return _renderer(request, dialects)(http_error(request, exc), headers)

    app.add_exception_handler(WhetstoneError, on_domain_error)
    app.add_exception_handler(RequestValidationError, on_validation_error)
    app.add_exception_handler(HTTPException, on_http_error)


def request_id(request: Request) -> str:
    """The id RequestContextMiddleware gave this request."""
    return str(request.scope.get("state", {}).get("request_id", "-"))
