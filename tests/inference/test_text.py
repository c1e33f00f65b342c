"""Detokenizing as tokens arrive: stop sequences across token boundaries, split characters."""

from __future__ import annotations

from service.inference.text import REPLACEMENT_CHARACTER, TextTracker
from tests.inference.conftest import Emulator


def feed(tracker: TextTracker, ids: list[int]) -> list[str]:
    """Push every id until the tracker stops; return the released chunks, the last included."""
    chunks = []
    for token in ids:
        chunks.append(tracker.push(token))
        if tracker.stopped:
            break
    chunks.append(tracker.finish())
    return chunks


def test_stop_spanning_tokens_cuts_the_text_and_is_never_released(emulator: Emulator) -> None:
    ids = emulator.tokenizer("The quick brown fox jumps over the lazy dog.")["input_ids"]
    pieces = [emulator.tokenizer.decode([t]) for t in ids]
    assert "ck bro" not in pieces  # the stop below spans several tokens
    chunks = feed(TextTracker(emulator.tokenizer, ("ck bro", "zzz")), ids)
    assert "".join(chunks) == "The qui"
    assert all("ck" not in chunk for chunk in chunks)


def test_without_a_stop_everything_is_released(emulator: Emulator) -> None:
    text = "Hello! How are you today?"
    ids = emulator.tokenizer(text)["input_ids"]
    tracker = TextTracker(emulator.tokenizer, ("never",))
    assert "".join(feed(tracker, ids)) == text
    assert not tracker.stopped and tracker.tokens_before_cut() == len(ids)


def test_characters_split_across_tokens_are_released_whole(emulator: Emulator) -> None:
    text = "Quelle heure est-il? 🕰️ é"
    ids = emulator.tokenizer(text)["input_ids"]
    chunks = feed(TextTracker(emulator.tokenizer), ids)
    assert "".join(chunks) == text
    assert not any(REPLACEMENT_CHARACTER in chunk for chunk in chunks)
