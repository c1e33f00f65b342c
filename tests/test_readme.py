"""The README documents every setting."""

from __future__ import annotations

from service.core.config import Settings
from tests.harness import REPO_ROOT


def test_every_setting_is_documented_in_the_readme() -> None:
    readme = (REPO_ROOT / "README.md").read_text()
    missing = [
        f"WHETSTONE_{name.upper()}"
        for name in Settings.model_fields
        if f"`WHETSTONE_{name.upper()}`" not in readme
    ]
    assert not missing, f"README.md does not document: {', '.join(missing)}"


def test_readme_gives_the_two_commands() -> None:
    readme = (REPO_ROOT / "README.md").read_text()
    assert "make run" in readme
    assert "make test" in readme
