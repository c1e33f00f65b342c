"""The one line reader every dataset format shares: JSONL streamed as byte chunks, one JSON
object per line, with the same guards and the same per-line errors whatever the format.

The file arrives as an iterable of byte chunks (ArtifactStore.iter_chunks), so memory stays
bounded by the longest line whatever the file's size. Messages mirror OpenAI's wording
("Invalid file format. Line 3, key \"messages\": ...") so that client code matching on them works.
Each format (service/datasets/chat.py, preference.py, reinforcement.py) checks its own keys on
top of `decode_line`.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import NoReturn

from pydantic import JsonValue

from service.core.wire import JSONObject
from service.datasets.errors import DatasetError, DatasetParam, error_code

# One decoded line before its format's checks: any JSON object.

logger = logging.getLogger("whetstone.datasets")

# A line longer than this is refused rather than buffered: it bounds memory on hostile files.
MAX_LINE_BYTES = 32 * 1024 * 1024
# Arrays and objects nest at most this deep on a line. A chat line nests about 6 levels (tool
# schemas a few more); json.loads recurses once per level and raises RecursionError near 1000.
MAX_NESTING_DEPTH = 64
_UTF8_BOM = b"\xef\xbb\xbf"
# Every byte but the four brackets, deleted before counting depth; braces then count as brackets.
_NOT_BRACKETS = bytes(byte for byte in range(256) if byte not in b"[]{}")
_BRACES_AS_BRACKETS = bytes.maketrans(b"{}", b"[]")
# Bracket strings up to this long are peeled round by round to the end (see nests_deeper_than).
_SHORT_BRACKETS = 1024
# A \uD800-\uDFFF escape: json.loads turns an unpaired one into a lone surrogate, which no
# tokenizer can encode, so lines holding one are checked further.
_SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F]")
# How many warnings a file's report keeps; the rest are dropped.
MAX_WARNINGS = 20
_READ_BYTES = 1024 * 1024


class LineTooLongError(ValueError):
    """A line exceeds the allowed length; `line` is its 1-based number."""

    def __init__(self, line: int, limit: int):
        super().__init__(f"line {line} is longer than {limit} bytes")
        self.line = line
        self.limit = limit


class InvalidExample(ValueError):
    """One line breaks the training-file format; the message is complete and user-facing."""


class _NonStandardConstant(ValueError):
    """NaN, Infinity or -Infinity: Python's json accepts them, JSON does not."""


def _refuse_constant(name: str) -> NoReturn:
    raise _NonStandardConstant(name)


# One decoder for every line: json.loads with keyword arguments would build one per call.
_DECODER = json.JSONDecoder(parse_constant=_refuse_constant)


