"""Keys and projects end to end: unknown keys are refused, projects are isolated."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import openai
import pytest

from tests.e2e.conftest import openai_client
from tests.harness import ServerProcess

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    """A server that accepts two keys, each in its own project."""
    data_dir = Path(tmp_path_factory.mktemp("keys"))
    keys = data_dir / "keys.json"
    keys.write_text(json.dumps({"sk-alice": {"project": "alice"}, "sk-bob": {"project": "bob"}}))
    process = ServerProcess(
        data_dir,
        {"WHETSTONE_API_KEYS_FILE": str(keys), "WHETSTONE_SCHEDULER_ENABLED": "false"},
    ).start()
    yield process
    process.stop()


def test_an_unknown_key_is_refused(server: ServerProcess) -> None:
    with pytest.raises(openai.AuthenticationError) as raised:
        openai_client(server, "sk-mallory").files.list()
    assert raised.value.code == "invalid_api_key"
    assert raised.value.request_id


def test_projects_cannot_see_each_others_files(server: ServerProcess) -> None:
    alice, bob = openai_client(server, "sk-alice"), openai_client(server, "sk-bob")
    mine = alice.files.create(file=("a.jsonl", b"secret\n"), purpose="fine-tune")
    theirs = bob.files.create(file=("b.jsonl", b"other\n"), purpose="fine-tune")
    with pytest.raises(openai.NotFoundError):
        bob.files.retrieve(mine.id)
    with pytest.raises(openai.NotFoundError):
        bob.files.content(mine.id)
    with pytest.raises(openai.NotFoundError):
        bob.files.delete(mine.id)
    assert [f.id for f in bob.files.list()] == [theirs.id]
    assert [f.id for f in alice.files.list()] == [mine.id]
    assert alice.files.content(mine.id).read() == b"secret\n"
    upload = alice.uploads.create(filename="u", purpose="batch", bytes=1, mime_type="text/plain")
    with pytest.raises(openai.NotFoundError):
        bob.uploads.parts.create(upload.id, data=b"x")
    with pytest.raises(openai.NotFoundError):
        bob.uploads.cancel(upload.id)
