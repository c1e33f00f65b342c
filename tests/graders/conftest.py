"""Fixtures of the graders tests."""

from __future__ import annotations

import pytest

from service.graders.sandbox import PythonSandbox
from tests.graders.fixtures import TEST_LIMITS, ScriptedSampler


@pytest.fixture
def sandbox() -> PythonSandbox:
    """A strict sandbox with a 1 s limit and 256 MiB of address space."""
    return PythonSandbox(TEST_LIMITS)


@pytest.fixture
def sampler() -> ScriptedSampler:
    """A grader model that answers 0.5."""
    return ScriptedSampler()
