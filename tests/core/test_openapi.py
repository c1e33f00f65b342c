"""The committed spec (openapi/openapi.json) is the app's, and it describes the real wire."""

from __future__ import annotations

import difflib
import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis

from service.app import create_app
from service.cli import main
from service.core.config import Settings
from tests.harness import REPO_ROOT

COMMITTED = REPO_ROOT / "openapi" / "openapi.json"
FIX = "run `make openapi client` and commit openapi/ and clients/python/"
HTTP_METHODS = {"get", "put", "post", "delete", "patch", "head", "options", "trace"}
# `{resource}-{action}` or `{resource}-{sub-resource}-{action}`, in snake_case parts.
OPERATION_ID = re.compile(r"^[a-z_]+(-[a-z_]+)+$")


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    """The app's document, as `whetstone openapi` builds it."""
    return create_app(Settings()).openapi()


def operations(document: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    """(path, method, operation) for every operation of `document`."""
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if method in HTTP_METHODS:
                yield path, method, operation


def exported(capsys: pytest.CaptureFixture[str]) -> str:
    """What `whetstone openapi` prints, run in this process."""
    with pytest.raises(SystemExit) as exit_info:
        main(["openapi"])
    assert exit_info.value.code == 0
    return capsys.readouterr().out


def test_the_committed_spec_is_the_apps(capsys: pytest.CaptureFixture[str]) -> None:
    assert COMMITTED.exists(), f"openapi/openapi.json is missing: {FIX}"
    current, committed = exported(capsys), COMMITTED.read_text()
    if current != committed:
        diff = difflib.unified_diff(
            committed.splitlines(), current.splitlines(), "committed", "app", lineterm="", n=1
        )
        pytest.fail(f"openapi/openapi.json is stale: {FIX}\n" + "\n".join(list(diff)[:40]))


def test_the_export_is_the_same_in_another_process(capsys: pytest.CaptureFixture[str]) -> None:
    # Another hash seed reorders every set and dict built from one; the export must not care.
    env = {key: value for key, value in os.environ.items() if not key.startswith("WHETSTONE_")}
    other = subprocess.run(
        [sys.executable, "-m", "service", "openapi"],
        capture_output=True,
        text=True,
        check=True,
        cwd=REPO_ROOT,
        env={**env, "PYTHONHASHSEED": "12345", "PYTHONPATH": str(REPO_ROOT)},
        timeout=120,
    ).stdout
    assert other == exported(capsys)


def test_every_operation_has_a_unique_resource_action_id(document: dict[str, Any]) -> None:
    seen: dict[str, str] = {}
    for path, method, operation in operations(document):
        where = f"{method.upper()} {path}"
        operation_id = operation.get("operationId")
        assert operation_id, f"{where} has no operationId"
        assert OPERATION_ID.match(operation_id), f"{where}: {operation_id!r} is not resource-action"
        resource = path.removeprefix("/v1/").split("/")[0]
        assert operation_id.split("-")[0] == resource, f"{where}: {operation_id!r} not {resource}-"
        assert operation_id not in seen, f"{where} reuses {operation_id!r} of {seen[operation_id]}"
        seen[operation_id] = where
    assert seen, "the app documents no operation"


def _is_real(schema: dict[str, Any]) -> bool:
    """A schema that says something: a reference, a type, or a composition of those."""
    if "$ref" in schema or "type" in schema or "const" in schema or "enum" in schema:
        return True
    branches = [*schema.get("anyOf", []), *schema.get("oneOf", []), *schema.get("allOf", [])]
    return bool(branches) and all(_is_real(branch) for branch in branches)


def test_json_bodies_have_real_schemas(document: dict[str, Any]) -> None:
    for path, method, operation in operations(document):
        where = f"{method.upper()} {path}"
        request = operation.get("requestBody", {}).get("content", {})
        for media_type, content in request.items():
            assert _is_real(content.get("schema", {})), f"{where}: {media_type} request is {{}}"
        successes = {code: r for code, r in operation["responses"].items() if code.startswith("2")}
        assert successes, f"{where} documents no success response"
        for code, response in successes.items():
            content = response.get("content", {})
            assert content, f"{where} {code} documents no body"
            for media_type, body in content.items():
                assert _is_real(body.get("schema", {})), f"{where} {code} {media_type} is {{}}"


def test_uploaded_files_are_binary_fields(document: dict[str, Any]) -> None:
    # Without `format: binary`, generated clients send a file as a text form field.
    schemas = document["components"]["schemas"]
    uploads = 0
    for path, method, operation in operations(document):
        content = operation.get("requestBody", {}).get("content", {})
        if "multipart/form-data" in content:
            name = content["multipart/form-data"]["schema"]["$ref"].rsplit("/", 1)[1]
            for field, schema in schemas[name]["properties"].items():
                if "contentMediaType" in schema:
                    assert schema.get("format") == "binary", f"{method} {path}: {field} not binary"
                    uploads += 1
    assert uploads >= 2  # files-create and uploads-add_part


def test_errors_are_documented_as_openais_envelope(document: dict[str, Any]) -> None:
    envelope = {"$ref": "#/components/schemas/ErrorResponse"}
    for path, method, operation in operations(document):
        for code, response in operation["responses"].items():
            if code.startswith(("4", "5")):
                schema = response["content"]["application/json"]["schema"]
                assert schema == envelope, f"{method.upper()} {path} {code} is not ErrorResponse"
    assert "HTTPValidationError" not in document["components"]["schemas"]


def test_operations_that_need_a_key_document_the_401(document: dict[str, Any]) -> None:
    # A generated client parses only the statuses the document lists; a 401 must be one.
    for path, method, operation in operations(document):
        if operation.get("security"):
            assert "401" in operation["responses"], f"{method.upper()} {path} omits its 401"


def test_every_reference_resolves(document: dict[str, Any]) -> None:
    references = set(re.findall(r'"\$ref": "#/components/schemas/([^"]+)"', json.dumps(document)))
    missing = references - set(document["components"]["schemas"])
    assert not missing, f"dangling $refs: {sorted(missing)}"


def test_the_document_is_valid_openapi_3_1(document: dict[str, Any]) -> None:
    # schemathesis carries the 3.1 meta-schema, which refuses 3.2 keywords such as `itemSchema`
    # (and openapi-python-client reads 3.1 documents only).
    assert document["openapi"].startswith("3.1.")
    schemathesis.openapi.from_dict(document).validate()


@pytest.mark.parametrize(
    ("path", "chunk"),
    [("/v1/chat/completions", "ChatCompletionChunk"), ("/v1/completions", "Completion")],
)
def test_streamed_responses_describe_each_event(
    document: dict[str, Any], path: str, chunk: str
) -> None:
    content = document["paths"][path]["post"]["responses"]["200"]["content"]
    event = content["text/event-stream"]["schema"]
    assert (event["type"], event["required"]) == ("object", ["data"])
    data = event["properties"]["data"]
    assert data["if"] == {"const": "[DONE]"}
    assert data["else"]["contentMediaType"] == "application/json"
    payloads = [branch["$ref"] for branch in data["else"]["contentSchema"]["oneOf"]]
    assert payloads == [f"#/components/schemas/{chunk}", "#/components/schemas/ErrorResponse"]
    assert chunk in document["components"]["schemas"]
