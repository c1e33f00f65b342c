"""Record every raw response an SDK receives, and check each against OpenAI's description.

A Recorder is an httpx2 response hook (openai 3.x sends through httpx2): it reads the whole body
before the SDK parses it, so the exact bytes on the wire are kept, streams included. A
Conformance then validates each JSON body, and each `data:` event of each stream, against the
schema of the same operation in the vendored OpenAI document; error bodies against
ErrorResponse. A violation passes only when tests/contract/deviations.py names it. Each event
of a stream is also validated, with no deviation tolerated, against the event schema of
Whetstone's own document (tests/contract/whetstone_schema.py).
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import httpx2

from tests.contract import deviations
from tests.contract.openai_schema import (
    component_pointer,
    documents,
    path_template,
    response_schema_pointer,
    schema_errors,
    spec,
    stream_chunk_pointer,
)
from tests.contract.whetstone_schema import describe, event_errors, sse_events


@dataclass(frozen=True)
class Exchange:
    """One request and its complete response, as they crossed the wire."""

    method: str
    path: str
    status: int
    content_type: str
    body: bytes

    def describe(self) -> str:
        """`GET /v1/files -> 200` for messages."""
        return f"{self.method} {self.path} -> {self.status}"


class Recorder:
    """An httpx2 response hook that keeps every exchange with its whole body."""

    def __init__(self) -> None:
        self.exchanges: list[Exchange] = []

    def __call__(self, response: httpx2.Response) -> None:
        """Read the body now (the SDK then reads the buffered bytes) and keep the exchange."""
        response.read()
        self.exchanges.append(
            Exchange(
                method=response.request.method,
                path=response.request.url.path,
                status=response.status_code,
                content_type=response.headers.get("content-type", "").split(";")[0].strip(),
                body=response.content,
            )
        )

    def http_client(self, **kwargs: Any) -> httpx2.Client:
        """An httpx2 client that reports every response here, for `OpenAI(http_client=...)`."""
        return httpx2.Client(event_hooks={"response": [self]}, **kwargs)


def sse_data(body: bytes) -> list[str]:
    """The `data:` payloads of a server-sent event stream, in order (`[DONE]` included)."""
    return [event["data"] for event in sse_events(body)]


@dataclass
class Conformance:
    """Validates what a Recorder kept; counts what it validated and the deviations it used."""

    recorder: Recorder
    responses: int = 0
    chunks: int = 0
    events: int = 0
    not_json: int = 0
    statuses: Counter[str] = field(default_factory=Counter)
    used: Counter[deviations.Deviation] = field(default_factory=Counter)
    _checked: int = 0

    def verify(self) -> None:
        """Validate every exchange recorded since the last call; fail naming each violation."""
        problems: list[str] = []
        new = self.recorder.exchanges[self._checked :]
        self._checked = len(self.recorder.exchanges)
        for exchange in new:
            problems.extend(f"{exchange.describe()}: {p}" for p in self._check(exchange))
        assert not problems, "responses that break OpenAI's description:\n" + "\n".join(problems)

    def _check(self, exchange: Exchange) -> list[str]:
        template = path_template(exchange.path)
        method = exchange.method.lower()
        documented = template is not None and documents(template, method)
        operation = f"{exchange.method} {template}" if documented else None
        self.statuses[f"{exchange.status}"] += 1
        if exchange.status >= 400:
            # OpenAI documents errors once, as ErrorResponse, not per operation.
            return self._validate(
                "error", component_pointer("ErrorResponse"), exchange.body, exchange
            )
        if operation is None:
            return [f"a {exchange.status} on an operation OpenAI does not document"]
        if exchange.content_type == "text/event-stream":
            return self._check_stream(operation, template, method, exchange)
        if exchange.content_type != "application/json":
            self.not_json += 1  # file content: bytes, not a JSON document
            return []
        documented = spec()["paths"][template][method]["responses"].get(str(exchange.status), {})
        if "content" not in documented and "$ref" not in documented:
            # OpenAI documents this success with no body (DELETE /responses/{id}), while its
            # API answers a deletion object: there is no schema to check it against.
            self.not_json += 1
            return []
        pointer = response_schema_pointer(template, method, exchange.status)
        return self._validate(operation, pointer, exchange.body, exchange)

    def _check_stream(
        self, operation: str, template: str, method: str, exchange: Exchange
    ) -> list[str]:
        events = sse_events(exchange.body)
        payloads = [event["data"] for event in events]
        # A Responses stream ends with its last named event, as OpenAI's does: no [DONE].
        done = [] if template.startswith("/responses") else ["[DONE]"]
        if not payloads or payloads[len(payloads) - len(done) :] != done:
            return ["the stream does not end with `data: [DONE]`" if done else "no events"]
        if "[DONE]" in payloads[: len(payloads) - len(done)]:
            return ["`data: [DONE]` comes before the end of the stream"]
        problems = []
        for index, event in enumerate(events):
            problems.extend(
                f"event {index} breaks Whetstone's own event schema {describe(error)}"
                for error in event_errors(exchange.path, exchange.method, event)
            )
            self.events += 1
        pointer = stream_chunk_pointer(template, method)
        for payload in payloads[: len(payloads) - len(done)]:
            problems.extend(
                self._validate(f"{operation} stream", pointer, payload.encode(), exchange)
            )
            self.chunks += 1
        return problems

    def _validate(self, operation: str, pointer: str, body: bytes, exchange: Exchange) -> list[str]:
        try:
            document = json.loads(body)
        except ValueError:
            return [f"the body is not JSON: {body[:200]!r}"]
        if exchange.content_type != "text/event-stream":
            self.responses += 1
        problems = []
        for error in schema_errors(pointer, document):
            where = "/" + "/".join(str(part) for part in error.absolute_path)
            deviation = deviations.allowed(operation, where, error.instance)
            if deviation is not None:
                self.used[deviation] += 1
            else:
                problems.append(f"at {where or '/'}: {error.message}")
        return problems

    def summary(self) -> str:
        """One line of counts for the report."""
        return (
            f"validated {self.responses} JSON responses and {self.chunks} stream chunks against "
            f"OpenAI's schemas ({self.not_json} non-JSON bodies), {self.events} stream events "
            f"against Whetstone's own, statuses {dict(self.statuses)}, deviations used "
            f"{sum(self.used.values())}x"
        )
