"""Checkpoint permissions end to end, through the official SDK, with two projects of one
organization from a keys file.

Project B gets 404 on project A's checkpoint until A's admin key grants it; then B chats with
it, fine-tunes from it and lists it; after the revoke it is a 404 again, while the model B
trained from it stays B's. A member key of A gets 403 when it tries to grant.
"""

from __future__ import annotations

import io
import json
import time
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import openai
import pytest

from tests.e2e.conftest import openai_client
from tests.harness import ServerProcess

pytestmark = pytest.mark.e2e

BASE = "gpt-4o-mini-2024-07-18"
ORGANIZATION = "org-shared"
KEYS = {
    "sk-a-admin": {"project": "proj_a", "organization": ORGANIZATION, "role": "admin"},
    "sk-a-member": {"project": "proj_a", "organization": ORGANIZATION},
    "sk-b": {"project": "proj_b", "organization": ORGANIZATION},
}
# 10 examples (the fewest OpenAI allows) in batches of 5: 2 steps an epoch, and a checkpoint
# at its end.
BATCH_SIZE = 5
SHARED_STEP = 2


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    """A server with three keys: A's admin, A's member, and B's."""
    data_dir = Path(tmp_path_factory.mktemp("permissions"))
    keys = data_dir / "keys.json"
    keys.write_text(json.dumps(KEYS))
    process = ServerProcess(
        data_dir, {"WHETSTONE_API_KEYS_FILE": str(keys), "WHETSTONE_CPU_SLOTS": "1"}
    ).start()
    yield process
    process.stop()


def chat_file() -> bytes:
    """10 short chat examples."""
    return "\n".join(
        json.dumps(
            {
                "messages": [
                    {"role": "user", "content": f"Name a colour ({i})."},
                    {"role": "assistant", "content": "Blue."},
                ]
            }
        )
        for i in range(10)
    ).encode()


def train(client: openai.OpenAI, model: str, n_epochs: int) -> Any:
    """Upload the file, fine-tune `model` on it and wait; the succeeded job."""
    training = client.files.create(
        file=("train.jsonl", io.BytesIO(chat_file())), purpose="fine-tune"
    )
    job = client.fine_tuning.jobs.create(
        model=model,
        training_file=training.id,
        method={
            "type": "supervised",
            "supervised": {"hyperparameters": {"batch_size": BATCH_SIZE, "n_epochs": n_epochs}},
        },
        seed=5,
    )
    deadline = time.monotonic() + 240
    while job.status not in ("succeeded", "failed", "cancelled"):
        assert time.monotonic() < deadline, f"job {job.id} is still {job.status}"
        time.sleep(0.2)
        job = client.fine_tuning.jobs.retrieve(job.id)
    assert job.status == "succeeded", job.error
    return job


def chat(client: openai.OpenAI, model: str) -> str:
    """A short greedy reply from `model`."""
    reply = client.chat.completions.create(
        model=model,
        messages=[{"role": "user", "content": "Name a colour (3)."}],
        max_tokens=4,
        temperature=0,
    )
    return reply.choices[0].message.content or ""


def test_a_grant_shares_a_checkpoint_until_it_is_revoked(server: ServerProcess) -> None:
    admin, member = openai_client(server, "sk-a-admin"), openai_client(server, "sk-a-member")
    b = openai_client(server, "sk-b")
    job = train(admin, BASE, n_epochs=1)
    checkpoint = f"{job.fine_tuned_model}:ckpt-step-{SHARED_STEP}"
    assert checkpoint in [
        c.fine_tuned_model_checkpoint for c in admin.fine_tuning.jobs.checkpoints.list(job.id)
    ]
    permissions = admin.fine_tuning.checkpoints.permissions

    # Before any grant, B cannot tell the checkpoint exists.
    with pytest.raises(openai.NotFoundError):
        b.models.retrieve(checkpoint)
    with pytest.raises(openai.NotFoundError):
        chat(b, checkpoint)
    with pytest.raises(openai.NotFoundError):
        b.fine_tuning.checkpoints.permissions.create(checkpoint, project_ids=["proj_b"])

    with pytest.raises(openai.PermissionDeniedError) as refused:
        member.fine_tuning.checkpoints.permissions.create(checkpoint, project_ids=["proj_b"])
    assert refused.value.code == "insufficient_permissions"

    (permission,) = permissions.create(checkpoint, project_ids=["proj_b"]).data
    assert permission.project_id == "proj_b" and permission.id.startswith("cp_")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # the SDK's older name for list
        retrieved = permissions.retrieve(checkpoint, project_id="proj_b")
    assert [p.id for p in retrieved.data] == [permission.id]
    assert [p.id for p in permissions.list(checkpoint)] == [permission.id]

    # B chats with it, lists it, and fine-tunes from it.
    assert chat(b, checkpoint) == chat(admin, checkpoint)
    shared = {m.id: m.owned_by for m in b.models.list()}
    assert shared[checkpoint] == ORGANIZATION and job.fine_tuned_model not in shared
    continued = train(b, checkpoint, n_epochs=1)
    assert continued.model == checkpoint
    assert continued.fine_tuned_model.startswith(f"ft:{BASE}:{ORGANIZATION}:")
    trained_reply = chat(b, continued.fine_tuned_model)

    deleted = permissions.delete(permission.id, fine_tuned_model_checkpoint=checkpoint)
    assert (deleted.id, deleted.deleted) == (permission.id, True)
    with pytest.raises(openai.NotFoundError):
        b.models.retrieve(checkpoint)
    with pytest.raises(openai.NotFoundError):
        chat(b, checkpoint)
    with pytest.raises(openai.BadRequestError):
        b.fine_tuning.jobs.create(model=checkpoint, training_file=continued.training_file)
    listed = [m.id for m in b.models.list()]
    assert checkpoint not in listed
    # What B trained from the checkpoint stays B's.
    assert continued.fine_tuned_model in listed
    assert chat(b, continued.fine_tuned_model) == trained_reply
    assert list(permissions.list(checkpoint)) == []
