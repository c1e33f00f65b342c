"""Pure-ASGI middleware: request ids, header- and body-size limits, and the last-resort 500."""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable, Iterable

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from service.core.errors import ServiceUnavailableError
from service.core.ids import random_token
from service.core.wire import JSONObject

logger = logging.getLogger("whetstone.http")

REQUEST_ID_HEADER = "x-request-id"
_PART_ROUTE = re.compile(r"^/v1/uploads/[^/]+/parts$")


class RequestContextMiddleware:
    """Tags every response with `x-request-id`, refuses headers over `max_header_bytes` with
    431 and bodies over their route's limit with 413, and turns any exception that escaped the
    handlers into a 500 envelope with no trace.

    It is plain ASGI rather than BaseHTTPMiddleware so that streamed bodies (uploads, SSE)
    pass through without being buffered.
    """

    def __init__(
        self, app: ASGIApp, *, body_limit_for: Callable[[str], int], max_header_bytes: int
    ):
        self.app = app
        self.body_limit_for = body_limit_for
        self.max_header_bytes = max_header_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        incoming = headers.get(b"x-request-id", b"").decode("latin-1")
        request_id = incoming if 0 < len(incoming) <= 128 else f"req_{random_token(32)}"
        scope.setdefault("state", {})["request_id"] = request_id
        limit = self.body_limit_for(scope["path"])
        started = False

        async def send_with_id(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                message["headers"] = [
                    *message.get("headers", []),
                    (REQUEST_ID_HEADER.encode(), request_id.encode()),
                ]
            await send(message)

        header_bytes = header_size(scope.get("headers") or [])
        if header_bytes > self.max_header_bytes:
            await _send_headers_too_large(send_with_id, self.max_header_bytes, header_bytes)
            return

        declared = headers.get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            await _send_too_large(send_with_id, limit)
            return

        received = 0

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    # HTTPException, not a domain error: FastAPI re-raises it unchanged from
                    # body parsing, where it would wrap other exceptions into a 400.
                    raise HTTPException(413, _too_large_message(limit))
            return message

        try:
            await self.app(scope, counting_receive, send_with_id)
        except Exception as exc:
            outage = _expected_outage(exc)
            if started and outage is not None:
                # An outage we expect, after the status went out (a download whose store
                # stopped answering): the body ends short, which is all a client can still be
                # told. A warning, not a traceback: nothing is wrong with the server.
                logger.warning(
                    "%s %s [%s] ended mid-response: %s",
                    scope["method"],
                    scope["path"],
                    request_id,
                    outage.message,
                )
                return
            logger.exception(
                "unhandled error in %s %s [%s]", scope["method"], scope["path"], request_id
            )
            if not started:
                body: JSONObject = {
                    "error": {
                        "message": "The server had an error while processing your request. "
                        f"Request id: {request_id}.",
                        "type": "server_error",
                        "param": None,
                        "code": None,
                    }
                }
                await _send_json(send_with_id, 500, body)


def _expected_outage(exc: BaseException) -> ServiceUnavailableError | None:
    """The dependency outage behind `exc`, if that is what it is.

    Starlette re-raises an error whose handler comes too late (the response has started) as a
    RuntimeError caused by it, so the cause is looked at too.
    """
    for candidate in (exc, exc.__cause__):
        if isinstance(candidate, ServiceUnavailableError):
            return candidate
    return None


def body_limit_policy(*, file_bytes: int, part_bytes: int, json_bytes: int) -> Callable[[str], int]:
    """The largest body each route accepts; multipart overhead gets 1 MiB of slack."""
    slack = 1024 * 1024

    def limit_for(path: str) -> int:
        if path == "/v1/files":
            return file_bytes + slack
        if _PART_ROUTE.match(path):
            return part_bytes + slack
        return json_bytes

    return limit_for


def header_size(headers: Iterable[tuple[bytes, bytes]]) -> int:
    """The bytes the header fields took on the wire: `name: value\r\n` each."""
    return sum(len(name) + len(value) + 4 for name, value in headers)


async def _send_headers_too_large(send: Send, limit: int, size: int) -> None:
    body: JSONObject = {
        "error": {
            "message": f"Request headers too large: they take {size} bytes and the limit is "
            f"{limit} bytes.",
            "type": "invalid_request_error",
            "param": None,
            "code": "headers_too_large",
        }
    }
    await _send_json(send, 431, body)


def _too_large_message(limit: int) -> str:
    return f"Request body too large: the limit for this route is {limit} bytes."


async def _send_too_large(send: Send, limit: int) -> None:
    body: JSONObject = {
        "error": {
            "message": _too_large_message(limit),
            "type": "invalid_request_error",
            "param": None,
            "code": "payload_too_large",
        }
    }
    await _send_json(send, 413, body)


async def _send_json(send: Send, status: int, body: JSONObject) -> None:
    payload = json.dumps(body).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(payload)).encode()),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": payload})
