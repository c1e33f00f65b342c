"""tinker-cookbook 0.5.8's supervised and RL loops, run to the end against a real server, offline.

This is the recipe docs/tinker.md gives a CI user: `whetstone tokenizer DIR` writes the
emulator's tokenizer, `register_tokenizer` hands it to the cookbook under the emulator's name, and
the loops name `renderer_name` themselves (the cookbook's model table does not know the emulator).
No dataset or tokenizer comes from the Hugging Face hub.
"""

from __future__ import annotations

import asyncio
import functools
import json
import math
import os
import subprocess
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import chz
import pytest
import tinker
from tinker_cookbook.completers import StopCondition
from tinker_cookbook.renderers import Message, Renderer, get_renderer
from tinker_cookbook.rl import train as rl_train
from tinker_cookbook.rl.types import (
    Action,
    ActionExtra,
    Env,
    EnvGroupBuilder,
    Observation,
    RLDataset,
    RLDatasetBuilder,
    StepResult,
)
from tinker_cookbook.supervised import train as supervised_train
from tinker_cookbook.supervised.data import FromConversationFileBuilder
from tinker_cookbook.supervised.types import ChatDatasetBuilderCommonConfig
from tinker_cookbook.tokenizer_utils import get_tokenizer, register_tokenizer, unregister_tokenizer

from tests.harness import REPO_ROOT, ServerProcess

pytestmark = pytest.mark.e2e

MODEL = "whetstone-tiny"
# The emulator's tokenizer has no model family of the cookbook's table: role_colon is the
# renderer that needs nothing of a tokenizer but encode and decode.
RENDERER = "role_colon"
API_KEY = "tml-cookbook-ci"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    """One server for both loops (with no keys file, any `tml-` key is the local project's).

    A training client holds a device slot until its session finishes or idles out, and the
    cookbook's loops never close their ServiceClient: the second loop needs a slot of its own."""
    process = ServerProcess(
        Path(tmp_path_factory.mktemp("server")), env={"WHETSTONE_CPU_SLOTS": "2"}
    ).start()
    yield process
    process.stop()


