"""End to end with the official `openai` SDK against a real server process:
client.fine_tuning.alpha.graders.run / .validate, a score_model grader on the emulator, and a
python grader that looks for the server's secrets."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import openai
import pytest

from tests.graders.fixtures import multi, needs_sandbox, score_model, string_check
from tests.harness import ServerProcess
from tests.inference.fixtures import BASE

pytestmark = pytest.mark.e2e

SECRET = "grader-e2e-secret-7f3a"


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[openai.OpenAI]:
    """The SDK against a server whose environment holds a secret."""
    server = ServerProcess(
        Path(tmp_path_factory.mktemp("graders-server")),
        env={"WHETSTONE_SCHEDULER_ENABLED": "false", "SERVER_SECRET_TOKEN": SECRET},
    ).start()
    try:
        yield openai.OpenAI(base_url=f"{server.base_url}/v1", api_key="sk-test", max_retries=0)
    finally:
        server.stop()


def test_validate_and_run_through_the_sdk(client: openai.OpenAI) -> None:
    grader = string_check()
    validated = client.fine_tuning.alpha.graders.validate(grader=grader)  # type: ignore[arg-type]
    assert validated.grader is not None and validated.grader.type == "string_check"
    result = client.fine_tuning.alpha.graders.run(
        grader=grader,  # type: ignore[arg-type]
        model_sample="Paris",
        item={"label": "Paris"},
    )
    assert result.reward == 1.0 and result.metadata.name == "exact"
    assert result.metadata.errors.sample_parse_error is False


def test_score_model_on_the_emulator(client: openai.OpenAI) -> None:
    grader = score_model(range=[0, 10], sampling_params={"max_completions_tokens": 6})
    result = client.fine_tuning.alpha.graders.run(
        grader=grader,  # type: ignore[arg-type]
        model_sample="Paris",
        item={"label": "Paris"},
    )
    assert result.metadata.type == "score_model"
    assert result.metadata.sampled_model_name == BASE
    usage = result.model_grader_token_usage_per_model[BASE]
    assert isinstance(usage, dict) and usage["completion_tokens"] >= 1
    assert result.metadata.token_usage == usage["total_tokens"]
    errors = result.metadata.errors
    assert errors.api_model_grader_server_error is False
    # Random weights rarely answer a number; either way the reply was parsed or flagged.
    assert (0 <= result.reward <= 10) and (result.reward > 0 or errors.api_model_grader_parse_error)


@needs_sandbox
def test_a_python_grader_sees_none_of_the_server_s_secrets(client: openai.OpenAI) -> None:
    source = (
        "import os\n"
        "def grade(sample, item):\n"
        "    seen = str(dict(os.environ))\n"
        "    for pid in ('self', '1', str(os.getppid())):\n"
        "        try:\n"
        "            seen += open(f'/proc/{pid}/environ', errors='replace').read()\n"
        "        except OSError:\n"
        "            pass\n"
        f"    return 0.0 if {SECRET!r} in seen else 1.0\n"
    )
    grader = multi(
        "py * exact", py={"type": "python", "name": "py", "source": source}, exact=string_check()
    )
    result = client.fine_tuning.alpha.graders.run(
        grader=grader,  # type: ignore[arg-type]
        model_sample="Paris",
        item={"label": "Paris"},
    )
    assert result.metadata.errors.python_grader_runtime_error is False, result.metadata.errors
    assert result.sub_rewards == {"py": 1.0, "exact": 1.0} and result.reward == 1.0


def test_a_malformed_grader_is_a_bad_request(client: openai.OpenAI) -> None:
    with pytest.raises(openai.BadRequestError) as caught:
        client.fine_tuning.alpha.graders.validate(
            grader=string_check("equals")  # type: ignore[arg-type]
        )
    assert caught.value.param == "grader.operation"  # type: ignore[attr-defined]
