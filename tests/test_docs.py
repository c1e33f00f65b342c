"""The README is a front door and docs/ the reference: every setting documented, every link live."""

from __future__ import annotations

import importlib.util
import os
import re
import subprocess
import sys
import unicodedata
from collections.abc import Iterator
from pathlib import Path

import pytest

from service.core.config import Settings
from tests.harness import REPO_ROOT

DOCS = REPO_ROOT / "docs"
README = REPO_ROOT / "README.md"
SETTINGS_PAGE = DOCS / "operations.md"
README_MAX_LINES = 300
# Read by tests/conftest.py, not by the server: the development page documents it.
TEST_SUITE_VARIABLES = {"WHETSTONE_TEST_POSTGRES_URL"}


def _vllm_plugin_variables() -> frozenset[str]:
    """Read by the vLLM resolver plugin in vLLM's process, not by the server (serving.md)."""
    path = REPO_ROOT / "deploy" / "vllm-plugin" / "whetstone_vllm" / "settings.py"
    spec = importlib.util.spec_from_file_location("whetstone_vllm_settings", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    # Registered first: its dataclass looks its own module up while being defined.
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return frozenset(module.ENVIRONMENT_VARIABLES)


VLLM_PLUGIN_VARIABLES = _vllm_plugin_variables()

# A markdown link or image, `[text](target)` or `[text](target "title")`.
LINK = re.compile(r"!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
HEADING = re.compile(r"^(#{1,6})\s+(.+?)\s*#*\s*$")
SETTING_ROW = re.compile(r"^\|\s*`([A-Z0-9_]+)`\s*\|")


def markdown_files() -> list[Path]:
    """README.md and every page of docs/."""
    return [README, *sorted(DOCS.rglob("*.md"))]


def prose_lines(path: Path) -> Iterator[str]:
    """The lines of a markdown file outside fenced code blocks."""
    fence: str | None = None
    for line in path.read_text().splitlines():
        marker = re.match(r"^\s*(```|~~~)", line)
        if marker:
            if fence is None:
                fence = marker.group(1)
            elif marker.group(1) == fence:
                fence = None
            continue
        if fence is None:
            yield line


def slugify(heading: str) -> str:
    """The id mkdocs (Python-Markdown's toc) gives a heading, from its markdown text."""
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", heading)  # a link's text
    text = re.sub(r"[`*]", "", text)  # code spans and emphasis render as their text
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    text = re.sub(r"[^\w\s-]", "", text).strip().lower()
    return re.sub(r"[-\s]+", "-", text)


def anchors(path: Path) -> set[str]:
    """Every heading id of a markdown file, numbered as toc numbers a repeated one."""
    seen: set[str] = set()
    for line in prose_lines(path):
        match = HEADING.match(line)
        if match is None:
            continue
        slug = base = slugify(match.group(2))
        count = 0
        while slug in seen:
            count += 1
            slug = f"{base}_{count}"
        seen.add(slug)
    return seen


def relative_links(path: Path) -> Iterator[str]:
    """The targets of a file's links that point into the repository, not at a site."""
    for line in prose_lines(path):
        for target in LINK.findall(re.sub(r"`[^`]*`", "", line)):
            if not re.match(r"^[a-z][a-z0-9+.-]*:", target):  # http:, https:, mailto:
                yield target


def documented_settings() -> list[str]:
    """The variables of the settings table, in order."""
    rows = [SETTING_ROW.match(line) for line in prose_lines(SETTINGS_PAGE)]
    return [row.group(1) for row in rows if row is not None]


def setting_variables() -> set[str]:
    """The environment variable of every Settings field."""
    prefix = str(Settings.model_config.get("env_prefix", ""))
    return {f"{prefix}{name}".upper() for name in Settings.model_fields}


def test_every_setting_has_a_row_in_the_settings_table() -> None:
    missing = sorted(setting_variables() - set(documented_settings()))
    assert not missing, f"{SETTINGS_PAGE.name} has no row for: {', '.join(missing)}"


def test_every_row_of_the_settings_table_is_a_setting() -> None:
    rows = documented_settings()
    unknown = sorted(set(rows) - setting_variables())
    assert not unknown, f"{SETTINGS_PAGE.name} documents settings that do not exist: {unknown}"
    repeated = sorted({row for row in rows if rows.count(row) > 1})
    assert not repeated, f"{SETTINGS_PAGE.name} documents these twice: {repeated}"


def test_every_variable_the_docs_name_is_a_setting() -> None:
    # A renamed or removed setting must not live on in prose elsewhere; a name ending in `_` is
    # a family (`WHETSTONE_DATABASE_*`), and the variables of the test suite and of the vLLM
    # plugin are no settings.
    named = {
        (path.name, name)
        for path in markdown_files()
        for name in re.findall(r"WHETSTONE_[A-Z0-9_]+", path.read_text())
        if not name.endswith("_")
        and name not in TEST_SUITE_VARIABLES
        and name not in VLLM_PLUGIN_VARIABLES
    }
    unknown = sorted(f"{page}: {name}" for page, name in named if name not in setting_variables())
    assert not unknown, f"the docs name variables that are not settings: {unknown}"


def test_every_variable_of_the_vllm_plugin_is_documented() -> None:
    serving = (DOCS / "serving.md").read_text()
    missing = sorted(name for name in VLLM_PLUGIN_VARIABLES if f"| `{name}` |" not in serving)
    assert not missing, f"serving.md's resolver table has no row for: {missing}"


def test_every_relative_link_resolves() -> None:
    broken = []
    for path in markdown_files():
        for target in relative_links(path):
            file_part, _, anchor = target.partition("#")
            linked = (path.parent / file_part).resolve() if file_part else path
            where = f"{path.relative_to(REPO_ROOT)}: {target}"
            if not linked.exists():
                broken.append(f"{where} (no such file)")
            elif anchor and linked.suffix == ".md" and anchor not in anchors(linked):
                broken.append(f"{where} (no such heading)")
    assert not broken, "broken links:\n" + "\n".join(broken)


def test_the_readme_is_a_front_door() -> None:
    readme = README.read_text()
    lines = len(readme.splitlines())
    assert lines <= README_MAX_LINES, f"README.md has {lines} lines, more than {README_MAX_LINES}"
    assert "make run" in readme
    assert "make test" in readme
    assert "docs/" in readme


@pytest.mark.skipif(
    importlib.util.find_spec("mkdocs") is None or importlib.util.find_spec("material") is None,
    reason="mkdocs and mkdocs-material are not installed (pip install -e '.[dev]')",
)
def test_the_site_builds_without_a_warning(tmp_path: Path) -> None:
    # --strict turns every warning (a broken link or anchor, a page out of the nav) into a failure.
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(tmp_path)],
        cwd=REPO_ROOT,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert (tmp_path / "index.html").exists()
