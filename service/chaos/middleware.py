"""Request faults applied to live traffic: pure ASGI, so that streamed bodies pass untouched."""

from __future__ import annotations

import asyncio
import json
import math

from starlette.types import ASGIApp, Receive, Scope, Send

from service.chaos.rules import FaultRuleStore
from service.chaos.schemas import FaultRule
from service.core.auth import KeyRing
from service.core.errors import AuthenticationError

CHAOS_PREFIX = "/_whetstone/chaos"
FAULT_HEADER = b"x-whetstone-fault"
# OpenAI's type and code for the statuses a CI suite injects most; others get these defaults.
_DEFAULTS: dict[int, tuple[str, str | None, str]] = {
    429: ("requests", "rate_limit_exceeded", "Rate limit reached (injected fault)."),
    500: ("server_error", None, "The server had an error while processing your request."),
    502: ("server_error", None, "Bad gateway."),
    503: ("server_error", None, "The server is overloaded or not ready yet."),
    504: ("server_error", None, "Gateway timeout."),
}


class RequestFaultMiddleware:
    """Strikes requests with the caller's project's fault rules (service/chaos/rules.py).

    The rules and the key ring come from the app's Container, which the lifespan builds after
    the middleware stack exists, so they are looked up per request. The chaos API itself is
    never struck, so that a rule on `*` can still be removed.
    """

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith(CHAOS_PREFIX):
            await self.app(scope, receive, send)
            return
        container = scope["app"].state.container
        rule = _strike(container.chaos, container.keyring, scope)
        if rule is None:
            await self.app(scope, receive, send)
            return
        if rule.latency_ms:
            await asyncio.sleep(rule.latency_ms / 1000)
        if rule.status is None:
            await self.app(scope, receive, send)
            return
        await _answer(send, rule)


def _strike(store: FaultRuleStore, keyring: KeyRing, scope: Scope) -> FaultRule | None:
    if store.is_empty():
        return None
    headers = dict(scope.get("headers") or [])
    authorization = headers.get(b"authorization", b"").decode("latin-1")
    try:
        principal = keyring.authenticate(authorization)
    except AuthenticationError:
        return None  # no project to strike: the request gets its own 401
    return store.strike(project=principal.project, method=scope["method"], path=scope["path"])


async def _answer(send: Send, rule: FaultRule) -> None:
    assert rule.status is not None
    kind, code, message = _DEFAULTS.get(
        rule.status,
        (
            "server_error" if rule.status >= 500 else "invalid_request_error",
            None,
            "Injected fault.",
        ),
    )
    given = rule.error
    body = {
        "error": {
            "message": (given.message if given and given.message is not None else message),
            "type": given.type if given and given.type is not None else kind,
            "param": given.param if given else None,
            "code": given.code if given and given.code is not None else code,
        }
    }
    payload = json.dumps(body).encode()
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(payload)).encode()),
        (FAULT_HEADER, b"injected"),
    ]
    if rule.retry_after is not None:
        seconds = rule.retry_after
        # retry-after holds whole seconds (RFC 9110); the SDKs read retry-after-ms first.
        headers.append((b"retry-after", str(math.ceil(seconds)).encode()))
        headers.append((b"retry-after-ms", str(round(seconds * 1000)).encode()))
    await send({"type": "http.response.start", "status": rule.status, "headers": headers})
    await send({"type": "http.response.body", "body": payload})
