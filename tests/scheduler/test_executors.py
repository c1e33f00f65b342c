"""Choosing an executor: `local` by default, without importing Ray; `ray` only with PostgreSQL and
S3, refused otherwise at start-up in one line naming the setting."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from pydantic import ValidationError

from service.core.config import Settings
from service.scheduler.executors import is_ray_worker, make_executor
from service.scheduler.executors.local import LocalExecutor
from service.scheduler.executors.ray import actor_name
from service.scheduler.slots import DeviceSlot
from service.scheduler.worker import run_worker
from tests.harness import REPO_ROOT

POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


@pytest.mark.parametrize(
    ("values", "setting"),
    [
        ({}, "WHETSTONE_DATABASE_URL"),
        ({"database_url": POSTGRES}, "WHETSTONE_STORAGE_URL"),
        ({"storage_url": "s3://bucket/prefix"}, "WHETSTONE_DATABASE_URL"),
    ],
)
def test_ray_needs_postgresql_and_s3(tmp_path: Path, values: dict[str, str], setting: str) -> None:
    with pytest.raises(ValidationError) as raised:
        Settings(data_dir=tmp_path, executor="ray", **values)
    assert setting in str(raised.value)


def test_ray_with_postgresql_and_s3_is_accepted(tmp_path: Path) -> None:
    settings = Settings(
        data_dir=tmp_path, executor="ray", database_url=POSTGRES, storage_url="s3://b/p"
    )
    assert settings.ray_namespace == "whetstone" and settings.ray_device == "cuda"


def test_the_cli_refuses_ray_on_sqlite_in_one_line(tmp_path: Path) -> None:
    env = {key: value for key, value in os.environ.items() if not key.startswith("WHETSTONE_")}
    env.update(
        WHETSTONE_DATA_DIR=str(tmp_path), WHETSTONE_EXECUTOR="ray", PYTHONPATH=str(REPO_ROOT)
    )
    result = subprocess.run(
        [sys.executable, "-m", "service", "serve"],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        "whetstone: invalid settings: WHETSTONE_EXECUTOR=ray needs PostgreSQL: set "
        "WHETSTONE_DATABASE_URL to postgresql+psycopg://..."
    ]


def test_the_local_executor_is_the_default_and_ray_stays_unimported(tmp_path: Path) -> None:
    code = (
        "import sys; from service.core.config import Settings;"
        "from service.scheduler.executors import make_executor;"
        "from service.scheduler.worker import run_worker;"
        f"e = make_executor(Settings(data_dir={str(tmp_path)!r}), run_worker);"
        "print(type(e).__name__, 'ray' in sys.modules)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "PYTHONPATH": str(REPO_ROOT)},
    )
    assert result.stdout.split() == ["LocalExecutor", "False"], result.stderr
    assert isinstance(make_executor(Settings(data_dir=tmp_path), run_worker), LocalExecutor)


def test_tokens_tell_ray_runs_from_local_ones_and_name_the_actor(tmp_path: Path) -> None:
    slot = DeviceSlot(index=1, device="cpu", threads=1)
    local = LocalExecutor(Settings(data_dir=tmp_path), run_worker).token("sched-1-abc", slot)
    assert local.startswith("sched-1-abc/1/") and not is_ray_worker(local)
    from service.scheduler.executors.ray import RayExecutor

    settings = Settings(
        data_dir=tmp_path, executor="ray", database_url=POSTGRES, storage_url="s3://b/p"
    )
    token = RayExecutor(settings, run_worker).token("sched-1-abc", slot)
    assert is_ray_worker(token)
    name = actor_name("ftjob-123", token)
    assert name == f"whetstone-job-ftjob-123-{token.rsplit('/', 1)[1]}"
