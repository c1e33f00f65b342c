"""The one error handler: every failure becomes OpenAI's envelope with the right status."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from service.core.errors import (
    InvalidRequestError,
    MethodNotAllowedError,
    NotFoundError,
    PayloadTooLargeError,
    WhetstoneError,
)

logger = logging.getLogger("whetstone.errors")


def _param_of(loc: tuple[Any, ...]) -> str | None:
    # ("body", "method", "supervised", "n_epochs") -> "method.supervised.n_epochs";
    # list indexes render as [i] the way OpenAI names them ("messages[0].role").
    parts = [p for p in loc if p not in ("body", "query", "path", "header", "form")]
    name = ""
    for part in parts:
        if isinstance(part, int):
            name += f"[{part}]"
        elif "[" in str(part) or "function-" in str(part):
            continue  # pydantic's union-branch tags say nothing to a client
        else:
            name += f".{part}" if name else str(part)
    return name or None


def validation_error(exc: RequestValidationError) -> InvalidRequestError:
    """Translate FastAPI's validation error into a 400 naming the first offending param."""
    first = exc.errors()[0] if exc.errors() else {"loc": (), "msg": "invalid request", "type": ""}
    param = _param_of(tuple(first.get("loc", ())))
    kind = first.get("type", "")
    if kind == "json_invalid":
        return InvalidRequestError(
            "We could not parse the JSON body of your request. (HINT: This likely means you "
            "aren't using your HTTP library correctly. The OpenAI API expects a JSON payload.)",
            code="invalid_json",
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
    if 400 <= exc.status_code < 500:
        return InvalidRequestError(str(exc.detail), status_code=exc.status_code)
    return WhetstoneError(str(exc.detail))


def render(error: WhetstoneError, headers: dict[str, str] | None = None) -> JSONResponse:
    """The envelope response for a domain error."""
    return JSONResponse(error.envelope(), status_code=error.status_code, headers=headers)


def install_error_handlers(app: FastAPI) -> None:
    """Register the handlers; anything else escapes to RequestContextMiddleware's 500."""

    async def on_domain_error(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, WhetstoneError)
        if exc.status_code >= 500:
            logger.error("%s [%s]: %s", type(exc).__name__, request_id(request), exc.message)
        return render(exc)

    async def on_validation_error(_request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, RequestValidationError)
        return render(validation_error(exc))

    async def on_http_error(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, HTTPException)
        # Starlette spells it "Allow"; keep only that header, whatever its case.
        allow = {k.lower(): v for k, v in (exc.headers or {}).items()}.get("allow")
        headers = {"allow": allow} if allow else None
        return render(http_error(request, exc), headers=headers)

    app.add_exception_handler(WhetstoneError, on_domain_error)
    app.add_exception_handler(RequestValidationError, on_validation_error)
    app.add_exception_handler(HTTPException, on_http_error)


def request_id(request: Request) -> str:
    """The id RequestContextMiddleware gave this request."""
    return str(request.scope.get("state", {}).get("request_id", "-"))