def nests_deeper_than(raw: bytes, limit: int) -> bool:
    """True when arrays and objects in the JSON text `raw` nest more than `limit` levels.

    A scan of the brackets outside strings, without recursion, so that it is safe on any input
    (json.loads itself recurses per level). Only what a parser would reach is measured: past an
    unmatched closing bracket the text is invalid and json.loads stops there.
    """
    if raw.count(b"[") + raw.count(b"{") <= limit:
        return False  # the common case: two C-speed counts, no copy
    # Escaped backslashes go first, so that every remaining quote is a string delimiter; the
    # even pieces of a split on quotes are then the text outside strings.
    unescaped = raw.replace(b"\\\\", b"").replace(b'\\"', b"")
    outside = b"".join(unescaped.split(b'"')[::2])
    brackets = outside.translate(_BRACES_AS_BRACKETS, _NOT_BRACKETS)
    if brackets.count(b"[") <= limit:
        return False
    # Each round deletes every innermost "[]" pair, which lowers the deepest level by at most
    # one: brackets gone within `limit` rounds nest at most `limit` deep. Well-formed lines end
    # here at C speed. On a long string, rounds stop once one removes under a quarter of what
    # is left (a long chain, which the walk below settles at its first `limit` bytes), so they
    # cost about four passes at most; on a short one every round is cheap.
    remaining = brackets
    for _ in range(limit):
        shorter = remaining.replace(b"[]", b"")
        if not shorter:
            return False
        if len(shorter) > max(len(remaining) * 3 // 4, _SHORT_BRACKETS):
            break
        remaining = shorter
    depth = 0
    for byte in brackets:
        if byte == 0x5B:  # [
            depth += 1
            if depth > limit:
                return True
        else:
            depth -= 1
            if depth < 0:
                return False
    return False


def iter_lines(
    chunks: Iterable[bytes], *, max_line_bytes: int | None = None
) -> Iterator[tuple[int, bytes]]:
    """Yield (1-based line number, line without its newline), skipping blank lines.

    Lines may straddle chunks; CRLF and LF both end a line; a last line without a newline counts.
    Numbers count every physical line, blank ones included, so they match what an editor shows.
    """
    pending = bytearray()
    number = 0
    for chunk in chunks:
        start = 0
        while True:
            end = chunk.find(b"\n", start)
            if end < 0:
                pending += chunk[start:]
                if max_line_bytes is not None and len(pending) > max_line_bytes:
                    raise LineTooLongError(number + 1, max_line_bytes)
                break
            number += 1
            if pending:
                pending += chunk[start:end]
                line = bytes(pending)
                pending.clear()
            else:
                line = chunk[start:end]
            start = end + 1
            if max_line_bytes is not None and len(line) > max_line_bytes:
                raise LineTooLongError(number, max_line_bytes)
            if line.endswith(b"\r"):
                line = line[:-1]
            if line.strip():
                yield number, line
    if pending:
        number += 1
        line = bytes(pending)
        if line.endswith(b"\r"):
            line = line[:-1]
        if line.strip():
            yield number, line


def decode_line(raw: bytes, line: int) -> JSONObject:
    """The JSON object on one line, with every guard; InvalidExample when it is not one.

    Shared by every line format, so that each gets the same guards.
    """
    if line == 1 and raw.startswith(_UTF8_BOM):
        raw = raw[len(_UTF8_BOM) :]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InvalidExample(
            f"Invalid file format. Line {line} is not valid UTF-8 (byte {exc.start + 1})."
        ) from exc
    if nests_deeper_than(raw, MAX_NESTING_DEPTH):
        raise InvalidExample(
            f"Invalid file format. Line {line} nests arrays or objects more than "
            f"{MAX_NESTING_DEPTH} levels deep."
        )
    try:
        example = _DECODER.decode(text)
    except json.JSONDecodeError as exc:
        raise InvalidExample(
            f"Invalid file format. Line {line} is not valid JSON: {exc.msg} (column {exc.colno})."
        ) from exc
    except _NonStandardConstant as exc:
        raise InvalidExample(
            f"Invalid file format. Line {line} is not valid JSON: {exc} is not a JSON value."
        ) from exc
    if _SURROGATE_ESCAPE.search(raw):
        _check_surrogates(example, line)
    if not isinstance(example, dict):
        raise InvalidExample(
            f"Invalid file format. Line {line} must be a JSON object, not {json_type(example)}."
        )
    return example


def parse_checked_line(
    raw: bytes,
    line: int,
    check: Callable[[JSONObject, int], None],
    *,
    param: DatasetParam = "training_file",
    translate: Callable[[JSONObject, int], JSONObject] | None = None,
) -> JSONObject:
    """Decode one line, `translate` it from another dialect when given, and run a line
    format's `check` on it; every failure becomes this line's DatasetError (shared by the
    preference and reinforcement formats)."""
    try:
        example = decode_line(raw, line)
        if translate is not None:
            example = translate(example, line)
        check(example, line)
        return example
    except InvalidExample as exc:
        raise DatasetError(str(exc), code=error_code(param), param=param, line=line) from exc
    except Exception as exc:
        raise unreadable_line(exc, line, param) from exc


def require_examples(n_examples: int, min_examples: int, param: DatasetParam) -> None:
    """DatasetError `invalid_n_examples` when a file holds fewer than `min_examples`."""
    if n_examples < min_examples:
        kind = "Training" if param == "training_file" else "Validation"
        raise DatasetError(
            f"{kind} file has {n_examples} example(s), but must have at least "
            f"{min_examples} examples",
            code="invalid_n_examples",
            param=param,
        )


def unreadable_line(exc: Exception, line: int, param: DatasetParam) -> DatasetError:
    """The DatasetError of a line whose check raised something unforeseen."""
    # A check that breaks on input nobody foresaw is still that line's fault: the job fails
    # with the line's number instead of a validation retried forever. Logged (as a warning,
    # with the traceback) because it also means a check is missing here.
    logger.warning(
        "line %d raised %s while being validated", line, type(exc).__name__, exc_info=exc
    )
    return DatasetError(
        f"Invalid file format. Line {line} could not be read ({type(exc).__name__}).",
        code=error_code(param),
        param=param,
        line=line,
    )


class CountingChunks:
    """Passes chunks through while counting bytes, so the report needs no second pass."""

    def __init__(self, chunks: Iterable[bytes]):
        self._chunks = chunks
        self.n_bytes = 0

    def __iter__(self) -> Iterator[bytes]:
        for chunk in self._chunks:
            self.n_bytes += len(chunk)
            yield chunk


def read_chunks(path: Path) -> Iterator[bytes]:
    """The bytes of a local file, in chunks of a megabyte."""
    with path.open("rb") as handle:
        while chunk := handle.read(_READ_BYTES):
            yield chunk


def checked_lines(chunks: Iterable[bytes], param: DatasetParam) -> Iterator[tuple[int, bytes]]:
    """iter_lines with the line-length guard, a line too long being that line's DatasetError."""
    try:
        yield from iter_lines(chunks, max_line_bytes=MAX_LINE_BYTES)
    except LineTooLongError as exc:
        raise DatasetError(
            f"Invalid file format. Line {exc.line} is longer than {exc.limit} bytes.",
            code=error_code(param),
            param=param,
            line=exc.line,
        ) from exc


def add_warning(warnings: list[str], message: str) -> None:
    """Append `message` unless the report already holds MAX_WARNINGS."""
    if len(warnings) < MAX_WARNINGS:
        warnings.append(message)


def _check_surrogates(example: JsonValue, line: int) -> None:
    """InvalidExample when a string holds an unpaired surrogate (from an escape like \\ud800)."""
    try:
        json.dumps(example, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError as exc:
        lone = f"\\u{ord(exc.object[exc.start]):04x}"
        raise InvalidExample(
            f"Invalid file format. Line {line} holds the unpaired surrogate escape {lone}; "
            "text must be valid Unicode (a surrogate escape needs its pair)."
        ) from exc


def json_type(value: JsonValue) -> str:
    """How an error names the JSON type of `value` ("an array", "null", ...)."""
    if isinstance(value, list):
        return "an array"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if value is None:
        return "null"
    return "an object"
