"""A bounded schemathesis run: every operation of openapi/openapi.json against a real server.

schemathesis 4 generates requests from the committed document (the contract clients get; the
app's own document is the same, tests/core/test_openapi.py makes sure) and sends them to a
`whetstone serve` process: its coverage phase (boundaries, each field missing or mistyped,
every undocumented method) and fuzzing phase, with a fixed seed and derandomized. Every check
that holds for Whetstone runs on every response (tests/fuzz/schemathesis.toml lists them, and
the operations where positive_data_acceptance cannot hold, with the reason); a 5xx or any
other violation fails that operation's test, with a curl command that replays it.

The document is loaded with from_path at import, so that `@schema.parametrize()` makes one
test per operation, and each case is sent to the server's port, known only once it runs
(from_fixture, the lazy loader, reads a pytest attribute that pytest 9.2 no longer has).

The server runs with a keys file, so that a missing or unknown key is a real 401 for
ignored_auth to check, and with its scheduler off: a job the fuzzer manages to create stays in
`validating_files` rather than training while the run goes on. The run reports how many
requests reached the server (counted from its access log) once the module is done.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import schemathesis
from schemathesis.config import SchemathesisConfig

from tests.harness import REPO_ROOT, ServerProcess

pytestmark = pytest.mark.e2e

CONFIG = Path(__file__).with_name("schemathesis.toml")
DOCUMENT = REPO_ROOT / "openapi" / "openapi.json"
API_KEY = "sk-fuzz"
_ACCESS_LINE = re.compile(r'"[A-Z]+ \S+ HTTP/1\.1" \d{3}')

schema = schemathesis.openapi.from_path(DOCUMENT, config=SchemathesisConfig.from_path(CONFIG))

# A completion's `model` is free text to the generator, which never draws a name that exists,
# so no request would ever reach the engine. Half of the schema-valid bodies (by the length of
# the drawn model name, so the run stays derandomized) name the emulator instead, with at most
# a few tokens and two choices so that each costs milliseconds of CPU; half of those stream,
# which the generator alone rarely combines with a body the engine accepts.
SERVED_MODEL = "gpt-4o-mini-2024-07-18"
COMPLETION_PATHS = frozenset({"/v1/chat/completions", "/v1/completions"})
MAX_TOKENS = 4
MAX_CHOICES = 2


# Headers that frame the HTTP message rather than carry an API parameter. With extra parameters
# on, the generator may draw them as undeclared headers (`content-length: w%c^!h}`); uvicorn's
# HTTP parser refuses such a message with its own plain-text 400 before the app runs, so what
# the case would test is the transport, not the contract.
FRAMING_HEADERS = frozenset({"content-length", "transfer-encoding", "host", "connection"})


@schema.hook
def map_case(_context: schemathesis.HookContext, case: schemathesis.Case) -> schemathesis.Case:
    """Drop drawn framing headers; point half of the schema-valid completions at a model that
    exists, kept small."""
    if case.headers:
        for name in [name for name in case.headers if name.lower() in FRAMING_HEADERS]:
            del case.headers[name]
    body = case.body
    positive = case.meta is not None and case.meta.generation.mode.is_positive
    if case.operation.path not in COMPLETION_PATHS or not positive or not isinstance(body, dict):
        return case
    drawn = body.get("model")
    if not isinstance(drawn, str) or len(drawn) % 2:
        return case
    body["model"] = SERVED_MODEL
    if len(drawn) % 4 == 0:
        body["stream"] = True
    limits = ("max_tokens", "max_completion_tokens")
    for name in limits:
        if isinstance(body.get(name), int):
            body[name] = min(body[name], MAX_TOKENS)
    if not any(isinstance(body.get(name), int) for name in limits):
        body["max_tokens"] = MAX_TOKENS  # without one, chat may use the whole context
    if isinstance(body.get("n"), int):
        body["n"] = min(body["n"], MAX_CHOICES)
    return case


@pytest.fixture(scope="module")
def server(
    tmp_path_factory: pytest.TempPathFactory, pytestconfig: pytest.Config
) -> Iterator[ServerProcess]:
    """A server with one key and no scheduler; reports the run's tally at the end."""
    data_dir = Path(tmp_path_factory.mktemp("fuzz"))
    keys = data_dir / "keys.json"
    keys.write_text(json.dumps({API_KEY: {"project": "proj_fuzz"}}))
    process = ServerProcess(
        data_dir / "data",
        env={"WHETSTONE_SCHEDULER_ENABLED": "false", "WHETSTONE_API_KEYS_FILE": str(keys)},
    ).start()
    started = time.monotonic()
    yield process
    elapsed = time.monotonic() - started
    process.stop()
    requests = len(_ACCESS_LINE.findall(process.log()))
    tally = f"schemathesis: {requests} requests reached the server in {elapsed:.0f} s"
    capture = pytestconfig.pluginmanager.get_plugin("capturemanager")
    if capture is None:
        print(tally)
        return
    with capture.global_and_fixture_disabled():
        print(f"\n{tally}")


@schema.parametrize()
def test_the_server_keeps_its_contract(case: schemathesis.Case, server: ServerProcess) -> None:
    case.call_and_validate(
        base_url=server.base_url, headers={"Authorization": f"Bearer {API_KEY}"}, timeout=60
    )
