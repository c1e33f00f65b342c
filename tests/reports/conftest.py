"""The emulator's tokenizer, built once per session, for the analysis tests."""

from __future__ import annotations

from typing import Any

import pytest

from service.catalog.emulator import ensure_emulator


@pytest.fixture(scope="session")
def tokenizer(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """whetstone-tiny's tokenizer (byte-level BPE, ChatML template)."""
    from transformers import AutoTokenizer

    directory = ensure_emulator(tmp_path_factory.mktemp("models"))
    return AutoTokenizer.from_pretrained(directory, local_files_only=True)
