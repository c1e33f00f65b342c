"""Detokenizing a choice as it grows, and stop sequences spanning tokens, for every engine.

Text is released to the client only once it can no longer turn out to be the start of a stop
sequence (the last `len(longest stop) - 1` characters are held back) and once it is complete
UTF-8 (a byte-level token may carry half a character, which decodes to U+FFFD until the rest
arrives). Stop text itself is never released.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from transformers import PreTrainedTokenizerBase

REPLACEMENT_CHARACTER = "\ufffd"


def decode(
    tokenizer: PreTrainedTokenizerBase, token_ids: list[int], *, skip_special_tokens: bool = False
) -> str:
    """The text of one sequence of token ids."""
    text = tokenizer.decode(token_ids, skip_special_tokens=skip_special_tokens)
    if not isinstance(text, str):  # a list only for a batch of sequences, never for one
        raise TypeError(f"decode returned {type(text).__name__}")
    return text


@dataclass
class TextTracker:
    """The text of one choice: decoded from all its tokens so far, cut at the first stop."""

    tokenizer: PreTrainedTokenizerBase
    stop: tuple[str, ...] = ()
    token_ids: list[int] = field(default_factory=list)
    # Character offset at which each token's text starts in `text`.
    offsets: list[int] = field(default_factory=list)
    text: str = ""
    released: int = 0
    stopped: bool = False

    def push(self, token_id: int) -> str:
        """Add a token; return the text that became safe to release (may be empty)."""
        self.offsets.append(len(self.text))
        self.token_ids.append(token_id)
        # Decoding the whole choice each time is simple and exact for every tokenizer family
        # (SentencePiece spaces, byte-level merges); choices are short enough that it is cheap.
        self.text = decode(self.tokenizer, self.token_ids, skip_special_tokens=True)
        hold = max((len(s) for s in self.stop), default=1) - 1
        if self.stop:
            # Only the tail can hold a new match: everything before it was searched already.
            search_from = max(0, self.released - hold)
            hits = [i for s in self.stop if (i := self.text.find(s, search_from)) >= 0]
            if hits:
                self.text = self.text[: min(hits)]
                self.stopped = True
                return self._release(len(self.text))
        end = len(self.text) - hold
        while end > self.released and self.text[end - 1] == REPLACEMENT_CHARACTER:
            end -= 1
        return self._release(end)

    def finish(self) -> str:
        """Release whatever is held back: the choice has ended."""
        return self._release(len(self.text))

    def _release(self, end: int) -> str:
        if end <= self.released:
            return ""
        chunk = self.text[self.released : end]
        self.released = end
        return chunk

    def released_tokens(self, already: int) -> int:
        """How many tokens (counting from the first) have their text released, given
        `already` were reported before; at the end, every token that starts before the cut."""
        count = already
        while count < len(self.offsets) and self._token_end(count) <= self.released:
            count += 1
        return count

    def tokens_before_cut(self) -> int:
        """Tokens that belong to the choice: all of them, or those that start before a stop."""
        if not self.stopped:
            return len(self.offsets)
        return sum(1 for offset in self.offsets if offset < len(self.text))

    def _token_end(self, index: int) -> int:
        if index + 1 < len(self.offsets):
            return self.offsets[index + 1]
        return len(self.text)