@pytest.fixture(scope="module")
def cookbook(server: ServerProcess, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The offline recipe's setup: the emulator's tokenizer written by `whetstone tokenizer`
    and registered under the emulator's name, and the SDK's key in its environment variable."""
    directory = tmp_path_factory.mktemp("tokenizer")
    environment = {key: value for key, value in os.environ.items() if "WHETSTONE_" not in key}
    environment |= {
        "WHETSTONE_DATA_DIR": str(server.data_dir),
        "HF_HUB_OFFLINE": "1",
        "PYTHONPATH": str(REPO_ROOT),
    }
    subprocess.run(
        [sys.executable, "-m", "service", "tokenizer", str(directory)],
        env=environment,
        check=True,
        capture_output=True,
    )

    @functools.cache
    def emulator_tokenizer() -> Any:
        from transformers import AutoTokenizer

        return AutoTokenizer.from_pretrained(directory)

    register_tokenizer(MODEL, emulator_tokenizer)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("TINKER_API_KEY", API_KEY)
        yield server.base_url
    unregister_tokenizer(MODEL)


def _records(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def _listed_checkpoints(base_url: str, tinker_path: str) -> set[str]:
    """The tinker:// paths the REST client lists for the run that saved `tinker_path`."""
    rest = tinker.RestClient(base_url=base_url)
    run_id = tinker_path.removeprefix("tinker://").split("/", 1)[0]
    listed = rest.list_checkpoints(run_id).result()
    return {checkpoint.tinker_path for checkpoint in listed.checkpoints}


_CAPITALS = [
    ("France", "Paris"),
    ("Italy", "Rome"),
    ("Spain", "Madrid"),
    ("Japan", "Tokyo"),
    ("Egypt", "Cairo"),
    ("Peru", "Lima"),
    ("Kenya", "Nairobi"),
    ("Norway", "Oslo"),
]


def test_supervised_loop_runs_to_the_end_and_learns(cookbook: str, tmp_path: Path) -> None:
    conversations = tmp_path / "conversations.jsonl"
    conversations.write_text(
        "".join(
            json.dumps(
                {
                    "messages": [
                        {"role": "user", "content": f"What is the capital of {country}?"},
                        {"role": "assistant", "content": f"The capital of {country} is {city}."},
                    ]
                }
            )
            + "\n"
            for country, city in _CAPITALS
        )
    )
    epochs, batch_size = 3, 4
    config = supervised_train.Config(
        log_path=str(tmp_path / "sft"),
        model_name=MODEL,
        recipe_name="whetstone_ci_sl",
        renderer_name=RENDERER,
        dataset_builder=FromConversationFileBuilder(
            common_config=ChatDatasetBuilderCommonConfig(
                model_name_for_tokenizer=MODEL,
                renderer_name=RENDERER,
                max_length=128,
                batch_size=batch_size,
            ),
            file_path=str(conversations),
        ),
        learning_rate=1e-3,
        lr_schedule="constant",
        num_epochs=epochs,
        lora_rank=8,
        base_url=cookbook,
        eval_every=0,
        infrequent_eval_every=0,
    )

    asyncio.run(supervised_train.main(config))

    steps = [record for record in _records(tmp_path / "sft" / "metrics.jsonl") if "step" in record]
    assert [record["step"] for record in steps] == list(
        range(epochs * len(_CAPITALS) // batch_size)
    )
    losses = [record["train_mean_nll"] for record in steps]
    assert all(math.isfinite(loss) for loss in losses)
    # The same eight conversations each epoch: the last epoch's loss is below the first's.
    per_epoch = len(_CAPITALS) // batch_size
    assert sum(losses[-per_epoch:]) < sum(losses[:per_epoch])

    final = _records(tmp_path / "sft" / "checkpoints.jsonl")[-1]
    assert final["name"] == "final"
    assert final["state_path"].startswith("tinker://")
    assert final["sampler_path"].startswith("tinker://")
    assert {final["state_path"], final["sampler_path"]} <= _listed_checkpoints(
        cookbook, final["state_path"]
    )


class _ShortReplyEnv(Env):
    """One turn; the reward is higher the closer the reply is to `target_tokens` tokens long."""

    def __init__(self, renderer: Renderer, target_tokens: int):
        self.renderer = renderer
        self.target_tokens = target_tokens

    async def initial_observation(self) -> tuple[Observation, StopCondition]:
        """The question, rendered as a generation prompt."""
        prompt = [Message(role="user", content="Say something short.")]
        return self.renderer.build_generation_prompt(prompt), self.renderer.get_stop_sequences()

    async def step(self, action: Action, *, extra: ActionExtra | None = None) -> StepResult:
        """Score the reply by its length; the episode ends after one reply."""
        distance = abs(len(action) - self.target_tokens) / self.target_tokens
        return StepResult(
            reward=-distance,
            episode_done=True,
            next_observation=tinker.ModelInput.empty(),
            next_stop_condition=self.renderer.get_stop_sequences(),
            metrics={"reply_tokens": len(action)},
        )


class _ShortReplyGroup(EnvGroupBuilder):
    """`group_size` copies of the env: the loop's advantages are rewards less the group mean."""

    def __init__(self, renderer: Renderer, group_size: int):
        self.renderer = renderer
        self.group_size = group_size

    async def make_envs(self) -> Sequence[Env]:
        """The group's envs."""
        return [_ShortReplyEnv(self.renderer, target_tokens=4) for _ in range(self.group_size)]


class _ShortReplyDataset(RLDataset):
    def __init__(self, renderer: Renderer, batches: int, groups_per_batch: int, group_size: int):
        self.renderer = renderer
        self.batches = batches
        self.groups_per_batch = groups_per_batch
        self.group_size = group_size

    def get_batch(self, index: int) -> Sequence[EnvGroupBuilder]:
        """The same groups in every batch."""
        return [
            _ShortReplyGroup(self.renderer, self.group_size) for _ in range(self.groups_per_batch)
        ]

    def __len__(self) -> int:
        return self.batches


@chz.chz
class _ShortReplyDatasetBuilder(RLDatasetBuilder):
    batches: int
    groups_per_batch: int
    group_size: int

    async def __call__(self) -> tuple[RLDataset, RLDataset | None]:
        """The training set; no test set."""
        renderer = get_renderer(RENDERER, get_tokenizer(MODEL))
        return _ShortReplyDataset(
            renderer, self.batches, self.groups_per_batch, self.group_size
        ), None


def test_rl_loop_runs_to_the_end(cookbook: str, tmp_path: Path) -> None:
    batches, groups_per_batch, group_size, max_tokens = 2, 2, 4, 12
    config = rl_train.Config(
        log_path=str(tmp_path / "rl"),
        model_name=MODEL,
        recipe_name="whetstone_ci_rl",
        renderer_name=RENDERER,
        dataset_builder=_ShortReplyDatasetBuilder(
            batches=batches, groups_per_batch=groups_per_batch, group_size=group_size
        ),
        learning_rate=1e-3,
        max_tokens=max_tokens,
        lora_rank=8,
        base_url=cookbook,
        eval_every=0,
        save_every=0,
    )

    asyncio.run(rl_train.main(config))

    steps = [record for record in _records(tmp_path / "rl" / "metrics.jsonl") if "step" in record]
    assert [record["step"] for record in steps] == list(range(batches))
    for record in steps:
        assert record["env/all/total_episodes"] == groups_per_batch * group_size
        # Every reply was sampled within max_tokens, and scored by _ShortReplyEnv (at most 0).
        assert 0 < record["env/all/ac_tokens_per_turn"] <= max_tokens
        assert -max_tokens / 4 <= record["env/all/reward/total"] <= 0

    final = _records(tmp_path / "rl" / "checkpoints.jsonl")[-1]
    assert final["name"] == "final"
    assert {final["state_path"], final["sampler_path"]} <= _listed_checkpoints(
        cookbook, final["state_path"]
    )
